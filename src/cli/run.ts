// `vitc run` and `vitc bench`: compile a spec, load a tfjs backend and the model's weights (or
// seeded initial ones), and run forward passes. Every input the user names (flags, weight and
// input files, pictures, the output path) is checked before a backend loads or a pass runs, so
// a mistake costs no time and prints no backend's noise. Every failure the user can cause is a
// ToolError, a UsageError or a diagnostic; main.ts renders them.

import { openRunner, runtimeRequests, type Runner, type RuntimeInfo, type RuntimeRequest } from "../backends/runner";
import { ToolError } from "../diagnostics/tool-error";
import { imagenetClassName } from "../images/imagenet-classes";
import { dataConfigFor, describeDataConfig, readImageBatch, resolveDataConfig, type ResolvedDataConfig } from "../images/preprocess";
import { formatShape } from "../ir/shape";
import type { CompiledModel } from "../pipeline";
import { countNonFinite, openWeights, refuseNonFinite } from "../weights/bind";
import { initialValues } from "../weights/init";
import { openSafetensors, writeSafetensors } from "../weights/safetensors";
import { formatBytes } from "../backends/tfjs/memory";
import { inputDims } from "../shapes/check";
import { choiceFlag, countFlag, flagValue, flagValues, hasFlag, sizeFlag, UsageError, type ParsedArgs } from "./args";
import { commandInputs, compileOneModel, refuseOutput, type CompiledSpec } from "./check";
import type { Io } from "./io";

/** The input of a run as host values, before any backend exists. */
interface HostInput {
  readonly values: Float32Array;
  readonly shape: readonly number[];
  readonly description: string;
  /** For pictures: the preprocessing values used, each with where it came from. */
  readonly preprocess?: readonly string[];
}

const preprocessFlagNames = ["crop-pct", "mean", "std", "interpolation"] as const;

/** The model's timm data config with the user's `--crop-pct`, `--mean`, `--std`, `--interpolation` on top. */
function preprocessConfig(args: ParsedArgs, model: CompiledModel, inputSize: readonly [number, number]): ResolvedDataConfig {
  const resolved = resolveDataConfig(dataConfigFor(model.checked.graph.family, model.name, inputSize), {
    cropPct: flagValue(args, "crop-pct"), mean: flagValue(args, "mean"), std: flagValue(args, "std"), interpolation: flagValue(args, "interpolation"),
  });
  if (resolved.ok) return resolved.config;
  const [first, ...rest] = resolved.problems;
  throw new UsageError(first.message, args.command, [...(first.help ? [first.help] : []), ...rest.map((p) => p.message)]);
}

function backendFlag(args: ParsedArgs): RuntimeRequest {
  return choiceFlag(args, "backend", runtimeRequests, "auto");
}

function checkOutput(args: ParsedArgs, spec: CompiledSpec): string | undefined {
  const output = flagValue(args, "output");
  if (output !== undefined) refuseOutput(output, commandInputs(args, spec, ["weights", "input", "image"]), "choose another `--output` path");
  return output;
}

