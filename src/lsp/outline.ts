// Document symbols (models, blocks and their parameters) and folding ranges (blocks, bodies,
// calls over several lines, runs of comment lines), from the AST's spans.

import { FoldingRangeKind, SymbolKind, type DocumentSymbol, type FoldingRange } from "vscode-languageserver";
import type { Body, Statement } from "../syntax/ast";
import type { Span } from "../source/span";
import { rangeOf } from "./to-lsp";
import type { Analysis } from "./workspace";

export function documentSymbols(a: Analysis): DocumentSymbol[] {
  const ast = a.compilation.program.asts.get(a.file);
  if (!ast) return [];
  const symbol = (name: string, detail: string, kind: SymbolKind, span: Span, nameSpan: Span, children?: DocumentSymbol[]): DocumentSymbol => ({
    name: name || "(unnamed)", detail, kind, range: rangeOf(a, span), selectionRange: rangeOf(a, nameSpan.end > nameSpan.start ? nameSpan : span), children,
  });
  return [
    ...ast.blocks.map((b) => symbol(b.name.text, "block", SymbolKind.Class, b.span, b.name.span,
      b.params.filter((p) => p.name.text !== "").map((p) => symbol(p.name.text, "parameter", SymbolKind.Field, p.span, p.name.span)))),
    ...ast.models.map((m) => symbol(m.name.text, `model = ${m.call.callee.text}(…)`, SymbolKind.Object, m.span, m.name.span)),
  ].sort((x, y) => x.range.start.line - y.range.start.line || x.range.start.character - y.range.start.character);
}

export function foldingRanges(a: Analysis): FoldingRange[] {
  const ast = a.compilation.program.asts.get(a.file);
  if (!ast) return [];
  const ranges: FoldingRange[] = [];
  const fold = (span: Span, kind?: FoldingRangeKind) => {
    const start = a.lines.position(span.start).line;
    const end = a.lines.position(span.end).line;
    if (end > start) ranges.push({ startLine: start, endLine: end - 1 > start ? end - 1 : end, kind });
  };
  const body = (b: Body) => {
    fold(b.span);
    b.statements.forEach(statement);
  };
  const statement = (s: Statement) => {
    if (s.kind === "if") {
      body(s.then);
      if (s.otherwise) ("statements" in s.otherwise ? body(s.otherwise) : statement(s.otherwise));
    } else if (s.kind === "let" && "statements" in s.value) body(s.value as Body);
    else if (s.kind === "step") {
      if (s.action.kind === "repeat" || s.action.kind === "residual") body(s.action.body);
      else fold(s.action.span);
    }
  };
  for (const block of ast.blocks) {
    fold({ ...block.span, end: block.body.span.start });
    body(block.body);
  }
  for (const model of ast.models) fold(model.call.span);
  // Runs of two or more comment lines.
  let run: number | undefined;
  for (let line = 0; line <= a.lines.lineCount; line++) {
    const isComment = line < a.lines.lineCount && /^\s*#/.test(a.lines.lineText(line));
    if (isComment && run === undefined) run = line;
    if (!isComment && run !== undefined) {
      if (line - 1 > run) ranges.push({ startLine: run, endLine: line - 1, kind: FoldingRangeKind.Comment });
      run = undefined;
    }
  }
  return ranges;
}
