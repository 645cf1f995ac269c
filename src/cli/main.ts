// The `vitc` command line. The only code (with lsp/) that touches process, stdout and files.

import { compileSource, type Compilation } from "../pipeline";
import { hasErrors } from "../diagnostics/diagnostic";
import { renderTerminal } from "../diagnostics/render-terminal";
import { toJson, type JsonDiagnostic } from "../diagnostics/render-json";
import { diskHost, readTextFile, type Host } from "../source/host";
import { renderSummaryTable, summarize, summaryJson } from "../reports/summary";
import { isToolError, renderToolError } from "../diagnostics/tool-error";
import type { CompiledModel } from "../pipeline";
import { countOption, parseArgs, UsageError, type ParsedArgs } from "./args";
import type { RunIo } from "./run";

/**
 * `run` and `bench` pull in tfjs, the image decoders and the weight reader; `check`, which
 * must start fast, never loads them.
 */
const loadRunner = () => import("./run");

const usage = `vitc: compile, check and run vision-transformer specs (.vit)

usage:
  vitc check <files…> [--format json]     check specs; exit 1 if any has an error
  vitc summary <file> [--model NAME] [--json]
                                          layers, shapes, parameter and MAC counts
  vitc run <file> [--model NAME] [--weights W.safetensors] [--input IN.safetensors | --image PICTURE]
               [--output OUT.safetensors] [--backend auto|tensorflow|webgpu|wasm|cpu] [--seed N]
                                          one forward pass: output shape, time, top-5 classes
  vitc bench <file> [--model NAME] [--backend …] [--batch N] [--runs N] [--json]
                                          time forward passes after a warm-up
  vitc help                               this text

Not in this build yet: build, lsp.`;

interface Io {
  out(text: string): void;
  err(text: string): void;
  /** Rewrites one status line on a terminal; absent when stderr is not a terminal. */
  progress?(text: string): void;
  color: boolean;
}

const processIo: Io = {
  out: (t) => process.stdout.write(t.endsWith("\n") ? t : `${t}\n`),
  err: (t) => process.stderr.write(t.endsWith("\n") ? t : `${t}\n`),
  progress: process.stderr.isTTY ? (t) => process.stderr.write(`\r\x1b[2K${t}`) : undefined,
  color: process.stdout.isTTY === true && !process.env.NO_COLOR,
};

/**
 * A reader that stops early (`vitc check … | head`) closes the pipe under us; Node then raises
 * EPIPE on the next write. That is the reader's choice, not an error: what is left unwritten is
 * dropped, and the exit code still says whether the specs had errors.
 */
function dropOutputAfterClosedPipe(): void {
  for (const stream of [process.stdout, process.stderr]) {
    if (stream.listenerCount("error") > 0) continue;
    stream.on("error", (err: NodeJS.ErrnoException) => {
      if (err.code !== "EPIPE" && err.code !== "ERR_STREAM_DESTROYED") throw err;
    });
  }
}

export async function main(argv: readonly string[], io: Io = processIo): Promise<number> {
  if (io === processIo) dropOutputAfterClosedPipe();
  try {
    const args = parseArgs(argv);
    if ("error" in args) {
      io.err(`vitc: ${args.error}\n\n${usage}`);
      return 2;
    }
    switch (args.command) {
      case "check": return check(args, io);
      case "summary": return summary(args, io);
      case undefined: case "help": case "--help":
        io.out(usage);
        return args.command === undefined && !args.options.has("help") ? 2 : 0;
      case "run": return await runCommand(args, io);
      case "bench": return await benchCommand(args, io);
      case "build": case "lsp":
        io.err(`vitc: \`${args.command}\` is not available in this build yet`);
        return 2;
      default:
        io.err(`vitc: unknown command \`${args.command}\`\n\n${usage}`);
        return 2;
    }
  } catch (err) {
    if (err instanceof UsageError) {
      io.err(`vitc: ${err.message}\n\n${usage}`);
      return 2;
    }
    if (isToolError(err)) {
      io.err(renderToolError(err));
      return 1;
    }
    // A bug in vitc: say so plainly instead of printing a stack trace.
    io.err(`vitc: internal error: ${err instanceof Error ? err.message : String(err)}\nthis is a bug in vitc; please report it with the spec that caused it`);
    return 70;
  }
}

interface FileResult {
  readonly path: string;
  readonly compilation?: Compilation;
  readonly unreadable?: string;
}

function compileFile(path: string, host: Host, only?: string): FileResult {
  const read = readTextFile(path);
  return read.ok ? { path, compilation: compileSource(path, read.text, host, { only }) } : { path, unreadable: read.reason };
}

/**
 * Compiles each file in turn, handing each result to `use` before the next file is compiled:
 * a check of many specs holds one set of model graphs at a time, not all of them.
 */
function forEachCompiled(paths: readonly string[], use: (result: FileResult) => void): void {
  const host = diskHost();
  for (const path of paths) use(compileFile(path, host));
}

function unreadableJson(path: string, reason: string): JsonDiagnostic {
  const zero = { line: 0, character: 0 };
  return { file: path, severity: "error", code: "V1000", message: `cannot read \`${path}\`: ${reason}`, range: { start: zero, end: zero }, notes: [], help: [], labels: [], suggestions: [] };
}

