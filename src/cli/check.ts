// `vitc check` and `vitc summary`, and compiling the one spec of `summary`, `run` and `bench`.

import { hasErrors } from "../diagnostics/diagnostic";
import { toJson, type JsonDiagnostic } from "../diagnostics/render-json";
import { renderTerminal } from "../diagnostics/render-terminal";
import { visibleText } from "../diagnostics/visible-text";
import { compileSource, type Compilation, type CompiledModel } from "../pipeline";
import { renderSummaryTable, summarize, summaryJsonText } from "../reports/summary";
import { diskHost, readTextFile, type Host } from "../source/host";
import { renderToolError, ToolError, unreadableSpec } from "../diagnostics/tool-error";
import { isUserFile } from "../elaborate/program";
import { checkOutputPath, type InputFile } from "../source/write-file";
import { choiceFlag, flagValue, flagValues, hasFlag, UsageError, type ParsedArgs } from "./args";
import type { Io } from "./io";

interface FileResult {
  readonly path: string;
  readonly compilation?: Compilation;
  readonly unreadable?: string;
}

function compileFile(path: string, host: Host, only?: string): FileResult {
  const read = readTextFile(path);
  return read.ok ? { path, compilation: compileSource(path, read.text, host, { only }) } : { path, unreadable: read.reason };
}

function unreadableJson(path: string, reason: string): JsonDiagnostic {
  const zero = { line: 0, character: 0 };
  const { message } = unreadableSpec(path, reason);
  return { file: path, severity: "error", code: "V1000", message, range: { start: zero, end: zero }, notes: [], help: [], labels: [], suggestions: [] };
}

/**
 * Compiles and reports one file at a time: a check of many specs holds one set of model graphs
 * at a time, not all of them.
 */
export function checkCommand(args: ParsedArgs, io: Io): number {
  const format = choiceFlag(args, "format", ["human", "json"] as const, "human");
  const host = diskHost();
  if (format === "json") {
    const all: JsonDiagnostic[] = [];
    let failed = false;
    for (const file of args.operands) {
      const r = compileFile(file, host);
      if (r.unreadable !== undefined) {
        all.push(unreadableJson(r.path, r.unreadable));
        failed = true;
        continue;
      }
      const c = r.compilation as Compilation;
      all.push(...c.diagnostics.map((d) => toJson(c.files, d)));
      failed ||= hasErrors(c.diagnostics);
    }
    io.out(JSON.stringify(all, null, 2));
    return failed ? 1 : 0;
  }
  let errors = 0;
  let warnings = 0;
  for (const file of args.operands) {
    const r = compileFile(file, host);
    if (r.unreadable !== undefined) {
      io.out(`${renderToolError(unreadableSpec(r.path, r.unreadable))}\n`);
      errors++;
      continue;
    }
    const c = r.compilation as Compilation;
    for (const d of c.diagnostics) {
      io.out(`${renderTerminal(c.files, d, { color: io.color })}\n\n`);
      if (d.severity === "error") errors++;
      else warnings++;
    }
  }
  const count = args.operands.length;
  const files = `${count} file${count === 1 ? "" : "s"}`;
  if (errors + warnings === 0) io.err(`checked ${files}: no errors`);
  else io.err(`checked ${files}: ${errors} error${errors === 1 ? "" : "s"}${warnings ? `, ${warnings} warning${warnings === 1 ? "" : "s"}` : ""}`);
  return errors > 0 ? 1 : 0;
}

export function summaryCommand(args: ParsedArgs, io: Io): number {
  const compiled = compileSpec(args, io);
  if (typeof compiled === "number") return compiled;
  const summaries = compiled.models.map(summarize);
  if (hasFlag(args, "json")) io.out(summaryJsonText(summaries));
  else io.out(summaries.map(renderSummaryTable).join("\n\n"));
  return 0;
}

export interface CompiledSpec {
  readonly path: string;
  readonly compilation: Compilation;
  /** The `--model` one, or all of the file's. */
  readonly models: readonly CompiledModel[];
}

/** The files a command reads (the spec, its modules, and those of `flags`), for refusing an output over one. */
export function commandInputs(args: ParsedArgs, spec: CompiledSpec, flags: readonly string[]): InputFile[] {
  const { program } = spec.compilation;
  const specs = program.files.all().filter((f) => isUserFile(program, f.id)).map((f) => ({ path: f.path, role: f.id === program.entry.id ? "the spec" : "a module the spec uses" }));
  const named = flags.flatMap((flag) => flagValues(args, flag).map((path) => ({ path, role: `the \`--${flag}\` file` })));
  return [...specs, ...named];
}

/** A V4005 unless `file` may be written: not one of `inputs`, not a link, a device or a folder. */
export function refuseOutput(file: string, inputs: readonly InputFile[], help: string): void {
  const why = checkOutputPath(file, inputs);
  if (why !== undefined) throw new ToolError("V4005", `cannot write \`${file}\`: ${why}`, { file, help: [help] });
}

/**
 * Compiles the one file of `summary`, `run` or `bench`: its models (only the `--model` one if
 * given), or the exit code after printing why there are none.
 */
export function compileSpec(args: ParsedArgs, io: Io): CompiledSpec | number {
  const only = flagValue(args, "model");
  const result = compileFile(args.operands[0], diskHost(), only);
  if (result.unreadable !== undefined) {
    io.err(renderToolError(unreadableSpec(result.path, result.unreadable)));
    return 1;
  }
  const c = result.compilation as Compilation;
  if (hasErrors(c.diagnostics)) {
    for (const d of c.diagnostics) io.err(`${renderTerminal(c.files, d, { color: io.color })}\n`);
    return 1;
  }
  if (c.models.length === 0) {
    const declared = declaredModels(c);
    const has = declared.length > 0 ? `; it declares ${listNames(declared)}` : "";
    io.err(visibleText(only !== undefined ? `vitc ${args.command.name}: no model \`${only}\` in ${result.path}${has}` : `vitc ${args.command.name}: ${result.path} declares no model`));
    return 1;
  }
  return { path: result.path, compilation: c, models: c.models };
}

/**
 * The one model `run` and `bench` use: `--model`, or the file's only model. A file with several
 * models and no `--model` is a usage error that lists them: taking the first silently ran the
 * headless `vit_base_r50_s16_224` where its `_in1k` twin was meant.
 */
export function compileOneModel(args: ParsedArgs, io: Io): { spec: CompiledSpec; model: CompiledModel } | number {
  const spec = compileSpec(args, io);
  if (typeof spec === "number") return spec;
  if (spec.models.length > 1) {
    const names = spec.models.map((m) => m.name);
    throw new UsageError(`${spec.path} declares ${names.length} models: choose one with \`--model\``, args.command,
      [`the models are ${listNames(names)}; e.g. \`--model ${names[0]}\``]);
  }
  return { spec, model: spec.models[0] };
}

function declaredModels(c: Compilation): string[] {
  return (c.program.asts.get(c.program.entry.id)?.models ?? []).map((m) => m.name.text).filter((n) => n !== "");
}

function listNames(names: readonly string[]): string {
  return names.map((n) => `\`${n}\``).join(", ");
}
