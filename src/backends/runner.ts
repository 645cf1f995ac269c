// One model ready to run, on whichever runtime the user asked for: a tfjs backend (tfjs/) or ONNX
// Runtime (onnx/). `vitc run`, `vitc bench` and the API use only this seam: host values in, host
// values out, memory checked before anything loads, failures as coded errors.
//
// `auto` tries, in order: tfjs on a GPU (tfjs-node-gpu, then WebGPU on a real adapter), ONNX
// Runtime (native, every core; its CUDA provider when installed), then tfjs on the CPU
// (tfjs-node, wasm, cpu), and says what it chose and what it skipped. ONNX Runtime runs ViT-B/16
// about 10x faster than wasm on the CPU (README, "ONNX"). With TFJS_BACKENDS set, the user has
// named an order of tfjs backends, and ONNX Runtime is not tried.

import { inputDims, type CheckedGraph } from "../shapes/check";
import { refuseNonFiniteOutputs, refuseNonFiniteWeights, watchFinite, type WeightSource } from "../weights/bind";
import { loadOrt, RuntimeUnavailable } from "./onnx/load-runtime";
import { OrtModel, type HostValues } from "./onnx/ort-model";
import { backendNames, loadBackend, NoBackendLoaded, type BackendName, type LoadedBackend } from "./tfjs/load-backend";
import { estimateMemory, type MemoryEstimate } from "./tfjs/memory";
import { checkMemory, memoryLimit, openSession, readOutputs, runForward, type Session } from "./tfjs/session";

export type RuntimeName = BackendName | "onnxruntime";
export type RuntimeRequest = "auto" | RuntimeName;

export const runtimeNames: readonly RuntimeName[] = ["onnxruntime", ...backendNames];
export const runtimeRequests: readonly RuntimeRequest[] = ["auto", ...runtimeNames];

/** What runs, for people and tools. */
export interface RuntimeInfo {
  readonly name: RuntimeName;
  /** "wasm (XNNPACK, SIMD, 1 thread)", "onnxruntime 1.30.0 (CPU, 2 threads)", … */
  readonly device: string;
  readonly gpu: boolean;
  /** For `auto`: what was tried before, each with why it was skipped. Empty otherwise. */
  readonly skipped: readonly { readonly name: RuntimeName; readonly reason: string }[];
}

/** Values on the host, as every runner takes its input and gives its outputs. */
export type { HostValues };

export interface RunnerOptions {
  readonly backend: RuntimeRequest;
  readonly weights: WeightSource;
  /** The weight file, for messages; undefined for seeded weights. */
  readonly weightFile?: string;
  /** Images per forward pass, for the memory estimate. */
  readonly batch: number;
  readonly maxMemoryBytes?: number;
  readonly onProgress?: (p: { done: number; total: number }) => void;
  readonly env?: NodeJS.ProcessEnv;
  /** onnxruntime: weights past this many bytes go through a temporary folder (ort-model.ts). */
  readonly streamAboveBytes?: number;
}

export interface Runner {
  readonly backend: RuntimeInfo;
  readonly memory: MemoryEstimate;
  /** Bytes of float32 weights the runtime holds. */
  readonly weightBytes: number;
  /** The spec's input dims after the batch, e.g. [3, 224, 224]. */
  readonly inputDims: readonly number[];
  /**
   * One forward pass, outputs read back (only `outputs` when given): V5002 when the runtime fails,
   * V5004 when an output holds NaN or infinities.
   */
  run(input: HostValues, outputs?: readonly string[]): Promise<Record<string, HostValues>>;
  /** The tfjs session underneath, for callers that work with tfjs tensors (the API's `predict`). */
  readonly tfjs?: Session;
  dispose(): Promise<void>;
}

/**
 * ONNX Runtime holds the weights once, after reading them (the host copy) and encoding them (the
 * protobuf bytes), which are freed once the session has its own.
 */
function ortMemory(estimate: MemoryEstimate): MemoryEstimate {
  const loadBytes = 2 * estimate.weightBytes;
  return { ...estimate, loadBytes, totalBytes: estimate.weightBytes + loadBytes + estimate.activationBytes };
}

