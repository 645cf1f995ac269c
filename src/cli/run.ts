// `vitc run` and `vitc bench`: compile a spec, load a tfjs backend and the model's weights (or
// seeded initial ones), and run forward passes. Every failure the user can cause is a
// ToolError or a diagnostic; main.ts renders them.

import { loadBackend, readTensor, backendRequests, type BackendRequest, type LoadedBackend } from "../backends/tfjs/load-backend";
import { TfjsModel, type LoadProgress } from "../backends/tfjs/model";
import type { Tensor } from "../backends/tfjs/kernel";
import { ToolError } from "../diagnostics/tool-error";
import { formatShape } from "../ir/shape";
import { dataConfigFor, preprocessImage } from "../images/preprocess";
import { decodeImage } from "../images/decode";
import { imagenetClassName } from "../images/imagenet-classes";
import type { CompiledModel } from "../pipeline";
import { checkWeightFile, expectedTensors, fileWeights, initialWeights, type WeightSource } from "../weights/bind";
import { initialValues } from "../weights/init";
import { openSafetensors, writeSafetensors } from "../weights/safetensors";

export interface RunIo {
  out(text: string): void;
  /** Progress lines for a terminal; absent when stderr is not one. */
  progress?(text: string): void;
}

export interface ModelOptions {
  readonly backend: BackendRequest;
  readonly weights?: string;
  readonly seed: number;
}

export interface ReadyModel {
  readonly backend: LoadedBackend;
  readonly model: TfjsModel;
  readonly weights: WeightSource;
  /** The spec's input dims after the batch, e.g. [3, 224, 224]. */
  readonly inputDims: readonly number[];
}

export function parseBackend(value: string | true | undefined): BackendRequest {
  const name = value === undefined ? "auto" : String(value);
  if ((backendRequests as readonly string[]).includes(name)) return name as BackendRequest;
  throw new ToolError("V5001", `unknown backend \`${name}\``, { help: [`choose one of ${backendRequests.map((b) => `\`${b}\``).join(", ")}`] });
}

function megabytes(bytes: number): string {
  return `${(bytes / 1048576).toFixed(1)} MB`;
}

/** Loads the backend and the weights (checked against the model first) and prepares the model. */
export async function prepareModel(compiled: CompiledModel, options: ModelOptions, io: RunIo): Promise<ReadyModel> {
  const backend = await loadBackend(options.backend);
  const checked = compiled.checked;
  let weights: WeightSource;
  let file;
  if (options.weights !== undefined) {
    file = openSafetensors(options.weights);
    checkWeightFile(expectedTensors(checked), file, compiled.name);
    weights = fileWeights(file);
  } else weights = initialWeights(options.seed);
  // Large models take seconds to read or to draw (ViT-L: 1.2 GB): say how far it has got.
  const verb = options.weights !== undefined ? "loading" : "initialising";
  let lastShown = -1;
  const onProgress = (p: LoadProgress) => {
    const percent = Math.floor((100 * p.done) / p.total);
    if (!io.progress || percent === lastShown) return;
    lastShown = percent;
    io.progress(`${verb} weights ${percent}% (${megabytes(p.done * 4)} of ${megabytes(p.total * 4)})`);
  };
  try {
    const model = TfjsModel.load(backend.tf, checked, weights, { onProgress });
    io.progress?.(""); // clears the progress line before anything else is printed
    const input = checked.nodes.find((n) => n.node.op === "input")!;
    return { backend, model, weights, inputDims: input.shape!.dims };
  } finally {
    file?.close();
  }
}

/**
 * One forward pass. A failure inside the backend (the wasm heap exhausted, a lost GPU device)
 * becomes a V5002 that names the backend and the model.
 */
function forward(ready: ReadyModel, compiled: CompiledModel, input: Tensor): Record<string, Tensor> {
  try {
    return ready.model.forward(input).outputs;
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    throw new ToolError("V5002", `backend \`${ready.backend.name}\` failed while running \`${compiled.name}\`: ${reason}`, {
      notes: ["most failures here are memory limits (the wasm heap is at most 4 GiB); otherwise it is a bug in vitc"],
      help: ["try a smaller `--batch`, or another `--backend`"],
    });
  }
}

