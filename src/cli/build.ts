// `vitc build <file> --emit ts|onnx [-o DIR] [--model NAME]`: writes each model of a spec as a
// standalone artefact, `DIR/<model>.ts` or `DIR/<model>.onnx` (formats fixed in DESIGN.md). The
// emitters read only the checked IR; this command checks the output paths first (never over an
// input, a link or a device), makes the folder, and writes each file whole (writeFileAtomic).

import * as fs from "node:fs";
import * as path from "node:path";
import { ToolError } from "../diagnostics/tool-error";
import { isUserFile } from "../elaborate/program";
import type { CompiledModel } from "../pipeline";
import { checkOutputPath, writeFileAtomic, WriteFailure, type InputFile } from "../source/write-file";
import { flagValue, UsageError, type ParsedArgs } from "./args";
import { compileSpec, type CompiledSpec } from "./check";
import type { Io } from "./io";
import { packageVersion } from "./main";

export const emitFormats = ["ts", "onnx"] as const;
export type EmitFormat = (typeof emitFormats)[number];

/** One format's writer: the file's extension, and its bytes (or text) for a checked model. */
export interface Emitter {
  readonly extension: string;
  emit(model: CompiledModel, context: EmitContext): Promise<Uint8Array | string>;
}

export interface EmitContext {
  readonly args: ParsedArgs;
  readonly spec: CompiledSpec;
}

/** Each format's emitter, loaded only when asked for. */
const emitters: Record<EmitFormat, () => Promise<Emitter>> = {
  ts: async () => typescriptEmitter,
  onnx: () => notYet("onnx"),
};

/** `--emit ts`: a module on tfjs-core (src/backends/typescript/); ts-morph loads only here. */
const typescriptEmitter: Emitter = {
  extension: "ts",
  async emit(model, { spec }) {
    const { emitTypeScript, EmitRefusal } = await import("../backends/typescript/emit-module");
    try {
      return emitTypeScript(model, { files: spec.compilation.files, specPath: spec.path, version: packageVersion() });
    } catch (err) {
      if (err instanceof EmitRefusal) throw new ToolError("V4003", err.message, { help: ["`vitc run --input` runs such a model"] });
      throw err;
    }
  },
};

async function notYet(format: EmitFormat): Promise<Emitter> {
  throw new UsageError(`\`--emit ${format}\` is not in this build yet`);
}

function emitFlag(args: ParsedArgs): EmitFormat {
  const value = flagValue(args, "emit");
  if (value === undefined) throw new UsageError("`vitc build` needs `--emit ts` or `--emit onnx`", args.command);
  if ((emitFormats as readonly string[]).includes(value)) return value as EmitFormat;
  throw new UsageError(`flag \`--emit\` must be \`ts\` or \`onnx\`, got \`${value}\``, args.command);
}

export async function buildCommand(args: ParsedArgs, io: Io): Promise<number> {
  const format = emitFlag(args);
  const outDir = flagValue(args, "out-dir") ?? "generated";
  const spec = compileSpec(args, io);
  if (typeof spec === "number") return spec;
  const emitter = await emitters[format]();
  const { program } = spec.compilation;
  const inputs: InputFile[] = program.files.all().filter((f) => isUserFile(program, f.id)).map((f) => ({ path: f.path, role: f.id === program.entry.id ? "the spec" : "a module the spec uses" }));
  const targets = spec.models.map((model) => ({ model, file: path.join(outDir, `${model.name}.${emitter.extension}`) }));
  makeFolder(outDir);
  for (const { file } of targets) {
    const why = checkOutputPath(file, inputs);
    if (why !== undefined) throw new ToolError("V4005", `cannot write \`${file}\`: ${why}`, { file, help: ["choose another `-o` folder"] });
  }
  for (const { model, file } of targets) {
    const content = await emitter.emit(model, { args, spec });
    try {
      writeFileAtomic(file, [typeof content === "string" ? new TextEncoder().encode(content) : content]);
    } catch (err) {
      if (err instanceof WriteFailure) throw new ToolError("V4005", err.message, { file });
      throw err;
    }
    io.out(`wrote ${file}`);
  }
  return 0;
}

/** `mkdir -p`, as a V4005 that names the folder when it cannot be made. */
function makeFolder(dir: string): void {
  try {
    fs.mkdirSync(dir, { recursive: true });
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code === "EEXIST" || (err as NodeJS.ErrnoException).code === "ENOTDIR" ? "a file of that name is in the way" : (err as Error).message;
    throw new ToolError("V4005", `cannot make the folder \`${dir}\`: ${reason}`, { file: dir });
  }
}
