// vitc's programmatic API (`import … from "vitc"`): compile a spec to diagnostics and checked
// models, summarise a model, render diagnostics as the CLI does, and load a model on a tfjs
// backend with timm weights or seeded ones to run it on tensors. An edge like the CLI: it
// composes the stages and holds no compiler logic of its own. Nothing here prints or exits;
// problems with files, weights and backends are thrown as ToolErrors (code, message, notes).

import type { Tensor, Tf } from "./backends/tfjs/kernel";
import { estimateMemory, type MemoryEstimate } from "./backends/tfjs/memory";
import { runForward } from "./backends/tfjs/session";
import { openRunner, type Runner, type RuntimeInfo, type RuntimeRequest } from "./backends/runner";
import { hasErrors, type Diagnostic } from "./diagnostics/diagnostic";
import { toJson, type JsonDiagnostic } from "./diagnostics/render-json";
import { renderTerminal } from "./diagnostics/render-terminal";
import { ToolError, unreadableSpec } from "./diagnostics/tool-error";
import { compileSource, type Compilation, type CompiledModel } from "./pipeline";
import { summarize, summaryJson, summaryJsonText } from "./reports/summary";
import { diskHost, memoryHost, type Host } from "./source/host";
import { expectedTensors, openWeights, type ExpectedTensor } from "./weights/bind";
import { inputDims } from "./shapes/check";
import { dataConfigFor, describeDataConfig, readImageBatch, resolveDataConfig, type PreprocessOverrides } from "./images/preprocess";

export type { Compilation, CompiledModel } from "./pipeline";
export type { Diagnostic, Label, Note, Suggestion, TextEdit, Severity } from "./diagnostics/diagnostic";
export type { JsonDiagnostic, JsonRange } from "./diagnostics/render-json";
export type { ModelSummary, LayerRow } from "./reports/summary";
export type { BackendName, BackendRequest, LoadedBackend } from "./backends/tfjs/load-backend";
export type { RuntimeInfo, RuntimeName, RuntimeRequest } from "./backends/runner";
export type { MemoryEstimate } from "./backends/tfjs/memory";
export type { Host, ReadResult } from "./source/host";
export type { Code } from "./diagnostics/codes";
export type { PreprocessOverrides } from "./images/preprocess";
export { codes } from "./diagnostics/codes";
export { ToolError, isToolError, renderToolError } from "./diagnostics/tool-error";
export { hasErrors, summarize, summaryJson, summaryJsonText, memoryHost, diskHost };

export interface CompileOptions {
  /** The path diagnostics show for the text (default `input.vit`); `use "…"` resolves from its folder. */
  readonly path?: string;
  /** Only this model of the file (others are not expanded). */
  readonly model?: string;
  /** Where files are read from (default: the disk; `memoryHost({...})` for in-memory files). */
  readonly host?: Host;
}

/** Compiles spec text: every model of it, checked, with every diagnostic. Never throws on bad input. */
export function compileText(text: string, options: CompileOptions = {}): Compilation {
  return compileSource(options.path ?? "input.vit", text, options.host ?? diskHost(), { only: options.model });
}

/** Compiles a `.vit` file; a ToolError V1000 when it cannot be read. */
export function compileFile(file: string, options: Omit<CompileOptions, "path"> = {}): Compilation {
  const host = options.host ?? diskHost();
  const read = host.readFile(file);
  if (!read.ok) throw unreadableSpec(file, read.reason);
  return compileSource(file, read.text, host, { only: options.model });
}

export interface FormatOptions {
  /** `human` (default): as `vitc check` prints them; `json`: as `vitc check --format json`. */
  readonly format?: "human" | "json";
  /** ANSI colours in the human format. */
  readonly color?: boolean;
}

/** A compilation's diagnostics as `vitc check` prints them (one block each, blank line between). */
export function formatDiagnostics(compilation: Compilation, options: FormatOptions = {}): string {
  if (options.format === "json") return JSON.stringify(diagnosticsJson(compilation), null, 2);
  return compilation.diagnostics.map((d) => renderTerminal(compilation.files, d, { color: options.color })).join("\n\n");
}

/** The diagnostics as `vitc check --format json` writes them (LSP's 0-based positions). */
export function diagnosticsJson(compilation: Compilation, diagnostics: readonly Diagnostic[] = compilation.diagnostics): JsonDiagnostic[] {
  return diagnostics.map((d) => toJson(compilation.files, d));
}

/** The weights a model needs: timm state_dict keys with their PyTorch shapes. */
export function weightShapes(model: CompiledModel): Record<string, readonly number[]> {
  return Object.fromEntries(expectedTensors(model.checked).map((t: ExpectedTensor) => [t.key, t.shape]));
}

/** The memory a run of `batch` images needs, estimated from the model alone. */
export function estimateRunMemory(model: CompiledModel, batch = 1): MemoryEstimate {
  return estimateMemory(model.checked, batch);
}

