// Inlay hints: after each step line of a block that a model of the document expands, the shape
// it leaves in `x`; after a model line, `input → output · params`. Either can be turned off by
// the client's settings (`vitc.inlayHints.stepShapes`, `vitc.inlayHints.modelSummary`).

import { groupDigits } from "../diagnostics/visible-text";
import type { InlayHint, Range } from "vscode-languageserver";
import type { Body, Statement } from "../syntax/ast";
import { formatShape } from "../ir/shape";
import { stepFacts } from "../reports/steps";
import { summarize } from "../reports/summary";
import type { Span } from "../source/span";
import type { Analysis } from "./workspace";

export interface InlaySettings {
  readonly stepShapes: boolean;
  readonly modelSummary: boolean;
}

export function inlayHints(a: Analysis, range: Range, settings: InlaySettings): InlayHint[] {
  const ast = a.compilation.program.asts.get(a.file);
  if (!ast) return [];
  const first = a.lines.offset(range.start);
  const last = a.lines.offset(range.end);
  const inRange = (span: Span) => span.end >= first && span.start <= last;
  const hints: InlayHint[] = [];
  const hintAt = (offset: number, label: string) => {
    hints.push({ position: a.lines.position(offset), label, paddingLeft: true });
  };
  if (settings.modelSummary) {
    for (const decl of ast.models) {
      if (!inRange(decl.span)) continue;
      const model = a.compilation.models.find((m) => m.name === decl.name.text);
      if (!model || !model.checked.complete) continue;
      const s = summarize(model);
      if (!s.outputJson) continue;
      hintAt(decl.span.end, `${s.input} → ${s.output} · ${groupDigits(s.params)} params`);
    }
  }
  if (settings.stepShapes && a.compilation.models.length > 0) {
    const visit = (statements: readonly Statement[]) => {
      for (const s of statements) {
        if (!inRange(s.span)) continue;
        if (s.kind === "if") {
          visit(s.then.statements);
          if (s.otherwise) visit("statements" in s.otherwise ? s.otherwise.statements : [s.otherwise]);
        } else if (s.kind === "let" && "statements" in s.value) visit((s.value as Body).statements);
        else if (s.kind === "step") {
          const action = s.action;
          if (action.kind === "repeat" || action.kind === "residual") visit(action.body.statements);
          const shape = shapeAfter(a, action.span);
          if (shape) hintAt(s.span.end, shape);
        } else if (s.kind === "input") {
          const shape = shapeAfter(a, s.span);
          if (shape) hintAt(s.span.end, shape);
        }
      }
    };
    for (const block of ast.blocks) if (inRange(block.span)) visit(block.body.statements);
  }
  return hints;
}

function shapeAfter(a: Analysis, span: Span): string | undefined {
  for (const model of a.compilation.models) {
    const facts = stepFacts(model.checked, span);
    if (facts?.output) return formatShape(facts.output);
  }
  return undefined;
}
