// The signature of anything a spec can call, as data for editors (hover, completion, signature
// help): a block's parameters with their types, defaults (as written) and doc comments, a
// primitive op's arguments from its table, a built-in function's usage line.

import type { AttrSpec } from "../ops/op-def";
import { ops } from "../ops/registry";
import { isOpKind, type OpKind } from "../ops/kinds";
import type { Program, VisibleBlock } from "./program";
import { builtins } from "./builtins";
import { formatType } from "./values";

export interface ParamSignature {
  readonly name: string;
  /** `int`, `int | [int]`; "" where the parameter declares none. */
  readonly type: string;
  /** The default as written (`224`, `"token"`), or undefined for a required parameter. */
  readonly default?: string;
  readonly doc: string;
}

export interface Signature {
  readonly kind: "block" | "op" | "function";
  readonly name: string;
  readonly doc: string;
  readonly params: readonly ParamSignature[];
  /** `vit(img_size: int | [int] = 224, …)` */
  readonly label: string;
}

export function blockSignature(program: Program, block: VisibleBlock): Signature {
  const text = program.files.get(block.file).text;
  const params = block.decl.params.filter((p) => p.name.text !== "").map((p): ParamSignature => ({
    name: p.name.text,
    type: p.type ? formatType(p.type) : "",
    default: p.default ? text.slice(p.default.span.start, p.default.span.end) : undefined,
    doc: p.doc,
  }));
  return { kind: "block", name: block.decl.name.text, doc: block.decl.doc, params, label: label(block.decl.name.text, params) };
}

export function opSignature(op: OpKind): Signature {
  const def = ops[op];
  const params = Object.entries(def.attrs).map(([name, spec]): ParamSignature => ({
    name, type: attrType(spec), default: spec.default === undefined ? undefined : JSON.stringify(spec.default).replace(/,/g, ", "), doc: spec.doc,
  }));
  return { kind: "op", name: op, doc: def.doc, params, label: label(op, params) };
}

export function functionSignature(name: string): Signature | undefined {
  const fn = builtins.get(name);
  return fn ? { kind: "function", name, doc: fn.doc, params: [], label: fn.signature } : undefined;
}

function label(name: string, params: readonly ParamSignature[]): string {
  return `${name}(${params.map(paramLabel).join(", ")})`;
}

export function paramLabel(p: ParamSignature): string {
  return `${p.name}${p.type ? `: ${p.type}` : ""}${p.default !== undefined ? ` = ${p.default}` : ""}`;
}

function attrType(spec: AttrSpec): string {
  switch (spec.type) {
    case "pair": return "int | [int]";
    case "ints": return "[int]";
    case "padding": return "int | [int] | string";
    default: return spec.type;
  }
}

/**
 * What a call's callee is, in the compiler's order of resolution (resolve.ts): a block or family
 * visible in `file`, else an op, else a built-in function; undefined for an unknown name.
 */
export function calleeSignature(program: Program, file: number, callee: string): Signature | undefined {
  const block = program.visible.get(file)?.get(callee);
  if (block) return blockSignature(program, block);
  if (isOpKind(callee)) return opSignature(callee);
  return functionSignature(callee);
}