/** The backend line(s): what runs, and for `auto` what was skipped and why. */
export function describeBackend(b: LoadedBackend): string[] {
  const device = b.device.startsWith(b.name) ? b.device : `${b.name} (${b.device})`;
  const chosen = b.skipped.length > 0 ? `${device}, chosen by --backend auto` : device;
  return [chosen, ...b.skipped.map((s) => `skipped ${s.name}: ${s.reason}`)];
}

/** The run's input: from a safetensors file, a picture, or seeded standard normal values. */
function readInput(ready: ReadyModel, compiled: CompiledModel, source: { input?: string; image?: string; seed: number }): { tensor: Tensor; description: string } {
  const { tf } = ready.backend;
  const dims = ready.inputDims;
  const wanted = `[B, ${dims.join(", ")}]`;
  if (source.input !== undefined && source.image !== undefined) throw new ToolError("V4003", "give either `--input` or `--image`, not both");
  if (source.input !== undefined) {
    const file = openSafetensors(source.input);
    try {
      const info = file.tensors.get("input");
      if (!info) throw new ToolError("V4003", `\`${source.input}\` has no tensor named \`input\``, { file: source.input, notes: [`it has ${[...file.tensors.keys()].map((k) => `\`${k}\``).join(", ") || "no tensors"}`] });
      const fits = info.shape.length === dims.length + 1 && info.shape[0] >= 1 && dims.every((d, i) => info.shape[i + 1] === d);
      if (!fits) {
        throw new ToolError("V4003", `the input is [${info.shape.join(", ")}], but model \`${compiled.name}\` takes ${wanted}`, {
          file: source.input, help: ["inputs are NCHW float32, like PyTorch's; resize the input or change the spec's img_size/in_chans"],
        });
      }
      return { tensor: tf.tensor(file.read("input"), [...info.shape], "float32"), description: `${source.input} [${info.shape.join(", ")}]` };
    } finally {
      file.close();
    }
  }
  if (source.image !== undefined) {
    if (dims.length !== 3 || dims[0] !== 3) throw new ToolError("V4003", `\`--image\` needs a model with an RGB image input [B, 3, H, W]; \`${compiled.name}\` takes ${wanted}`);
    const config = dataConfigFor(compiled.checked.graph.family, compiled.name, [dims[1], dims[2]]);
    const values = preprocessImage(decodeImage(source.image), config);
    return { tensor: tf.tensor(values, [1, ...dims], "float32"), description: `${source.image} (${config.source})` };
  }
  const size = dims.reduce((a, b) => a * b, 1);
  const values = initialValues({ kind: "normal", std: 1 }, size, source.seed, "input");
  return { tensor: tf.tensor(values, [1, ...dims], "float32"), description: `standard normal values from seed ${source.seed} [1, ${dims.join(", ")}]` };
}

function topClasses(logits: Float32Array, classes: number, count: number): Array<{ index: number; probability: number }> {
  const max = logits.reduce((m, v) => Math.max(m, v), -Infinity);
  const exps = Array.from(logits, (v) => Math.exp(v - max));
  const sum = exps.reduce((a, b) => a + b, 0);
  return exps.map((e, index) => ({ index, probability: e / sum })).sort((a, b) => b.probability - a.probability).slice(0, Math.min(count, classes));
}

/** The five most probable classes of each image; ImageNet names for 1000-class models. */
function printTopClasses(logits: Float32Array, [images, classes]: readonly number[], io: RunIo): void {
  const names = classes === 1000;
  for (let b = 0; b < images; b++) {
    const title = names ? "top-5 ImageNet classes" : `top-${Math.min(5, classes)} classes`;
    io.out(images > 1 ? `${title}, image ${b}:` : `${title}:`);
    for (const { index, probability } of topClasses(logits.subarray(b * classes, (b + 1) * classes), classes, 5)) {
      io.out(`  ${(100 * probability).toFixed(2).padStart(6)}%  ${String(index).padStart(3)}${names ? `  ${imagenetClassName(index)}` : ""}`);
    }
  }
}

