// A model ready to run on tfjs: the memory it needs checked against what there is, the backend
// loaded, the weights read (refusing NaN and infinities by tensor name) and prepared, and a
// forward pass whose failures and non-finite results are coded errors. Used by `vitc run`,
// `vitc bench` and the programmatic API alike; the caller has already opened and checked any
// weight file (weights/bind.ts), so that a wrong file is reported before a backend loads.

import * as os from "node:os";
import { ToolError } from "../../diagnostics/tool-error";
import { inputDims, type CheckedGraph } from "../../shapes/check";
import { refuseNonFiniteOutputs, refuseNonFiniteWeights, watchFinite, type WeightSource } from "../../weights/bind";
import type { Tensor } from "./kernel";
import { loadBackend, readTensor, type BackendRequest, type LoadedBackend } from "./load-backend";
import { estimateMemory, formatBytes, wasmHeapBytes, type MemoryEstimate } from "./memory";
import { TfjsModel, type LoadProgress } from "./model";

export interface SessionOptions {
  readonly backend: BackendRequest;
  readonly weights: WeightSource;
  /** The weight file, for messages; undefined for seeded weights. */
  readonly weightFile?: string;
  /** Images per forward pass, for the memory estimate. */
  readonly batch: number;
  /** Refuse runs estimated above this many bytes; default: the machine's memory. */
  readonly maxMemoryBytes?: number;
  readonly onProgress?: (p: LoadProgress) => void;
  readonly env?: NodeJS.ProcessEnv;
  /** A backend `auto` has already loaded (backends/runner.ts); `backend` is then not loaded again. */
  readonly loaded?: LoadedBackend;
}

export interface Session {
  readonly backend: LoadedBackend;
  readonly model: TfjsModel;
  readonly memory: MemoryEstimate;
  /** The spec's input dims after the batch, e.g. [3, 224, 224]. */
  readonly inputDims: readonly number[];
}

/** The memory this process may use: the machine's, or its control group's limit if lower. */
export function machineMemoryBytes(): number {
  const constrained = (process as { constrainedMemory?: () => number | undefined }).constrainedMemory?.() ?? 0;
  const total = os.totalmem();
  return constrained > 0 && constrained < total ? constrained : total;
}

/** The memory a run may use: `--max-memory` when given, else this machine's (its cgroup's) memory. */
export function memoryLimit(maxMemoryBytes: number | undefined): { bytes: number; given: boolean } {
  return maxMemoryBytes === undefined ? { bytes: machineMemoryBytes(), given: false } : { bytes: maxMemoryBytes, given: true };
}

/** Throws V5003 when the run would need more than `limit` bytes (or than the wasm heap holds). */
export function checkMemory(estimate: MemoryEstimate, model: string, limit: { bytes: number; given: boolean }, backend?: LoadedBackend): void {
  const parts = `${formatBytes(estimate.weightBytes)} of weights, ${formatBytes(estimate.activationBytes)} of activations at the peak, ${formatBytes(estimate.loadBytes)} while loading`;
  if (estimate.totalBytes > limit.bytes) {
    throw new ToolError("V5003", `running \`${model}\` needs about ${formatBytes(estimate.totalBytes)}, more than the ${formatBytes(limit.bytes)} ${limit.given ? "allowed by `--max-memory`" : "this machine has"}`, {
      notes: [`estimated before loading: ${parts}`],
      help: limit.given
        ? ["raise `--max-memory` if the estimate is too cautious for this model"]
        : ["check the spec's sizes (`vitc summary`); to try anyway, raise the limit with `--max-memory` (e.g. `--max-memory 64G`)", "a smaller `--batch` lowers the activations"],
    });
  }
  if (backend?.maxTensorBytes !== undefined && estimate.largest.bytes > backend.maxTensorBytes) {
    throw new ToolError("V5003", `running \`${model}\` on ${backend.name} needs a tensor of ${formatBytes(estimate.largest.bytes)} (${estimate.largest.what}), more than the ${formatBytes(backend.maxTensorBytes)} the device binds at once`, {
      notes: [`\`${backend.device}\` limits each storage buffer to ${backend.maxTensorBytes} bytes (\`maxStorageBufferBindingSize\`)`],
      help: ["use another `--backend` (wasm, cpu), or a smaller `--batch` if the tensor is an activation"],
    });
  }
  if (backend?.name === "wasm" && estimate.weightBytes + estimate.activationBytes > wasmHeapBytes) {
    throw new ToolError("V5003", `running \`${model}\` on wasm needs about ${formatBytes(estimate.weightBytes + estimate.activationBytes)}, more than the 4 GB a wasm heap can hold`, {
      notes: [`estimated before loading: ${parts}`],
      help: ["use `--backend cpu` (no such limit; slower) or `--backend tensorflow` with `@tensorflow/tfjs-node` installed"],
    });
  }
}

/** Checks memory, loads the backend and the weights: a model ready for `runForward`. */
export async function openSession(checked: CheckedGraph, name: string, options: SessionOptions): Promise<Session> {
  const memory = estimateMemory(checked, options.batch);
  const limit = memoryLimit(options.maxMemoryBytes);
  checkMemory(memory, name, limit);
  const backend = options.loaded ?? await loadBackend(options.backend, { env: options.env });
  checkMemory(memory, name, limit, backend);
  const watched = watchFinite(options.weights);
  const model = TfjsModel.load(backend.tf, checked, watched.source, { onProgress: options.onProgress });
  try {
    refuseNonFiniteWeights(options.weightFile, watched.nonFinite);
  } catch (err) {
    model.dispose();
    throw err;
  }
  return { backend, model, memory, inputDims: inputDims(checked) };
}

/**
 * One forward pass. A failure inside the backend (the wasm heap exhausted, a lost GPU device)
 * becomes a V5002 that names the backend and the model.
 */
export function runForward(session: Session, name: string, input: Tensor): Record<string, Tensor> {
  try {
    return session.model.forward(input).outputs;
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    throw new ToolError("V5002", `backend \`${session.backend.name}\` failed while running \`${name}\`: ${reason}`, {
      notes: ["most failures here are memory limits (the wasm heap is at most 4 GiB); otherwise it is a bug in vitc"],
      help: ["try a smaller `--batch`, or another `--backend`"],
    });
  }
}

/** The values of each output, read back; a V5004 when any holds NaN or infinities. */
export async function readOutputs(session: Session, name: string, outputs: Record<string, Tensor>): Promise<Record<string, Float32Array>> {
  const values: Record<string, Float32Array> = {};
  for (const [key, t] of Object.entries(outputs)) values[key] = await readTensor(t);
  refuseNonFiniteOutputs(name, session.backend.name, Object.fromEntries(Object.entries(outputs).map(([key, t]) => [key, { values: values[key], shape: t.shape }])));
  return values;
}
