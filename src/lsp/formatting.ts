// Formatting: the formatter's layout (format/) as one edit over the whole document; nothing for
// a document already in it, or with a syntax error.

import type { TextEdit } from "vscode-languageserver";
import { formatSource } from "../format/format";
import type { Analysis } from "./workspace";

export function formatDocument(a: Analysis): TextEdit[] {
  const formatted = formatSource({ id: a.file, path: a.path, text: a.text });
  if (formatted.diagnostics.length > 0 || formatted.value === a.text) return [];
  return [{ range: { start: { line: 0, character: 0 }, end: a.lines.position(a.text.length) }, newText: formatted.value }];
}