export interface RunOptions extends ModelOptions {
  readonly input?: string;
  readonly image?: string;
  readonly output?: string;
}

export async function runModel(compiled: CompiledModel, options: RunOptions, io: RunIo): Promise<void> {
  const ready = await prepareModel(compiled, options, io);
  let input: Tensor | undefined;
  try {
    const read = readInput(ready, compiled, options);
    input = read.tensor;
    const description = read.description;
    io.out(`model    ${compiled.name}`);
    describeBackend(ready.backend).forEach((line, i) => io.out(`${i === 0 ? "backend " : "        "} ${line}`));
    io.out(`weights  ${ready.weights.description} (${megabytes(ready.model.weightBytes)})`);
    io.out(`input    ${description}`);
    const start = performance.now();
    const outputs = forward(ready, compiled, input);
    const logits = await readTensor(outputs.logits);
    const ms = performance.now() - start;
    io.out(`output   logits [${outputs.logits.shape.join(", ")}] (spec: ${formatShape(compiled.checked.nodes[compiled.checked.graph.outputs.logits].shape!)})`);
    io.out(`time     ${ms.toFixed(1)} ms (one forward pass including read-back, first run)`);
    if (compiled.checked.graph.config.num_classes !== 0 && outputs.logits.shape.length === 2) printTopClasses(logits, outputs.logits.shape, io);
    if (options.output !== undefined) {
      const tensors = [];
      for (const name of ["logits", "features"]) {
        const t = outputs[name];
        if (t) tensors.push({ name, shape: t.shape, data: await readTensor(t) });
      }
      writeSafetensors(options.output, tensors, { model: compiled.name, backend: ready.backend.name });
      io.out(`wrote    ${options.output} (${tensors.map((t) => `${t.name} [${t.shape.join(", ")}]`).join(", ")})`);
    }
    for (const t of Object.values(outputs)) t.dispose();
  } finally {
    input?.dispose();
    ready.model.dispose();
  }
}

export interface BenchOptions extends ModelOptions {
  readonly batch: number;
  readonly runs: number;
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

/** Times `runs` forward passes (logits read back) after one warm-up pass. */
export async function benchModel(compiled: CompiledModel, options: BenchOptions, io: RunIo): Promise<BenchResult> {
  const ready = await prepareModel(compiled, options, io);
  try {
    return await benchPrepared(ready, compiled, options, io);
  } finally {
    ready.model.dispose();
  }
}

/** Times forward passes of a model already loaded (bench/model-speed.mjs loads each model once). */
export async function benchPrepared(ready: ReadyModel, compiled: CompiledModel, options: Omit<BenchOptions, "weights" | "backend">, io: RunIo): Promise<BenchResult> {
  const { tf } = ready.backend;
  const size = ready.inputDims.reduce((a, b) => a * b, options.batch);
  const input = tf.tensor(initialValues({ kind: "normal", std: 1 }, size, options.seed, "input"), [options.batch, ...ready.inputDims], "float32");
  const once = async () => {
    const start = performance.now();
    const outputs = forward(ready, compiled, input);
    await readTensor(outputs.logits);
    const ms = performance.now() - start;
    for (const t of Object.values(outputs)) t.dispose();
    return ms;
  };
  try {
    await once();
    const runs: number[] = [];
    for (let i = 0; i < options.runs; i++) {
      runs.push(await once());
      io.progress?.(`run ${i + 1}/${options.runs}: ${runs[i].toFixed(1)} ms`);
    }
    return { model: compiled.name, backend: ready.backend.name, batch: options.batch, runs_ms: runs.map((r) => Math.round(r * 100) / 100), median_ms: Math.round(median(runs) * 100) / 100 };
  } finally {
    input.dispose();
  }
}
