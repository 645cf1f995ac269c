// The JSON form of `vitc check --format json`, fixed by DESIGN.md: LSP's 0-based positions,
// `notes` and `help` holding the rendered lines. Fields may be added, never removed.

import type { FileTable } from "../source/file-table";
import type { Span } from "../source/span";
import type { Diagnostic } from "./diagnostic";
import { helpLines, renderNote } from "./render-terminal";

export interface JsonRange {
  start: { line: number; character: number };
  end: { line: number; character: number };
}

export interface JsonDiagnostic {
  file: string;
  severity: "error" | "warning";
  code: string;
  message: string;
  range: JsonRange;
  notes: string[];
  help: string[];
  labels: Array<{ file: string; range: JsonRange; text: string }>;
  suggestions: Array<{ message: string; applicability: string; edits: Array<{ file: string; range: JsonRange; newText: string }> }>;
}

export function toRange(files: FileTable, span: Span): JsonRange {
  const index = files.lineIndex(span.file);
  return { start: index.position(span.start), end: index.position(span.end) };
}

export function toJson(files: FileTable, d: Diagnostic): JsonDiagnostic {
  return {
    file: files.get(d.primary.span.file).path,
    severity: d.severity,
    code: d.code,
    message: d.message,
    range: toRange(files, d.primary.span),
    notes: d.notes.map((n) => renderNote(files, n)),
    help: helpLines(d),
    labels: d.labels.map((l) => ({ file: files.get(l.span.file).path, range: toRange(files, l.span), text: l.text })),
    suggestions: d.suggestions.map((s) => ({
      message: s.message,
      applicability: s.applicability,
      edits: s.edits.map((e) => ({ file: files.get(e.span.file).path, range: toRange(files, e.span), newText: e.newText })),
    })),
  };
}
