// Completion and signature help. `use` targets (standard-library modules, .vit files beside the
// document); blocks, families and ops in scope at a statement; keyword arguments inside a call
// (with type, default and doc, the ones already given left out); a snippet for a one-line model.
// Signatures come from the compiler (elaborate/signatures.ts).

import * as fs from "node:fs";
import * as path from "node:path";
import { CompletionItemKind, InsertTextFormat, type CompletionItem, type SignatureHelp } from "vscode-languageserver";
import { stdModules, type Program, type VisibleBlock } from "../elaborate/program";
import { blockSignature, calleeSignature, opSignature, paramLabel } from "../elaborate/signatures";
import { opKinds } from "../ops/kinds";
import { cursorContext } from "./call-context";
import type { Analysis } from "./workspace";

const statementKeywords = ["let", "if", "repeat", "residual", "input", "expect", "output", "require"];

export function completion(a: Analysis, offset: number): CompletionItem[] {
  const ctx = cursorContext(a.text, offset);
  if (ctx.inText) return [];
  const program = a.compilation.program;
  const useMatch = /^\s*use\s+("?)([^"]*)$/.exec(ctx.linePrefix);
  if (useMatch) return useTargets(a, useMatch[1] === '"');
  if (ctx.call) {
    const sig = calleeSignature(program, a.file, ctx.call.callee);
    if (ctx.call.atKeyword && sig) {
      const given = ctx.call.given;
      return sig.params.filter((p) => !given.has(p.name)).map((p, i) => ({
        label: p.name,
        kind: CompletionItemKind.Field,
        detail: paramLabel(p),
        documentation: p.doc || undefined,
        insertText: `${p.name}: `,
        sortText: String(i).padStart(3, "0"),
      }));
    }
    return [];
  }
  const visible = [...(program.visible.get(a.file)?.values() ?? [])];
  if (/^\s*model\s+[A-Za-z_][A-Za-z0-9_]*\s*=\s*[A-Za-z0-9_]*$/.test(ctx.linePrefix)) {
    return visible.map((b) => blockItem(program, b));
  }
  if (!ctx.atStatement) return [];
  if (ctx.inBody) {
    return [
      ...visible.map((b) => blockItem(program, b)),
      ...opKinds.filter((op) => op !== "input").map((op) => opSignature(op)).map((sig) => ({ label: sig.name, kind: CompletionItemKind.Function, detail: sig.label, documentation: sig.doc })),
      ...statementKeywords.map((k) => ({ label: k, kind: CompletionItemKind.Keyword })),
    ];
  }
  return [
    ...["use", "model", "block"].map((k) => ({ label: k, kind: CompletionItemKind.Keyword })),
    {
      label: "model … = vit(…)",
      kind: CompletionItemKind.Snippet,
      detail: "a one-line ViT model",
      insertTextFormat: InsertTextFormat.Snippet,
      insertText: "model ${1:name} = ${2:vit}(img_size: ${3:224}, patch_size: ${4:16}, embed_dim: ${5:768}, depth: ${6:12}, num_heads: ${7:12})",
      filterText: "model",
    },
  ];
}

function blockItem(program: Program, b: VisibleBlock): CompletionItem {
  const sig = blockSignature(program, b);
  return { label: sig.name, kind: CompletionItemKind.Class, detail: sig.label, documentation: sig.doc || undefined };
}

function useTargets(a: Analysis, quoted: boolean): CompletionItem[] {
  const items: CompletionItem[] = quoted ? [] : stdModules.map((m) => ({ label: `std.${m}`, kind: CompletionItemKind.Module }));
  const dir = path.dirname(a.path);
  const files: string[] = [];
  try {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      if (e.isFile() && e.name.endsWith(".vit") && path.join(dir, e.name) !== a.path) files.push(e.name);
      if (e.isDirectory() && !e.name.startsWith(".") && e.name !== "node_modules") {
        try {
          for (const f of fs.readdirSync(path.join(dir, e.name))) if (f.endsWith(".vit")) files.push(`${e.name}/${f}`);
        } catch {
          // An unreadable folder offers nothing.
        }
      }
    }
  } catch {
    // An unsaved document's folder may not exist.
  }
  for (const f of files.slice(0, 200)) items.push({ label: `"${f}"`, kind: CompletionItemKind.File, insertText: quoted ? `${f}"` : `"${f}"` });
  return items;
}

export function signatureHelp(a: Analysis, offset: number): SignatureHelp | null {
  const ctx = cursorContext(a.text, offset);
  if (!ctx.call || ctx.inText) return null;
  const sig = calleeSignature(a.compilation.program, a.file, ctx.call.callee);
  if (!sig) return null;
  const keyword = ctx.call.keyword;
  const active = keyword !== undefined ? sig.params.findIndex((p) => p.name === keyword) : ctx.call.index;
  return {
    signatures: [{
      label: sig.label,
      documentation: sig.doc || undefined,
      parameters: sig.params.map((p) => ({ label: paramLabel(p), documentation: p.doc || undefined })),
    }],
    activeSignature: 0,
    activeParameter: active < 0 ? undefined : active,
  };
}
