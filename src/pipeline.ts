// compile(): parse and load modules → resolve names → expand each model → checkShapes, then
// the one follow-on policy (elaborate/follow-ons.ts) over everything found.

import { makeDiagnostic, type Diagnostic } from "./diagnostics/diagnostic";
import { suppressFollowOns } from "./elaborate/follow-ons";
import { resolveNames, type NameIndex } from "./elaborate/resolve";
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
  /** What every name of every file refers to (name resolution, elaborate/resolve.ts). */
  readonly names: NameIndex;
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
  const names = resolveNames(program);
  all.push(...names.diagnostics);
  const declared = program.asts.get(program.entry.id)?.models ?? [];
  /** The models whose expansion found each diagnostic (to say which, when a file has several). */
  const foundIn = new Map<Diagnostic, ModelDecl>();
  /** The unresolved layer calls each model's expansion reached (reported by name resolution). */
  const reached = new Map<ModelDecl, readonly Span[]>();
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
    reached.set(model, expander.unresolvedLayers);
    models.push({ name: model.name.text, checked: checked.value });
  }
  const several = declared.length > 1;
  const reported = suppressFollowOns(all, { program, foundIn: several ? foundIn : new Map(), reached: several ? reached : new Map() })
    .map((d) => withImportChain(d, program));
  return { files: program.files, program, names: names.value, models, diagnostics: reported, work: work.spent };
}

/** A diagnostic in a user's module file says how that file is reached from the entry. */
function withImportChain(d: Diagnostic, program: Program): Diagnostic {
  const file = d.primary.span.file;
  if (file === program.entry.id || !isUserFile(program, file)) return d;
  return { ...d, notes: [...d.notes, ...importChainNotes(program, file)] };
}

function internalError(err: unknown, span: Diagnostic["primary"]["span"]): Diagnostic {
  const message = err instanceof Error ? err.message : String(err);
  const stackOverflow = err instanceof RangeError && /call stack/i.test(message);
  return makeDiagnostic(stackOverflow ? "V2012" : "V9001", stackOverflow ? "the model is too deeply nested to expand" : `internal compiler error: ${message}`, span, {
    notes: stackOverflow ? [] : [{ text: "this is a bug in vitc; please report it with this spec" }],
  });
}