/** The run's input as host values: a safetensors file, pictures, or seeded normal noise. */
function readInput(args: ParsedArgs, model: CompiledModel, dims: readonly number[], seed: number): HostInput {
  const input = flagValue(args, "input");
  const images = flagValues(args, "image");
  const preprocessFlags = preprocessFlagNames.filter((flag) => hasFlag(args, flag));
  if (preprocessFlags.length > 0 && images.length === 0) {
    throw new UsageError(`\`--${preprocessFlags[0]}\` sets how \`--image\` pictures are preprocessed, and no \`--image\` is given`, args.command);
  }
  const wanted = `[B, ${dims.join(", ")}]`;
  if (input !== undefined && images.length > 0) throw new UsageError("give either `--input` or `--image`, not both", args.command);
  if (input !== undefined) {
    const file = openSafetensors(input);
    try {
      const info = file.tensors.get("input");
      if (!info) throw new ToolError("V4003", `\`${input}\` has no tensor named \`input\``, { file: input, notes: [`it has ${[...file.tensors.keys()].map((k) => `\`${k}\``).join(", ") || "no tensors"}`] });
      const fits = info.shape.length === dims.length + 1 && info.shape[0] >= 1 && dims.every((d, i) => info.shape[i + 1] === d);
      if (!fits) {
        throw new ToolError("V4003", `the input is [${info.shape.join(", ")}], but model \`${model.name}\` takes ${wanted}`, {
          file: input, help: ["inputs are NCHW float32, like PyTorch's; resize the input or change the spec's img_size/in_chans"],
        });
      }
      const values = file.read("input");
      const bad = countNonFinite(values);
      if (bad > 0) refuseNonFinite(`\`${input}\``, input, [{ key: "input", count: bad, size: values.length }]);
      return { values, shape: info.shape, description: `${input} [${info.shape.join(", ")}]` };
    } finally {
      file.close();
    }
  }
  if (images.length > 0) {
    if (dims.length !== 3 || dims[0] !== 3) throw new ToolError("V4003", `\`--image\` needs a model with an RGB image input [B, 3, H, W]; \`${model.name}\` takes ${wanted}`);
    const config = preprocessConfig(args, model, [dims[1], dims[2]]);
    const values = readImageBatch(images, config);
    return { values, shape: [images.length, ...dims], description: images.length === 1 ? images[0] : `${images.length} pictures: ${images.join(", ")}`, preprocess: describeDataConfig(config) };
  }
  const size = dims.reduce((a, b) => a * b, 1);
  return { values: initialValues({ kind: "normal", std: 1 }, size, seed, "input"), shape: [1, ...dims], description: `standard normal values from seed ${seed} [1, ${dims.join(", ")}]` };
}

/** A progress line for loading or drawing weights (ViT-L: 1.2 GB takes seconds). */
function weightProgress(io: Io, verb: string): ((p: { done: number; total: number }) => void) | undefined {
  if (!io.progress) return undefined;
  let lastShown = -1;
  return (p) => {
    const percent = Math.floor((100 * p.done) / p.total);
    if (percent === lastShown) return;
    lastShown = percent;
    io.progress?.(`${verb} weights ${percent}% (${formatBytes(p.done * 4)} of ${formatBytes(p.total * 4)})`);
  };
}

/** The backend line(s): what runs, and for `auto` what was skipped and why. */
export function describeBackend(b: RuntimeInfo): string[] {
  const device = b.device.startsWith(b.name) ? b.device : `${b.name} (${b.device})`;
  const chosen = b.skipped.length > 0 ? `${device}, chosen by --backend auto` : device;
  return [chosen, ...b.skipped.map((s) => `skipped ${s.name}: ${s.reason}`)];
}

function topClasses(logits: Float32Array, classes: number, count: number): Array<{ index: number; probability: number }> {
  const max = logits.reduce((m, v) => Math.max(m, v), -Infinity);
  const exps = Array.from(logits, (v) => Math.exp(v - max));
  const sum = exps.reduce((a, b) => a + b, 0);
  return exps.map((e, index) => ({ index, probability: e / sum })).sort((a, b) => b.probability - a.probability).slice(0, Math.min(count, classes));
}

/** The five most probable classes of each image; ImageNet names for 1000-class models. */
function printTopClasses(logits: Float32Array, [images, classes]: readonly number[], io: Io, labels: readonly string[]): void {
  const names = classes === 1000;
  for (let b = 0; b < images; b++) {
    const title = names ? "top-5 ImageNet classes" : `top-${Math.min(5, classes)} classes`;
    io.out(images > 1 ? `${title}, image ${b}${labels[b] ? ` (${labels[b]})` : ""}:` : `${title}:`);
    for (const { index, probability } of topClasses(logits.subarray(b * classes, (b + 1) * classes), classes, 5)) {
      io.out(`  ${(100 * probability).toFixed(2).padStart(6)}%  ${String(index).padStart(3)}${names ? `  ${imagenetClassName(index)}` : ""}`);
    }
  }
}

