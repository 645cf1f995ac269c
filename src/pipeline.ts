// compile(): parse → elaborate → checkShapes, for every model of one file.

import { type Diagnostic, sortDiagnostics } from "./diagnostics/diagnostic";
import { makeDiagnostic } from "./diagnostics/diagnostic";
import { Expander } from "./elaborate/expand";
import { WorkBudget } from "./elaborate/limits";
import { importChainNotes, isUserFile, loadProgram, type Program } from "./elaborate/program";
import type { Host } from "./source/host";
import { checkShapes, type CheckedGraph } from "./shapes/check";
import type { FileTable } from "./source/file-table";
import type { Span } from "./source/span";
import type { ModelDecl } from "./syntax/ast";

export interface CompiledModel {
  readonly name: string;
  readonly checked: CheckedGraph;
}

export interface Compilation {
  readonly files: FileTable;
  readonly program: Program;
  readonly models: readonly CompiledModel[];
  readonly diagnostics: readonly Diagnostic[];
  /** Work units (elaborate/limits.ts) the models' expansion took, out of `limits.maxWork`. */
  readonly work: number;
}

/** Compiles source text (already read by the caller) and every model in it. */
export function compileSource(path: string, text: string, host: Host, options: { only?: string } = {}): Compilation {
  const { program, diagnostics } = loadProgram(path, text, host);
  const all: Diagnostic[] = [...diagnostics];
  const models: CompiledModel[] = [];
  // One budget for all models: a file of many models must stop as quickly as one.
  const work = new WorkBudget();
  const names = new Expander(program);
  names.checkLayerNames();
  all.push(...names.diagnostics);
  const declared = program.asts.get(program.entry.id)?.models ?? [];
  /** The models whose expansion found each diagnostic (to say which, when a file has several). */
  const foundIn = new Map<Diagnostic, ModelDecl>();
  for (const model of declared) {
    if (options.only !== undefined && model.name.text !== options.only) continue;
    if (model.name.text === "") continue;
    // After the budget ran out (V2012 at the model that spent it), the rest are not expanded.
    if (work.exhausted) break;
    const expander = new Expander(program, work);
    let graph;
    try {
      graph = expander.expandModel(model);
    } catch (err) {
      all.push(internalError(err, model.span));
      continue;
    }
    const checked = checkShapes(graph, (file) => isUserFile(program, file));
    for (const d of [...expander.diagnostics, ...checked.diagnostics]) {
      foundIn.set(d, model);
      all.push(d);
    }
    models.push({ name: model.name.text, checked: checked.value });
  }
  const kept = quietAfterSyntaxErrors(all, program);
  const reported = dedupe(sortDiagnostics(kept), declared.length > 1 ? foundIn : new Map()).map((d) => withImportChain(d, program));
  return { files: program.files, program, models, diagnostics: reported, work: work.spent };
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
    return start < (tooMany.get(file) ?? Infinity) && !broken.some((span) => within(d.primary.span, span));
  });
}

function within(inner: Span, outer: Span): boolean {
  return inner.file === outer.file && inner.start >= outer.start && inner.end <= outer.end;
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
    if (errors.some((e) => within(e, header))) broken.push(block.span);
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
    const holding = within(error, last);
    if (holding) broken.push(last);
    const before = holding ? units[lo - 2] : last;
    if (before && before.end <= error.start && (error.start >= end || lines.position(before.end).line === lines.position(error.start).line)) broken.push(before);
  }
  return broken;
}

/** A diagnostic in a user's module file says how that file is reached from the entry. */
function withImportChain(d: Diagnostic, program: Program): Diagnostic {
  const file = d.primary.span.file;
  if (file === program.entry.id || !isUserFile(program, file)) return d;
  return { ...d, notes: [...d.notes, ...importChainNotes(program, file)] };
}

/**
 * The same error reached through two models of one file is reported once. In a file of several
 * models, an error that lands outside the model lines (in a block the models share) says which
 * model or models it was found in.
 */
function dedupe(diagnostics: Diagnostic[], foundIn: ReadonlyMap<Diagnostic, ModelDecl>): Diagnostic[] {
  const groups = new Map<string, { first: Diagnostic; models: ModelDecl[] }>();
  for (const d of diagnostics) {
    const key = `${d.code}:${d.primary.span.file}:${d.primary.span.start}:${d.primary.span.end}:${d.message}`;
    const group = groups.get(key) ?? { first: d, models: [] };
    const model = foundIn.get(d);
    if (model && !group.models.includes(model)) group.models.push(model);
    groups.set(key, group);
  }
  return [...groups.values()].map(({ first, models }) => {
    if (models.length === 0 || models.some((m) => within(first.primary.span, m.span))) return first;
    const names = models.map((m) => `\`${m.name.text}\``).join(", ");
    const note = models.length === 1 ? { text: `in model ${names}`, span: models[0].name.span } : { text: `in models ${names}` };
    return { ...first, notes: [...first.notes, note] };
  });
}

function internalError(err: unknown, span: Diagnostic["primary"]["span"]): Diagnostic {
  const message = err instanceof Error ? err.message : String(err);
  const stackOverflow = err instanceof RangeError && /call stack/i.test(message);
  return makeDiagnostic(stackOverflow ? "V2012" : "V9001", stackOverflow ? "the model is too deeply nested to expand" : `internal compiler error: ${message}`, span, {
    notes: stackOverflow ? [] : [{ text: "this is a bug in vitc; please report it with this spec" }],
  });
}
