// Expected diagnostics written as comments under the line they belong to (STYLE.md §9):
//
//   model m = vit(img_size: 32, patch_size: 8, embed_dim: 70, depth: 1, num_heads: 4)
//   #                                                     ^^ error[V3102]: `embed_dim` 70 is not divisible by `num_heads` 4
//
// The carets' columns are the primary range's start column and length on the nearest preceding
// line that is not an annotation, so several annotations may follow one line. The text after
// `error[CODE]: ` is the message, compared exactly. Rules for ranges carets cannot show as is:
//   - a range that continues on later lines is marked from its start to the end of its first line;
//   - an empty range is marked with one caret, as the terminal renderer shows it;
//   - column 0 holds the `#`, so a range starting there cannot be marked: indent the line instead;
//   - the end of the file cannot be marked either (annotations would come after it).
// Columns are UTF-16 units, as the compiler's spans and line index count them.

import type { Diagnostic } from "../../src/diagnostics/diagnostic";
import type { Compilation } from "../../src/pipeline";

/** One diagnostic as an annotation can state it; lines and columns are 0-based. */
export interface Marked {
  readonly line: number;
  readonly column: number;
  readonly length: number;
  readonly severity: string;
  readonly code: string;
  readonly message: string;
}

const annotationLike = /^#\s*\^/;
const annotation = /^#( *)(\^+) (error|warning)\[([A-Z0-9]+)\]: (.*)$/;

export function isAnnotationLine(line: string): boolean {
  return annotationLike.test(line);
}

/** The annotations of a case file, and what is wrong with any of them. */
export function parseAnnotations(text: string): { expected: Marked[]; problems: string[] } {
  const lines = text.split(/\r?\n/);
  const expected: Marked[] = [];
  const problems: string[] = [];
  let target = -1;
  lines.forEach((line, i) => {
    if (!isAnnotationLine(line)) {
      target = i;
      return;
    }
    const m = annotation.exec(line);
    if (!m) {
      problems.push(`line ${i + 1}: malformed annotation (expected \`#   ^^^ error[CODE]: message\`): ${line}`);
      return;
    }
    if (target < 0) {
      problems.push(`line ${i + 1}: annotation with no source line above it`);
      return;
    }
    const column = 1 + m[1].length;
    const length = m[2].length;
    const width = lines[target].length;
    if (column > width || column + length > Math.max(width, column + 1)) {
      problems.push(`line ${i + 1}: carets at columns ${column + 1}-${column + length} run past line ${target + 1} (${width} columns)`);
    }
    expected.push({ line: target, column, length, severity: m[3], code: m[4], message: m[5] });
  });
  return { expected, problems };
}

/**
 * The compiler's diagnostics for the entry file, marked the way annotations mark them. A
 * diagnostic that annotations cannot express (in another file, in column 0, at the end of the
 * file) is returned as a problem instead.
 */
export function markDiagnostics(compilation: Compilation): { actual: Marked[]; problems: string[] } {
  const { files } = compilation;
  const entry = compilation.program.entry;
  const index = files.lineIndex(entry.id);
  const actual: Marked[] = [];
  const problems: string[] = [];
  for (const d of compilation.diagnostics) {
    const { span } = d.primary;
    if (span.file !== entry.id) {
      const pos = files.lineIndex(span.file).position(span.start);
      problems.push(`diagnostic outside the case file, at ${files.get(span.file).path}:${pos.line + 1}:${pos.character + 1}: ${headline(d)}`);
      continue;
    }
    const start = index.position(span.start);
    const end = index.position(span.end);
    const lineText = index.lineText(start.line);
    const length = end.line === start.line ? Math.max(1, end.character - start.character) : Math.max(1, lineText.length - start.character);
    const marked = { line: start.line, column: start.character, length, severity: d.severity, code: d.code, message: d.message };
    if (span.start >= entry.text.length && entry.text.length > 0) {
      problems.push(`diagnostic at the end of the file, which no annotation can mark: ${headline(d)}`);
    } else if (start.character === 0) {
      problems.push(`${start.line + 1}:1: diagnostic in column 1, under the \`#\` of an annotation: indent the line (${headline(d)})`);
    } else actual.push(marked);
  }
  return { actual, problems };
}

/** Every expected diagnostic not produced and every produced one not expected, with line:col. */
export function compareMarked(expected: readonly Marked[], actual: readonly Marked[]): string[] {
  const remaining = [...actual];
  const missing: Marked[] = [];
  for (const e of expected) {
    const i = remaining.findIndex((a) => key(a) === key(e));
    if (i >= 0) remaining.splice(i, 1);
    else missing.push(e);
  }
  return [
    ...missing.map((m) => `expected but not reported: ${where(m)} ${m.severity}[${m.code}]: ${m.message}`),
    ...remaining.map((a) => `reported but not annotated: ${where(a)} ${a.severity}[${a.code}]: ${a.message}\n    annotation: ${formatAnnotation(a)}`),
  ];
}

/** The annotation line that states a diagnostic. */
export function formatAnnotation(m: Marked): string {
  return `#${" ".repeat(Math.max(0, m.column - 1))}${"^".repeat(m.length)} ${m.severity}[${m.code}]: ${m.message}`;
}

function key(m: Marked): string {
  return `${m.line}:${m.column}:${m.length}:${m.severity}:${m.code}:${m.message}`;
}

/** 1-based `line:col` and the caret count. */
function where(m: Marked): string {
  return `${m.line + 1}:${m.column + 1} (${m.length} ${m.length === 1 ? "caret" : "carets"})`;
}

function headline(d: Diagnostic): string {
  return `${d.severity}[${d.code}]: ${d.message}`;
}
