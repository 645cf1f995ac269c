// Renders diagnostics like rustc: `path:line:col: error[CODE]: message`, the source lines with
// carets under the primary span and dashes under secondary labels, then `= note:` and `= help:`.
// Every text from a spec or a path goes through visibleText: no control character reaches the
// terminal raw, and columns count the escapes that replace them, so carets stay aligned.

import type { FileTable } from "../source/file-table";
import type { Span } from "../source/span";
import type { Diagnostic, Label, Note } from "./diagnostic";
import { visibleChar, visibleText } from "./visible-text";

export interface TerminalOptions {
  readonly color?: boolean;
}

const ansi = { red: "\x1b[1;31m", yellow: "\x1b[1;33m", blue: "\x1b[1;34m", bold: "\x1b[1m", reset: "\x1b[0m" };

/** `path:line:col` with 1-based line and column. */
export function formatLocation(files: FileTable, span: Span): string {
  const pos = files.lineIndex(span.file).position(span.start);
  return `${files.get(span.file).path}:${pos.line + 1}:${pos.character + 1}`;
}

export function renderNote(files: FileTable, note: Note): string {
  return note.span ? `${note.text} (${formatLocation(files, note.span)})` : note.text;
}

/** All `help:` lines: plain help and the messages of suggestions. */
export function helpLines(diagnostic: Diagnostic): string[] {
  return [...diagnostic.help, ...diagnostic.suggestions.map((s) => s.message)];
}

export function renderTerminal(files: FileTable, diagnostic: Diagnostic, options: TerminalOptions = {}): string {
  const paint = (style: keyof typeof ansi, text: string) => (options.color ? `${ansi[style]}${text}${ansi.reset}` : text);
  const severity = diagnostic.severity === "error" ? paint("red", `error[${diagnostic.code}]`) : paint("yellow", `warning[${diagnostic.code}]`);
  const out = [`${visibleText(formatLocation(files, diagnostic.primary.span))}: ${severity}: ${paint("bold", visibleText(diagnostic.message))}`];

  const primaryFile = diagnostic.primary.span.file;
  const labels: Array<Label & { primary: boolean }> = [
    { ...diagnostic.primary, primary: true },
    ...diagnostic.labels.filter((l) => l.span.file === primaryFile).map((l) => ({ ...l, primary: false })),
  ];
  const index = files.lineIndex(primaryFile);
  const lines = [...new Set(labels.map((l) => index.position(l.span.start).line))].sort((a, b) => a - b);
  const gutter = String(lines[lines.length - 1] + 1).length;
  const pad = " ".repeat(gutter);
  out.push(`${pad} ${paint("blue", "|")}`);
  for (const line of lines) {
    const onLine = labels.filter((l) => index.position(l.span.start).line === line);
    const { text, shift } = clip(index.lineText(line), onLine.map((l) => index.position(l.span.start).character));
    out.push(`${paint("blue", String(line + 1).padStart(gutter) + " |")} ${visibleText(text, { tab })}`);
    out.push(...underlines(onLine, index, text, line, shift).map((u) => `${pad} ${paint("blue", "|")} ${u}`));
  }
  // Labels in other files (a standard-library default, say) become notes with their location.
  for (const label of diagnostic.labels.filter((l) => l.span.file !== primaryFile)) {
    out.push(`${pad} = note: ${visibleText(renderNote(files, { text: label.text, span: label.span }))}`);
  }
  for (const note of diagnostic.notes) out.push(`${pad} = note: ${visibleText(renderNote(files, note))}`);
  for (const help of helpLines(diagnostic)) out.push(`${pad} = ${paint("bold", "help")}: ${visibleText(help)}`);
  return out.join("\n");
}

/** Tabs are shown as this many spaces, the carets under them moved to match. */
const tab = "    ";

/**
 * The column at which the `character`th character of `text` is shown: tabs expanded, control
 * characters as their escapes (`\u{1b}` is six columns).
 */
function displayColumn(text: string, character: number): number {
  let column = character;
  for (let i = 0; i < character && i < text.length; i++) column += visibleChar(text[i], { tab }).length - 1;
  return column;
}

/** Lines longer than this show only the part around their labels. */
const maxLineWidth = 160;
const context = 60;

/**
 * The part of a long line (a minified spec, a 100 KB line) worth printing: from some context
 * before the first label to some after the last, with `…` where text was cut. `shift` is how
 * many columns the shown text starts to the right of the line's start.
 */
function clip(line: string, starts: readonly number[]): { text: string; shift: number } {
  if (line.length <= maxLineWidth) return { text: line, shift: 0 };
  const from = Math.max(0, Math.min(...starts) - context);
  const to = Math.min(line.length, Math.max(Math.max(...starts) + context, from + maxLineWidth));
  const head = from > 0 ? "…" : "";
  return { text: `${head}${line.slice(from, to)}${to < line.length ? "…" : ""}`, shift: from - head.length };
}

/** One row of markers per line; a label's text goes after its markers when it fits. */
function underlines(
  labels: Array<Label & { primary: boolean }>,
  index: { position(offset: number): { line: number; character: number } },
  text: string,
  line: number,
  shift: number,
): string[] {
  const column = (offset: number) => displayColumn(text, index.position(offset).character - shift);
  const lineEnd = displayColumn(text, text.length);
  const sorted = [...labels].sort((a, b) => column(a.span.start) - column(b.span.start));
  const row: string[] = [];
  for (const label of sorted) {
    const start = column(label.span.start);
    const endPos = index.position(label.span.end);
    const end = Math.min(endPos.line === line ? displayColumn(text, endPos.character - shift) : lineEnd, lineEnd);
    const width = Math.max(1, end - start);
    while (row.length < start) row.push(" ");
    for (let i = 0; i < width; i++) row[start + i] = label.primary ? "^" : "-";
  }
  const markers = row.join("");
  // Only the rightmost label's text can follow the markers without seeming to belong to
  // another; every other text goes on a row of its own, under its label's start.
  const last = sorted[sorted.length - 1];
  const rows = [`${markers}${last.text ? ` ${visibleText(last.text)}` : ""}`];
  for (const label of sorted.slice(0, -1).filter((l) => l.text)) {
    const start = column(label.span.start);
    rows.push(`${" ".repeat(start)}${label.primary ? "^" : "-"} ${visibleText(label.text)}`);
  }
  return rows;
}
