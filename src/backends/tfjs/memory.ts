// How much memory running a model on tfjs needs, estimated from the checked graph before any
// weight is read or drawn, so that a model too large for the machine (a 323-billion-parameter
// ViT passes `check`; its run grew to 7 GB before dying) is refused with the numbers instead.
//
// The estimate follows what TfjsModel holds: every weight as float32 (prepared copies replace
// the loaded ones), the largest node's weights once more while `prepare` converts them, and the
// peak of the values alive at once during a forward pass (each freed after its last reader, as
// model.ts does), plus attention's score matrices, the largest temporaries of any kernel.

import { weightKey } from "../../ir/graph";
import { elementsPerImage } from "../../ir/shape";
import type { CheckedGraph } from "../../shapes/check";
import { tensorSize } from "../../weights/bind";

export interface MemoryEstimate {
  /** float32 weights and buffers held by the backend. */
  readonly weightBytes: number;
  /** Transient: the largest node's weights converted at load, the largest value read from a file. */
  readonly loadBytes: number;
  /** The peak of live activations in one forward pass of `batch` images. */
  readonly activationBytes: number;
  readonly totalBytes: number;
  /** The largest single tensor, weight or activation, and its path. */
  readonly largest: { readonly bytes: number; readonly what: string };
}

const float32 = 4;

export function estimateMemory(graph: CheckedGraph, batch: number): MemoryEstimate {
  let weightBytes = 0;
  let largestNode = 0;
  let largest = { bytes: 0, what: "" };
  const consider = (bytes: number, what: () => string) => {
    if (bytes > largest.bytes) largest = { bytes, what: what() };
  };
  for (const n of graph.nodes) {
    const tensors = { ...n.params, ...n.buffers };
    const bytes = float32 * Object.values(tensors).reduce((sum, s) => sum + tensorSize(s), 0);
    weightBytes += bytes;
    largestNode = Math.max(largestNode, bytes);
    for (const [name, shape] of Object.entries(tensors)) consider(float32 * tensorSize(shape), () => `weight \`${weightKey(n.node.path, name)}\``);
  }
  // Liveness as in TfjsModel.forward: a value lives from its node until its last reader ran.
  const lastReader = graph.nodes.map((n) => n.node.id);
  for (const n of graph.nodes) for (const i of n.node.inputs) lastReader[i] = Math.max(lastReader[i], n.node.id);
  const outputs = new Set(Object.values(graph.graph.outputs));
  const size = (id: number) => float32 * batch * elementsPerImage(graph.nodes[id].shape ?? { batch: 1, dims: [] });
  let live = 0;
  let peak = 0;
  const dying: number[][] = graph.nodes.map(() => []);
  for (const n of graph.nodes) {
    const id = n.node.id;
    live += size(id);
    consider(size(id), () => `the output of \`${n.node.path || n.node.op}\``);
    peak = Math.max(peak, live + temporaries(n, batch));
    if (!outputs.has(id)) dying[lastReader[id]].push(id);
    for (const done of dying[id]) live -= size(done);
  }
  // Reading a weight file holds one tensor's values on the host before they are uploaded.
  const loadBytes = 2 * largestNode;
  return { weightBytes, loadBytes, activationBytes: peak, totalBytes: weightBytes + loadBytes + peak, largest };
}

/** Bytes a kernel holds besides its output: attention's scores and their softmax. */
function temporaries(n: CheckedGraph["nodes"][number], batch: number): number {
  if (n.node.op !== "sdpa" || !n.shape) return 0;
  const heads = Number(n.node.attrs.heads ?? 1);
  const [tokens] = n.shape.dims;
  return 2 * float32 * batch * n.shape.batch * heads * tokens * tokens;
}

/** `1.2 GB`, `830.5 MB`, `64.0 KB`: sizes as the CLI prints them (MB = 2^20 bytes, as in `vitc run`). */
export function formatBytes(bytes: number): string {
  if (bytes >= 2 ** 40) return `${(bytes / 2 ** 40).toFixed(1)} TB`;
  if (bytes >= 2 ** 30) return `${(bytes / 2 ** 30).toFixed(1)} GB`;
  if (bytes >= 2 ** 20) return `${(bytes / 2 ** 20).toFixed(1)} MB`;
  return `${(bytes / 2 ** 10).toFixed(1)} KB`;
}

/** tfjs-backend-wasm keeps every tensor in one wasm32 heap, which Emscripten caps at 4 GiB. */
export const wasmHeapBytes = 2 ** 32;
