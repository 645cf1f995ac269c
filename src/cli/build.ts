// `vitc build <file> --emit ts|onnx [-o DIR] [--model NAME]`: writes each model of a spec as a
// standalone artefact, `DIR/<model>.ts` or `DIR/<model>.onnx` (formats fixed in DESIGN.md). The
// emitters read only the checked IR; this command checks the output paths first (never over an
// input, a link or a device), makes the folder, and writes each file whole (writeFileAtomic).

import * as fs from "node:fs";
import * as path from "node:path";
import { ToolError } from "../diagnostics/tool-error";
import type { CompiledModel } from "../pipeline";
import { describeFileError } from "../source/host";
import { writeFileAtomic, WriteFailure } from "../source/write-file";
import { flagValue, hasFlag, UsageError, type ParsedArgs } from "./args";
import { commandInputs, compileSpec, refuseOutput, type CompiledSpec } from "./check";
import type { Io } from "./io";
import { packageVersion } from "./version";

export const emitFormats = ["ts", "onnx"] as const;
export type EmitFormat = (typeof emitFormats)[number];

/** A file's content: text, bytes, or bytes in chunks (written one after another). */
export type EmittedContent = Uint8Array | string | Iterable<Uint8Array>;

/** A file written for a model: its path relative to the output folder, and its content. */
export interface EmittedFile {
  readonly file: string;
  readonly content: EmittedContent;
}

/**
 * One format's writer. `files` lists every file `emit` may write for a model (ONNX's external
 * data only past 2 GB, which only the encoder knows for sure), so that all of them are checked
 * before anything is written; `emit` returns the files it made, each one of that list.
 */
export interface Emitter {
  files(model: CompiledModel, context: EmitContext): readonly string[];
  emit(model: CompiledModel, context: EmitContext): Promise<readonly EmittedFile[]>;
}

export interface EmitContext {
  readonly args: ParsedArgs;
  readonly spec: CompiledSpec;
}

/** Each format's emitter, loaded only when asked for. */
const emitters: Record<EmitFormat, () => Promise<Emitter>> = {
  ts: async () => typescriptEmitter,
  onnx: async () => (await import("./build-onnx")).onnxEmitter(),
};

/** `--emit ts`: a module on tfjs-core (src/backends/typescript/); ts-morph loads only here. */
const typescriptEmitter: Emitter = {
  files: (model) => [`${model.name}.ts`],
  async emit(model, { spec }) {
    const { emitTypeScript, EmitRefusal } = await import("../backends/typescript/emit-module");
    try {
      return [{ file: `${model.name}.ts`, content: emitTypeScript(model, { files: spec.compilation.files, specPath: spec.path, version: packageVersion() }) }];
    } catch (err) {
      if (err instanceof EmitRefusal) throw new ToolError("V4003", err.message, { help: ["`vitc run --input` runs such a model"] });
      throw err;
    }
  },
};


/** Flags that only an ONNX build reads: the weights it embeds, its folder layout and its operators. */
const onnxOnlyFlags = ["weights", "seed", "layout", "ops"] as const;

function emitFlag(args: ParsedArgs): EmitFormat {
  const value = flagValue(args, "emit");
  if (value === undefined) throw new UsageError("`vitc build` needs `--emit ts` or `--emit onnx`", args.command);
  if ((emitFormats as readonly string[]).includes(value)) return value as EmitFormat;
  throw new UsageError(`flag \`--emit\` must be \`ts\` or \`onnx\`, got \`${value}\``, args.command);
}

export async function buildCommand(args: ParsedArgs, io: Io): Promise<number> {
  const format = emitFlag(args);
  const onnxOnly = onnxOnlyFlags.find((flag) => hasFlag(args, flag));
  if (format !== "onnx" && onnxOnly !== undefined) {
    throw new UsageError(`\`--${onnxOnly}\` is a flag of \`--emit onnx\`; a TypeScript module runs on tfjs and takes its weights when it runs (\`createModel(weights)\`)`, args.command);
  }
  const outDir = flagValue(args, "out-dir") ?? "generated";
  const spec = compileSpec(args, io);
  if (typeof spec === "number") return spec;
  const emitter = await emitters[format]();
  const inputs = commandInputs(args, spec, ["weights"]);
  const context: EmitContext = { args, spec };
  const targets = spec.models.map((model) => ({
    model, files: emitter.files(model, context).map((f) => path.join(outDir, f)),
  }));
  for (const dir of new Set([outDir, ...targets.flatMap((t) => t.files.map((f) => path.dirname(f)))])) makeFolder(dir);
  for (const file of targets.flatMap((t) => t.files)) refuseOutput(file, inputs, "choose another `-o` folder");
  for (const { model, files } of targets) {
    for (const emitted of await emitter.emit(model, context)) {
      const file = path.join(outDir, emitted.file);
      if (!files.includes(file)) throw new Error(`the ${format} emitter made \`${emitted.file}\`, which it did not list`);
      const { content } = emitted;
      try {
        writeFileAtomic(file, typeof content === "string" ? [new TextEncoder().encode(content)] : content instanceof Uint8Array ? [content] : content);
      } catch (err) {
        if (err instanceof WriteFailure) throw new ToolError("V4005", err.message, { file });
        throw err;
      }
      io.out(`wrote ${file}`);
    }
  }
  return 0;
}

/**
 * `mkdir -p`, one folder at a time down from the nearest that exists, as a V4005 naming the first
 * folder that cannot be made. (Node's recursive mkdir retries forever where a file system answers
 * ENOENT although the parent exists, as /proc does.)
 */
function makeFolder(dir: string): void {
  const missing: string[] = [];
  let existing = dir;
  for (; !fs.existsSync(existing) && path.dirname(existing) !== existing; existing = path.dirname(existing)) missing.unshift(existing);
  const cannot = (folder: string, reason: string) => new ToolError("V4005", `cannot make the folder \`${folder}\`: ${reason}`, { file: folder });
  if (fs.existsSync(existing) && !fs.statSync(existing).isDirectory()) {
    throw missing.length === 0 ? cannot(dir, "a file of that name is in the way") : cannot(missing[0], `\`${existing}\` is a file, not a folder`);
  }
  for (const folder of missing) {
    try {
      fs.mkdirSync(folder);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      const reason = code === "EEXIST" ? "something of that name is in the way (a broken link?)"
        : code === "ENOENT" ? "the file system does not allow a folder there"
        : describeFileError(err);
      throw cannot(folder, reason);
    }
  }
}
