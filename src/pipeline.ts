// compile(): parse → elaborate → checkShapes, for every model of one file.

import { type Diagnostic, sortDiagnostics } from "./diagnostics/diagnostic";
import { makeDiagnostic } from "./diagnostics/diagnostic";
import { Expander } from "./elaborate/expand";
import { WorkBudget } from "./elaborate/limits";
import { isStdPath, loadProgram, type Program } from "./elaborate/program";
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
  /** Work units (elaborate/limits.ts) the models' expansion took, out of `limits.maxWork`. */
  readonly work: number;
}

/** Compiles source text (already read by the caller) and every model in it. */
export function compileSource(path: string, text: string, host: Host, options: { only?: string } = {}): Compilation {
  const { program, diagnostics } = loadProgram(path, text, host);
  const all: Diagnostic[] = [...diagnostics];
  const models: CompiledModel[] = [];
  const isUserFile = (file: number) => !isStdPath(program.files.get(file).path);
  // One budget for all models: a file of many models must stop as quickly as one.
  const work = new WorkBudget();
  const names = new Expander(program);
  names.checkLayerNames();
  all.push(...names.diagnostics);
  for (const model of program.asts.get(program.entry.id)?.models ?? []) {
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
    all.push(...expander.diagnostics);
    const checked = checkShapes(graph, isUserFile);
    all.push(...checked.diagnostics);
    models.push({ name: model.name.text, checked: checked.value });
  }
  return { files: program.files, program, models, diagnostics: dedupe(sortDiagnostics(quietAfterSyntaxErrors(all, program))), work: work.spent };
}

/**
 * A model line or a block statement with a syntax error was recovered by guessing; what
 * elaboration then finds in it (an unknown name from `img_size = 32`, a missing argument after
 * a missing comma) is the same mistake again. Only the syntax error is reported there; the
 * block's other statements are still checked.
 */
function quietAfterSyntaxErrors(diagnostics: Diagnostic[], program: Program): Diagnostic[] {
  const entry = program.entry.id;
  const syntax = diagnostics.filter((d) => d.code.startsWith("V1") && d.primary.span.file === entry);
  if (syntax.length === 0) return diagnostics;
  const ast = program.asts.get(entry);
  const within = (inner: Span, outer: Span) => inner.file === outer.file && inner.start >= outer.start && inner.end <= outer.end;
  const units = [...(ast?.models ?? []).map((m) => m.span), ...(ast?.blocks ?? []).flatMap((b) => b.body.statements.map((st) => st.span))];
  const lines = program.files.lineIndex(entry);
  const line = (offset: number) => lines.position(offset).line;
  // The unit holding the error and, as recovery may have cut a unit short there, the one that
  // ends before it on the same line (`conv2d(out: out kernel: 3)` stops at the second `out`).
  // At the end of the file (a bracket never closed), the unit cut short is the last one.
  const text = program.files.get(entry).text;
  const brokenBy = (error: Span) => {
    const atEnd = text.slice(error.start).trim() === "";
    return [
      units.find((u) => within(error, u)),
      units.filter((u) => u.end <= error.start && (atEnd || line(u.end) === line(error.start))).at(-1),
    ];
  };
  const broken = syntax.flatMap((d) => brokenBy(d.primary.span)).filter((u): u is Span => u !== undefined);
  return diagnostics.filter((d) => d.code.startsWith("V1") || !broken.some((span) => within(d.primary.span, span)));
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
