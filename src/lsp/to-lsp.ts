// Diagnostics as LSP sends them: the same code, message, range, notes and help as
// `vitc check --format json` (render-json.ts makes both), secondary labels and notes with a place
// as relatedInformation, help lines at the primary span, a link to the code's page in docs/errors,
// and the JSON form itself in `data` (code actions read the suggestions' edits from there).

import * as path from "node:path";
import { pathToFileURL } from "node:url";
import type { Diagnostic as LspDiagnostic, DiagnosticRelatedInformation, Range } from "vscode-languageserver";
import type { Diagnostic } from "../diagnostics/diagnostic";
import { toJson, toRange, type JsonDiagnostic } from "../diagnostics/render-json";
import type { Span } from "../source/span";
import type { Analysis } from "./workspace";

/** docs/errors of the package: beside dist/ (or src/) in a clone and in an installed package. */
const docsDir = path.resolve(__dirname, "..", "..", "docs", "errors");

/** What `data` of each diagnostic holds. */
export interface DiagnosticData {
  readonly notes: readonly string[];
  readonly help: readonly string[];
  readonly suggestions: ReadonlyArray<{
    readonly message: string;
    readonly applicability: string;
    readonly edits: ReadonlyArray<{ readonly uri: string; readonly range: Range; readonly newText: string }>;
  }>;
}

export function docsUrl(code: string): string {
  return pathToFileURL(path.join(docsDir, `${code}.md`)).href;
}

export function rangeOf(a: Analysis, span: Span): Range {
  return toRange(a.compilation.files, span);
}

/** The diagnostics of a document's analysis that lie in the document itself. */
export function documentDiagnostics(a: Analysis): LspDiagnostic[] {
  return a.compilation.diagnostics.filter((d) => d.primary.span.file === a.file).map((d) => toLspDiagnostic(a, d));
}

/**
 * The diagnostics a document's analysis found in the user modules it uses, by module URI (as
 * `vitc check` of the document reports them there).
 */
export function moduleDiagnostics(a: Analysis): Map<string, LspDiagnostic[]> {
  const found = new Map<string, LspDiagnostic[]>();
  for (const d of a.compilation.diagnostics) {
    const file = d.primary.span.file;
    if (file === a.file || a.compilation.program.stdFiles.has(file)) continue;
    const uri = a.uriOf(file);
    if (uri) found.set(uri, [...(found.get(uri) ?? []), toLspDiagnostic(a, d)]);
  }
  return found;
}

export function toLspDiagnostic(a: Analysis, d: Diagnostic): LspDiagnostic {
  const json: JsonDiagnostic = toJson(a.compilation.files, d);
  const related: DiagnosticRelatedInformation[] = [];
  const place = (span: Span) => {
    const uri = a.uriOf(span.file);
    return uri ? { uri, range: rangeOf(a, span) } : undefined;
  };
  for (const label of d.labels) {
    const location = place(label.span);
    if (location) related.push({ location, message: label.text });
  }
  d.notes.forEach((note, i) => {
    const location = note.span ? place(note.span) : undefined;
    if (location) related.push({ location, message: `note: ${json.notes[i]}` });
  });
  const primary = place(d.primary.span);
  if (primary) {
    for (const h of json.help) related.push({ location: primary, message: `help: ${h}` });
  }
  return {
    range: json.range,
    severity: d.severity === "error" ? 1 : 2,
    code: d.code,
    codeDescription: { href: docsUrl(d.code) },
    source: "vitc",
    message: json.message,
    ...(related.length > 0 ? { relatedInformation: related } : {}),
    data: {
      notes: json.notes,
      help: json.help,
      suggestions: d.suggestions.map((s) => ({
        message: s.message,
        applicability: s.applicability,
        edits: s.edits.flatMap((e) => {
          const uri = a.uriOf(e.span.file);
          return uri ? [{ uri, range: rangeOf(a, e.span), newText: e.newText }] : [];
        }),
      })),
    } satisfies DiagnosticData,
  };
}
