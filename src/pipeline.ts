// compile(): parse → elaborate → checkShapes, for every model of one file.

import { type Diagnostic, sortDiagnostics } from "./diagnostics/diagnostic";
import { makeDiagnostic } from "./diagnostics/diagnostic";
import { Expander } from "./elaborate/expand";
import { importChainNotes, isUserFile, loadProgram, type Program } from "./elaborate/program";
import type { Host } from "./source/host";
import { checkShapes, type CheckedGraph } from "./shapes/check";
import type { FileTable } from "./source/file-table";
import type { Span } from "./source/span";

export interface CompiledModel {
  readonly name: string;
  readonly checked: CheckedGraph;
}

export interface Compilation {
  readonly files: FileTable;
  readonly program: Program;
  readonly models: readonly CompiledModel[];
  readonly diagnostics: readonly Diagnostic[];
}

/** Compiles source text (already read by the caller) and every model in it. */
export function compileSource(path: string, text: string, host: Host, options: { only?: string } = {}): Compilation {
  const { program, diagnostics } = loadProgram(path, text, host);
  const all: Diagnostic[] = [...diagnostics];
  const models: CompiledModel[] = [];
  const names = new Expander(program);
  names.checkLayerNames();
  all.push(...names.diagnostics);
  for (const model of program.asts.get(program.entry.id)?.models ?? []) {
    if (options.only !== undefined && model.name.text !== options.only) continue;
    if (model.name.text === "") continue;
    const expander = new Expander(program);
    let graph;
    try {
      graph = expander.expandModel(model);
    } catch (err) {
      all.push(internalError(err, model.span));
      continue;
    }
    all.push(...expander.diagnostics);
    const checked = checkShapes(graph, (file) => isUserFile(program, file));
    all.push(...checked.diagnostics);
    models.push({ name: model.name.text, checked: checked.value });
  }
  const reported = dedupe(sortDiagnostics(quietAfterSyntaxErrors(all, program))).map((d) => withImportChain(d, program));
  return { files: program.files, program, models, diagnostics: reported };
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

/** The same error reached through two models of one file is reported once. */
function dedupe(diagnostics: Diagnostic[]): Diagnostic[] {
  const seen = new Set<string>();
  return diagnostics.filter((d) => {
    const key = `${d.code}:${d.primary.span.file}:${d.primary.span.start}:${d.primary.span.end}:${d.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function internalError(err: unknown, span: Diagnostic["primary"]["span"]): Diagnostic {
  const message = err instanceof Error ? err.message : String(err);
  const stackOverflow = err instanceof RangeError && /call stack/i.test(message);
  return makeDiagnostic(stackOverflow ? "V2012" : "V9001", stackOverflow ? "the model is too deeply nested to expand" : `internal compiler error: ${message}`, span, {
    notes: stackOverflow ? [] : [{ text: "this is a bug in vitc; please report it with this spec" }],
  });
}
