// A readable, stable text form of the AST for golden files (test/syntax/cases/*.ast.txt): one
// node a line, indented by depth, each with its span as `@start..end` offsets. Names print
// inline, empty lists, absent fields and empty doc comments are left out.

import type { SourceAst } from "../../src/syntax/ast";
import type { Span } from "../../src/source/span";

type Node = Record<string, unknown>;

const isSpan = (v: unknown): v is Span => typeof v === "object" && v !== null && "start" in v && "end" in v && "file" in v;
const isName = (v: unknown): v is { text: string; span: Span } => typeof v === "object" && v !== null && "text" in v && isSpan((v as Node).span) && Object.keys(v).length === 2;
/** What the nodes without a `kind` field are, by the field that holds them. */
const unkindedNodes: Record<string, string> = { params: "param", args: "argument", body: "body", then: "body", otherwise: "body", value: "body" };
const at = (span: Span) => `@${span.start}..${span.end}`;

export function dumpAst(ast: SourceAst): string {
  const lines: string[] = [];
  for (const key of ["uses", "blocks", "models"] as const) for (const node of ast[key]) dumpNode(node as unknown as Node, "", 0, lines);
  return `${lines.join("\n")}\n`;
}

function dumpNode(node: Node, key: string, depth: number, lines: string[]): void {
  const indent = "  ".repeat(depth);
  const head = key ? `${key}: ` : "";
  const scalars: string[] = [];
  const children: Array<[string, unknown]> = [];
  for (const [field, value] of Object.entries(node)) {
    if (field === "span" || field === "kind" || value === undefined) continue;
    if (field === "doc" && value === "") continue;
    if (isName(value)) scalars.push(`${field}=${JSON.stringify(value.text)}${at(value.span)}`);
    else if (typeof value !== "object" || value === null) scalars.push(`${field}=${JSON.stringify(value)}`);
    else if (Array.isArray(value) && value.length === 0) continue;
    else children.push([field, value]);
  }
  const kind = typeof node.kind === "string" ? node.kind : (unkindedNodes[key.replace(/\[\d+\]$/, "")] ?? "node");
  lines.push(`${indent}${head}${kind}${scalars.length ? ` ${scalars.join(" ")}` : ""}${isSpan(node.span) ? ` ${at(node.span)}` : ""}`);
  for (const [field, value] of children) {
    if (Array.isArray(value)) {
      if (value.every(isName)) {
        lines.push(`${indent}  ${field}: ${value.map((n) => `${JSON.stringify(n.text)}${at(n.span)}`).join(", ")}`);
        continue;
      }
      value.forEach((item, i) => dumpNode(item as Node, `${field}[${i}]`, depth + 1, lines));
    } else dumpNode(value as Node, field, depth + 1, lines);
  }
}
