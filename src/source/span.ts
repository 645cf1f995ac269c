// Source files and spans. A span is a pair of UTF-16 offsets into one file's text; lines and
// columns exist only in renderers (see line-index.ts).

/** Index of a file in the compilation's file table. */
export type FileId = number;

/** UTF-16 offsets into one file's text (what JS strings and LSP count); end exclusive. */
export interface Span {
  readonly file: FileId;
  readonly start: number;
  readonly end: number;
}

export interface SourceFile {
  readonly id: FileId;
  /** The path shown to users: as given on the command line, or `std/vit.vit` for the library. */
  readonly path: string;
  readonly text: string;
}

export function spanOf(file: FileId, start: number, end: number): Span {
  return { file, start, end: Math.max(start, end) };
}

/** The smallest span covering both; both must be in the same file. */
export function joinSpans(a: Span, b: Span): Span {
  return { file: a.file, start: Math.min(a.start, b.start), end: Math.max(a.end, b.end) };
}

/** Whether `inner` lies within `outer` (in the same file). */
export function spanWithin(inner: Span, outer: Span): boolean {
  return inner.file === outer.file && inner.start >= outer.start && inner.end <= outer.end;
}