function check(args: ParsedArgs, io: Io): number {
  if (args.positional.length === 0) {
    io.err("vitc check: no files given\nusage: vitc check <files…> [--format json]");
    return 2;
  }
  const format = args.options.get("format") ?? "human";
  if (format !== "human" && format !== "json") {
    io.err(`vitc check: unknown format \`${String(format)}\` (expected \`json\` or \`human\`)`);
    return 2;
  }
  if (format === "json") {
    const all: JsonDiagnostic[] = [];
    let failed = false;
    forEachCompiled(args.positional, (r) => {
      if (r.unreadable) {
        all.push(unreadableJson(r.path, r.unreadable));
        failed = true;
        return;
      }
      const c = r.compilation as Compilation;
      all.push(...c.diagnostics.map((d) => toJson(c.files, d)));
      failed ||= hasErrors(c.diagnostics);
    });
    io.out(JSON.stringify(all, null, 2));
    return failed ? 1 : 0;
  }
  let errors = 0;
  let warnings = 0;
  forEachCompiled(args.positional, (r) => {
    if (r.unreadable) {
      io.out(`${r.path}: error[V1000]: cannot read \`${r.path}\`: ${r.unreadable}\n`);
      errors++;
      return;
    }
    const c = r.compilation as Compilation;
    for (const d of c.diagnostics) {
      io.out(`${renderTerminal(c.files, d, { color: io.color })}\n\n`);
      if (d.severity === "error") errors++;
      else warnings++;
    }
  });
  const count = args.positional.length;
  const files = `${count} file${count === 1 ? "" : "s"}`;
  if (errors + warnings === 0) io.err(`checked ${files}: no errors`);
  else io.err(`checked ${files}: ${errors} error${errors === 1 ? "" : "s"}${warnings ? `, ${warnings} warning${warnings === 1 ? "" : "s"}` : ""}`);
  return errors > 0 ? 1 : 0;
}

function summary(args: ParsedArgs, io: Io): number {
  const models = compileOneFile(args, io, "summary");
  if (typeof models === "number") return models;
  const summaries = models.map(summarize);
  if (args.options.has("json")) io.out(JSON.stringify(summaryJson(summaries), null, 2));
  else io.out(summaries.map(renderSummaryTable).join("\n\n"));
  return 0;
}

/**
 * Compiles the one file of `summary`, `run` or `bench` and returns its models (only the
 * `--model` one if given), or the exit code after printing why there are none.
 */
function compileOneFile(args: ParsedArgs, io: Io, command: string): CompiledModel[] | number {
  if (args.positional.length !== 1) {
    io.err(`vitc ${command}: give exactly one file\n\n${usage}`);
    return 2;
  }
  const only = args.options.get("model");
  const result = compileFile(args.positional[0], diskHost(), typeof only === "string" ? only : undefined);
  if (result.unreadable) {
    io.err(`${result.path}: error[V1000]: cannot read \`${result.path}\`: ${result.unreadable}`);
    return 1;
  }
  const c = result.compilation as Compilation;
  if (hasErrors(c.diagnostics)) {
    for (const d of c.diagnostics) io.err(`${renderTerminal(c.files, d, { color: io.color })}\n`);
    return 1;
  }
  if (c.models.length === 0) {
    const declared = (c.program.asts.get(c.program.entry.id)?.models ?? []).map((m) => `\`${m.name.text}\``);
    const has = declared.length > 0 ? `; it declares ${declared.join(", ")}` : "";
    io.err(typeof only === "string" ? `vitc ${command}: no model \`${only}\` in ${result.path}${has}` : `vitc ${command}: ${result.path} declares no model`);
    return 1;
  }
  return [...c.models];
}

/** The model `run` and `bench` use: `--model`, or the file's first. */
function compileForRun(args: ParsedArgs, io: Io, command: string): CompiledModel | number {
  const models = compileOneFile(args, io, command);
  return typeof models === "number" ? models : models[0];
}

function optionString(args: ParsedArgs, name: string): string | undefined {
  const v = args.options.get(name);
  return typeof v === "string" ? v : undefined;
}

function runIo(io: Io): RunIo {
  return { out: io.out, progress: io.progress };
}

async function runCommand(args: ParsedArgs, io: Io): Promise<number> {
  const seed = countOption(args, "seed", 0, 0);
  const { parseBackend, runModel } = await loadRunner();
  const backend = parseBackend(args.options.get("backend"));
  const compiled = compileForRun(args, io, "run");
  if (typeof compiled === "number") return compiled;
  await runModel(compiled, {
    backend, seed, weights: optionString(args, "weights"), input: optionString(args, "input"), image: optionString(args, "image"), output: optionString(args, "output"),
  }, runIo(io));
  io.progress?.("");
  return 0;
}

async function benchCommand(args: ParsedArgs, io: Io): Promise<number> {
  const batch = countOption(args, "batch", 1, 1);
  const runs = countOption(args, "runs", 10, 1);
  const seed = countOption(args, "seed", 0, 0);
  const { benchModel, parseBackend } = await loadRunner();
  const backend = parseBackend(args.options.get("backend"));
  const compiled = compileForRun(args, io, "bench");
  if (typeof compiled === "number") return compiled;
  const result = await benchModel(compiled, { backend, seed, batch, runs, weights: optionString(args, "weights") }, runIo(io));
  io.progress?.("");
  if (args.options.has("json")) io.out(JSON.stringify(result, null, 2));
  else io.out(`${result.model} on ${result.backend}, batch ${result.batch}: median ${result.median_ms} ms over ${runs} runs (${result.runs_ms.join(", ")} ms)`);
  return 0;
}
