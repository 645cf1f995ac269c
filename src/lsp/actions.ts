// Code actions: each suggestion of a diagnostic (the compiler's text edits) as a quick fix; the
// machine-applicable ones are marked preferred, so an editor can apply them on its own.

import { CodeActionKind, type CodeAction, type CodeActionParams, type TextEdit } from "vscode-languageserver";
import type { DiagnosticData } from "./to-lsp";

export function codeActions(params: CodeActionParams): CodeAction[] {
  const actions: CodeAction[] = [];
  for (const diagnostic of params.context.diagnostics) {
    const data = diagnostic.data as DiagnosticData | undefined;
    if (diagnostic.source !== "vitc" || !data || !Array.isArray(data.suggestions)) continue;
    for (const s of data.suggestions) {
      const changes: Record<string, TextEdit[]> = {};
      for (const e of s.edits) (changes[e.uri] ??= []).push({ range: e.range, newText: e.newText });
      if (Object.keys(changes).length === 0) continue;
      actions.push({
        title: s.message,
        kind: CodeActionKind.QuickFix,
        diagnostics: [diagnostic],
        isPreferred: s.applicability === "machine-applicable",
        edit: { changes },
      });
    }
  }
  return actions;
}
