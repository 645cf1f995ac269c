// The one place that decides what is a follow-on: a diagnostic that repeats, or merely follows
// from, one already reported. The compiler's stages report what they find; the pipeline hands
// everything to `suppressFollowOns`, so the command line, the API and the language server report
// the same. The rules, in order:
//   1. syntax: past too many syntax errors (V1005) nothing else in that file; inside a model or a
//      statement that recovery guessed at, only the syntax error;
//   2. broken modules: in a file whose `use` failed (or that uses a module with errors), a block
//      or family name that resolves to nothing (cause `unknown-name`) may be in the module meant;
//   3. duplicates: the same diagnostic at the same place once, saying which models of a file of
//      several it was found in.
// What elaboration decides as it goes is not a finding but what it does not expand: a value or
// shape after an error is `unknown` and raises nothing; a call with a wrong argument is not
// expanded; a failed `require` abandons its block.

import { sortDiagnostics, type Diagnostic } from "../diagnostics/diagnostic";
import { spanWithin, type Span } from "../source/span";
import type { ModelDecl } from "../syntax/ast";
import type { Program } from "./program";

export interface Findings {
  readonly program: Program;
  /** For each diagnostic found while expanding a model, that model (files of several models only). */
  readonly foundIn: ReadonlyMap<Diagnostic, ModelDecl>;
  /** Per model, the calls to unresolved layers its expansion reached (files of several models only). */
  readonly reached: ReadonlyMap<ModelDecl, readonly Span[]>;
}

/** What is reported of `diagnostics`: follow-ons removed, sorted by file and position. */
export function suppressFollowOns(diagnostics: readonly Diagnostic[], findings: Findings): Diagnostic[] {
  const { program } = findings;
  const afterSyntax = quietAfterSyntaxErrors([...diagnostics], program);
  const afterModules = afterSyntax.filter((d) => !(d.cause === "unknown-name" && program.brokenUses.has(d.primary.span.file)));
  return dedupe(sortDiagnostics(afterModules), findings.foundIn, findings.reached);
}

/**
 * A model line or a block statement with a syntax error was recovered by guessing; what
 * elaboration then finds in it (an unknown name from `img_size = 32`, a missing argument after
 * a missing comma) is the same mistake again. Only the syntax error is reported there; the
 * block's other statements are still checked. Past too many syntax errors (V1005), where
 * errors were no longer shown, nothing else is reported either. Works per file (the entry and
 * its modules), in O(log units) per syntax error.
 */
function quietAfterSyntaxErrors(diagnostics: Diagnostic[], program: Program): Diagnostic[] {
  const syntax = new Map<number, Span[]>();
  const tooMany = new Map<number, number>();
  for (const d of diagnostics) {
    if (!d.code.startsWith("V1")) continue;
    const spans = syntax.get(d.primary.span.file) ?? [];
    spans.push(d.primary.span);
    syntax.set(d.primary.span.file, spans);
    if (d.code === "V1005") tooMany.set(d.primary.span.file, d.primary.span.start);
  }
  if (syntax.size === 0) return diagnostics;
  const broken = [...syntax].flatMap(([file, errors]) => unitsBrokenBy(errors, file, program));
  return diagnostics.filter((d) => {
    if (d.code.startsWith("V1")) return true;
    const { file, start } = d.primary.span;
    return start < (tooMany.get(file) ?? Infinity) && !broken.some((span) => spanWithin(d.primary.span, span));
  });
}

/**
 * For each syntax error, the unit (a model or a block's statement) holding it and, as recovery
 * may have cut a unit short there, the one that ends before it on the same line
 * (`conv2d(out: out kernel: 3)` stops at the second `out`). At the end of the file (a bracket
 * never closed), the unit cut short is the last one.
 */
function unitsBrokenBy(errors: readonly Span[], file: number, program: Program): Span[] {
  const ast = program.asts.get(file);
  const units = [...(ast?.models ?? []).map((m) => m.span), ...(ast?.blocks ?? []).flatMap((b) => b.body.statements.map((st) => st.span))]
    .sort((a, b) => a.start - b.start);
  const lines = program.files.lineIndex(file);
  const text = program.files.get(file).text;
  const end = text.trimEnd().length;
  const broken: Span[] = [];
  // A block whose header holds an error may have lost parameters that its body reads.
  for (const block of ast?.blocks ?? []) {
    const header = { file, start: block.span.start, end: block.body.span.start };
    if (errors.some((e) => spanWithin(e, header))) broken.push(block.span);
  }
  for (const error of errors) {
    // The last unit starting at or before the error; units do not overlap.
    let lo = 0;
    let hi = units.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (units[mid].start <= error.start) lo = mid + 1;
      else hi = mid;
    }
    const last = units[lo - 1];
    if (!last) continue;
    const holding = spanWithin(error, last);
    if (holding) broken.push(last);
    const before = holding ? units[lo - 2] : last;
    if (before && before.end <= error.start && (error.start >= end || lines.position(before.end).line === lines.position(error.start).line)) broken.push(before);
  }
  return broken;
}

/**
 * The same error reached through two models of one file is reported once. In a file of several
 * models, an error that lands outside the model lines (in a block the models share) says which
 * model or models it was found in.
 */
function dedupe(diagnostics: Diagnostic[], foundIn: ReadonlyMap<Diagnostic, ModelDecl>, reached: ReadonlyMap<ModelDecl, readonly Span[]>): Diagnostic[] {
  const groups = new Map<string, { first: Diagnostic; models: ModelDecl[] }>();
  const spanKey = (span: Span) => `${span.file}:${span.start}:${span.end}`;
  const reachedBy = new Map<string, ModelDecl[]>();
  for (const [model, spans] of reached) for (const span of spans) reachedBy.set(spanKey(span), [...(reachedBy.get(spanKey(span)) ?? []), model]);
  for (const d of diagnostics) {
    const key = `${d.code}:${spanKey(d.primary.span)}:${d.message}`;
    const group = groups.get(key) ?? { first: d, models: [] };
    // An unknown layer name is reported by name resolution; the models whose expansion reached it are where it was found.
    const models = d.cause === "unknown-name" && !foundIn.has(d) ? reachedBy.get(spanKey(d.primary.span)) ?? [] : [foundIn.get(d)].filter((m): m is ModelDecl => m !== undefined);
    for (const model of models) if (!group.models.includes(model)) group.models.push(model);
    groups.set(key, group);
  }
  return [...groups.values()].map(({ first, models }) => {
    if (models.length === 0 || models.some((m) => spanWithin(first.primary.span, m.span))) return first;
    const names = models.map((m) => `\`${m.name.text}\``).join(", ");
    const note = models.length === 1 ? { text: `in model ${names}`, span: models[0].name.span } : { text: `in models ${names}` };
    return { ...first, notes: [...first.notes, note] };
  });
}