export async function runCommand(args: ParsedArgs, io: Io): Promise<number> {
  const seed = countFlag(args, "seed", 0, 0);
  const backend = backendFlag(args);
  const maxMemoryBytes = sizeFlag(args, "max-memory");
  const compiled = compileOneModel(args, io);
  if (typeof compiled === "number") return compiled;
  const { spec, model } = compiled;
  // Everything the user named is checked before any backend loads.
  const weights = openWeights(flagValue(args, "weights"), seed, model.checked, model.name);
  let runner: Runner | undefined;
  try {
    const input = readInput(args, model, inputDims(model.checked), seed);
    const output = checkOutput(args, spec);
    runner = await openRunner(model.checked, model.name, {
      backend, weights: weights.source, weightFile: weights.file?.path, batch: input.shape[0], maxMemoryBytes,
      onProgress: weightProgress(io, weights.file ? "loading" : "initialising"),
    });
    io.progress?.("");
    weights.file?.close();
    io.out(`model    ${model.name}`);
    describeBackend(runner.backend).forEach((line, i) => io.out(`${i === 0 ? "backend " : "        "} ${line}`));
    io.out(`weights  ${weights.source.description} (${formatBytes(runner.weightBytes)})`);
    io.out(`input    ${input.description}`);
    for (const line of input.preprocess ?? []) io.out(`         ${line}`);
    const start = performance.now();
    const outputs = await runner.run({ values: input.values, shape: input.shape });
    const ms = performance.now() - start;
    const logits = outputs.logits;
    io.out(`output   logits [${logits.shape.join(", ")}] (spec: ${formatShape(model.checked.nodes[model.checked.graph.outputs.logits].shape!)})`);
    io.out(`time     ${ms.toFixed(1)} ms (one forward pass including read-back, first run)`);
    if (model.checked.graph.config.num_classes !== 0 && logits.shape.length === 2) printTopClasses(logits.values, logits.shape, io, flagValues(args, "image"));
    if (output !== undefined) {
      const tensors = ["logits", "features"].filter((name) => outputs[name]).map((name) => ({ name, shape: outputs[name].shape, data: outputs[name].values }));
      writeSafetensors(output, tensors, { model: model.name, backend: runner.backend.name });
      io.out(`wrote    ${output} (${tensors.map((t) => `${t.name} [${t.shape.join(", ")}]`).join(", ")})`);
    }
    return 0;
  } finally {
    weights.file?.close();
    await runner?.dispose();
    io.progress?.("");
  }
}

export interface BenchResult {
  readonly model: string;
  readonly backend: string;
  readonly batch: number;
  readonly runs_ms: number[];
  readonly median_ms: number;
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

export async function benchCommand(args: ParsedArgs, io: Io): Promise<number> {
  const batch = countFlag(args, "batch", 1, 1);
  const runs = countFlag(args, "runs", 10, 1);
  const seed = countFlag(args, "seed", 0, 0);
  const backend = backendFlag(args);
  const maxMemoryBytes = sizeFlag(args, "max-memory");
  const compiled = compileOneModel(args, io);
  if (typeof compiled === "number") return compiled;
  const { model } = compiled;
  const weights = openWeights(flagValue(args, "weights"), seed, model.checked, model.name);
  let runner: Runner | undefined;
  try {
    runner = await openRunner(model.checked, model.name, {
      backend, weights: weights.source, weightFile: weights.file?.path, batch, maxMemoryBytes,
      onProgress: weightProgress(io, weights.file ? "loading" : "initialising"),
    });
    io.progress?.("");
    const result = await benchRunner(runner, model, { batch, runs, seed }, io);
    if (hasFlag(args, "json")) io.out(JSON.stringify(result, null, 2));
    else io.out(`${result.model} on ${result.backend}, batch ${result.batch}: median ${result.median_ms} ms over ${runs} runs (${result.runs_ms.join(", ")} ms)`);
    return 0;
  } finally {
    weights.file?.close();
    await runner?.dispose();
    io.progress?.("");
  }
}

/** Times `runs` forward passes (logits read back) after one warm-up pass, on a loaded model. */
export async function benchRunner(runner: Runner, model: CompiledModel, options: { batch: number; runs: number; seed: number }, io: Pick<Io, "progress">): Promise<BenchResult> {
  const size = runner.inputDims.reduce((a, b) => a * b, options.batch);
  const input = { values: initialValues({ kind: "normal", std: 1 }, size, options.seed, "input"), shape: [options.batch, ...runner.inputDims] };
  const once = async () => {
    const start = performance.now();
    await runner.run(input, ["logits"]);
    return performance.now() - start;
  };
  await once();
  const runs: number[] = [];
  for (let i = 0; i < options.runs; i++) {
    runs.push(await once());
    io.progress?.(`run ${i + 1}/${options.runs}: ${runs[i].toFixed(1)} ms`);
  }
  return { model: model.name, backend: runner.backend.name, batch: options.batch, runs_ms: runs.map((r) => Math.round(r * 100) / 100), median_ms: Math.round(median(runs) * 100) / 100 };
}