export interface ImageBatch {
  /** NCHW float32 values [batch, 3, H, W], ready for `LoadedModel.run(values, batch)`. */
  readonly values: Float32Array;
  readonly batch: number;
  /** The preprocessing used, each value with its source (timm's default for the model, or an override). */
  readonly preprocessing: readonly string[];
}

/**
 * Pictures (PNG or JPEG) preprocessed as timm evaluates `model` (its default pretrained config,
 * as `vitc run --image`), with optional overrides of crop_pct, mean, std and interpolation.
 * Throws a ToolError V4004 for a picture that cannot be read and V4003 for a model without an
 * RGB input; a RangeError naming every invalid override.
 */
export function readImages(model: CompiledModel, files: readonly string[], overrides: PreprocessOverrides = {}): ImageBatch {
  const dims = inputDims(model.checked);
  if (dims.length !== 3 || dims[0] !== 3) throw new ToolError("V4003", `\`${model.name}\` takes [B, ${dims.join(", ")}], not RGB pictures [B, 3, H, W]`);
  const resolved = resolveDataConfig(dataConfigFor(model.checked.graph.family, model.name, [dims[1], dims[2]]), overrides);
  if (!resolved.ok) throw new RangeError(resolved.problems.map((p) => p.message).join("; "));
  return { values: readImageBatch(files, resolved.config), batch: files.length, preprocessing: describeDataConfig(resolved.config) };
}

export interface LoadModelOptions {
  /**
   * Default `auto`: the best backend that loads (`loaded.backend.skipped` says why others did not);
   * `onnxruntime` runs the model's ONNX export on ONNX Runtime (the optional onnxruntime-node).
   */
  readonly backend?: RuntimeRequest;
  /** A safetensors file of timm's state_dict (F32, F16 or BF16). Default: seeded initial weights. */
  readonly weights?: string;
  /** Seed of the initial weights when there is no weight file (default 0). */
  readonly seed?: number;
  /** Largest batch you will run, for the memory check (default 1). */
  readonly batch?: number;
  /** Refuse models estimated to need more bytes than this (default: the machine's memory). */
  readonly maxMemoryBytes?: number;
}

export interface Outputs {
  /** timm's `forward()`: `[B, num_classes]` (or the pooled features without a head). */
  readonly logits: { readonly values: Float32Array; readonly shape: readonly number[] };
  /** timm's `forward_features()`, where the spec marks it. */
  readonly features?: { readonly values: Float32Array; readonly shape: readonly number[] };
}

export interface LoadedModel {
  readonly name: string;
  readonly backend: RuntimeInfo;
  /** The tfjs-core module the model runs on: make input tensors with it (tfjs backends only; a ToolError on onnxruntime). */
  readonly tf: Tf;
  /** The input after the batch dimension: `[C, H, W]` for images. */
  readonly inputShape: readonly number[];
  /**
   * One forward pass on an input tensor `[B, …inputShape]` (NCHW float32 for images). The caller
   * disposes the returned tensors; nothing else is left behind. tfjs backends only: on
   * onnxruntime, use `run`.
   */
  predict(input: Tensor): Record<string, Tensor>;
  /** One forward pass on host values `[batch, …inputShape]`, read back; NaN results are a ToolError V5004. */
  run(values: Float32Array, batch?: number): Promise<Outputs>;
  /** Frees the weights. */
  dispose(): void;
}

/** Loads a checked model on a backend, with its weights: a ToolError names any problem. */
export async function loadModel(model: CompiledModel, options: LoadModelOptions = {}): Promise<LoadedModel> {
  if (!model.checked.complete) throw new ToolError("V9001", `model \`${model.name}\` has shape errors and cannot be loaded`);
  const { source: weights, file } = openWeights(options.weights, options.seed ?? 0, model.checked, model.name);
  let runner: Runner;
  try {
    runner = await openRunner(model.checked, model.name, {
      backend: options.backend ?? "auto", weights, weightFile: options.weights, batch: options.batch ?? 1, maxMemoryBytes: options.maxMemoryBytes,
    });
  } finally {
    file?.close();
  }
  const session = runner.tfjs;
  const tfjsOnly = () => new ToolError("V5001", `\`tf\` and \`predict\` work on tfjs backends, and \`${model.name}\` runs on \`${runner.backend.name}\``, {
    help: ["use `run(values, batch)`, which every backend has"],
  });
  return {
    name: model.name,
    backend: runner.backend,
    get tf(): Tf {
      if (!session) throw tfjsOnly();
      return session.backend.tf;
    },
    inputShape: runner.inputDims,
    predict(input) {
      if (!session) throw tfjsOnly();
      return runForward(session, model.name, input);
    },
    async run(values, batch = 1) {
      const per = runner.inputDims.reduce((a, b) => a * b, 1);
      if (values.length !== batch * per) {
        throw new ToolError("V4003", `the input has ${values.length} values, but ${batch} × [${runner.inputDims.join(", ")}] needs ${batch * per}`);
      }
      const outputs = await runner.run({ values, shape: [batch, ...runner.inputDims] });
      return { logits: outputs.logits, ...(outputs.features ? { features: outputs.features } : {}) };
    },
    dispose: () => void runner.dispose(),
  };
}