export async function openRunner(checked: CheckedGraph, name: string, options: RunnerOptions): Promise<Runner> {
  const env = options.env ?? process.env;
  const limit = memoryLimit(options.maxMemoryBytes);
  const tfjsEstimate = estimateMemory(checked, options.batch);
  if (options.backend === "onnxruntime") {
    checkMemory(ortMemory(tfjsEstimate), name, limit);
    return openOrt(checked, options, tfjsEstimate, []);
  }
  if (options.backend !== "auto" || env.TFJS_BACKENDS !== undefined) return openTfjs(checked, name, options, options.backend === "auto" ? "auto" : options.backend);
  // auto: tfjs on a GPU, then ONNX Runtime, then tfjs on the CPU.
  checkMemory(tfjsEstimate, name, limit);
  const skipped: Array<{ name: RuntimeName; reason: string }> = [];
  try {
    const gpu = await loadBackend("auto", { env, steps: "gpu" });
    return openTfjs(checked, name, options, "auto", gpu);
  } catch (err) {
    if (!(err instanceof NoBackendLoaded)) throw err;
    skipped.push(...err.skipped);
  }
  try {
    const ort = loadOrt();
    checkMemory(ortMemory(tfjsEstimate), name, limit);
    return await openOrt(checked, options, tfjsEstimate, skipped, ort);
  } catch (err) {
    if (!(err instanceof RuntimeUnavailable)) throw err;
    skipped.push({ name: "onnxruntime", reason: err.why });
  }
  try {
    const cpu = await loadBackend("auto", { env, steps: "cpu" });
    return openTfjs(checked, name, options, "auto", cpu, skipped);
  } catch (err) {
    if (err instanceof NoBackendLoaded) throw new NoBackendLoaded(err.skipped, [...skipped.map((s) => `\`${s.name}\`: ${s.reason}`), ...(err.details.notes ?? [])], err.details.help ?? []);
    throw err;
  }
}

async function openOrt(checked: CheckedGraph, options: RunnerOptions, tfjsEstimate: MemoryEstimate, skipped: RuntimeInfo["skipped"], ort = loadOrt()): Promise<Runner> {
  const watched = watchFinite(options.weights);
  const model = await OrtModel.load(ort, checked, watched.source, {
    env: options.env, onProgress: options.onProgress, streamAboveBytes: options.streamAboveBytes,
    afterRead: () => refuseNonFiniteWeights(options.weightFile, watched.nonFinite),
  });
  const name = checked.graph.name;
  return {
    backend: { name: "onnxruntime", device: model.device, gpu: model.gpu, skipped },
    memory: ortMemory(tfjsEstimate),
    weightBytes: model.weightBytes,
    inputDims: inputDims(checked),
    async run(input, outputs) {
      const values = await model.run(input, outputs);
      refuseNonFiniteOutputs(name, "onnxruntime", values);
      return values;
    },
    dispose: () => model.dispose(),
  };
}

async function openTfjs(
  checked: CheckedGraph, name: string, options: RunnerOptions, request: "auto" | BackendName, loaded?: LoadedBackend, skippedBefore: RuntimeInfo["skipped"] = [],
): Promise<Runner> {
  const session = await openSession(checked, name, {
    backend: request, weights: options.weights, weightFile: options.weightFile, batch: options.batch, maxMemoryBytes: options.maxMemoryBytes,
    onProgress: options.onProgress, env: options.env, loaded,
  });
  const { tf } = session.backend;
  return {
    backend: { name: session.backend.name, device: session.backend.device, gpu: session.backend.gpu, skipped: [...skippedBefore, ...session.backend.skipped] },
    memory: session.memory,
    weightBytes: session.model.weightBytes,
    inputDims: session.inputDims,
    tfjs: session,
    async run(input, outputs) {
      const tensor = tf.tensor(input.values, [...input.shape], "float32");
      let computed;
      try {
        computed = runForward(session, name, tensor);
      } finally {
        tensor.dispose();
      }
      try {
        const wanted = outputs ? Object.fromEntries(outputs.map((o) => [o, computed[o]])) : computed;
        const values = await readOutputs(session, name, wanted);
        return Object.fromEntries(Object.entries(values).map(([key, v]) => [key, { values: v, shape: wanted[key].shape }]));
      } finally {
        for (const t of Object.values(computed)) t.dispose();
      }
    },
    dispose: async () => session.model.dispose(),
  };
}
