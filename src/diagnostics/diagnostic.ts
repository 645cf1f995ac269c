// Diagnostics are data: a code, a message, spans and raw text. They are rendered only at the
// edges (render-terminal.ts, render-json.ts, the language server), and none of those parses text.

import type { Span } from "../source/span";
import type { Code } from "./codes";

export type Severity = "error" | "warning";

export interface Label {
  readonly span: Span;
  readonly text: string;
}

/** A fact; with a span, renderers append where it is (`path:line:col`). */
export interface Note {
  readonly text: string;
  readonly span?: Span;
}

export interface TextEdit {
  readonly span: Span;
  readonly newText: string;
}

export interface Suggestion {
  readonly message: string;
  readonly edits: readonly TextEdit[];
  readonly applicability: "machine-applicable" | "maybe-incorrect";
}

export interface Diagnostic {
  readonly code: Code;
  readonly severity: Severity;
  readonly message: string;
  readonly primary: Label;
  readonly labels: readonly Label[];
  readonly notes: readonly Note[];
  /** Fixes stated as plain text (`help:` lines). */
  readonly help: readonly string[];
  /** Fixes that are text edits; each also renders as a `help:` line. */
  readonly suggestions: readonly Suggestion[];
  /**
   * What kind of finding this is, where the follow-on policy (elaborate/follow-ons.ts) needs to
   * know: `unknown-name` for a block or family name that resolves to nothing. Not rendered.
   */
  readonly cause?: "unknown-name";
}

/** The result of a stage: its value (possibly partial) and what went wrong. */
export interface Staged<T> {
  readonly value: T;
  readonly diagnostics: readonly Diagnostic[];
}

export interface DiagnosticParts {
  readonly label?: string;
  readonly labels?: readonly Label[];
  readonly notes?: readonly Note[];
  readonly help?: readonly string[];
  readonly suggestions?: readonly Suggestion[];
  readonly severity?: Severity;
  readonly cause?: "unknown-name";
}

export function makeDiagnostic(code: Code, message: string, span: Span, parts: DiagnosticParts = {}): Diagnostic {
  return {
    code,
    severity: parts.severity ?? "error",
    message,
    primary: { span, text: parts.label ?? "" },
    labels: parts.labels ?? [],
    notes: parts.notes ?? [],
    help: parts.help ?? [],
    suggestions: parts.suggestions ?? [],
    ...(parts.cause ? { cause: parts.cause } : {}),
  };
}

export function hasErrors(diagnostics: readonly Diagnostic[]): boolean {
  return diagnostics.some((d) => d.severity === "error");
}

/** Sorts by file, then position, keeping the order of equal positions. */
export function sortDiagnostics(diagnostics: readonly Diagnostic[]): Diagnostic[] {
  return [...diagnostics].sort(
    (a, b) => a.primary.span.file - b.primary.span.file || a.primary.span.start - b.primary.span.start,
  );
}
