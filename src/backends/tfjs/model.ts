// A checked IR graph made executable on tfjs: weights loaded and prepared once, then a forward
// pass that walks the nodes in order, one tf.tidy per node. Each intermediate is disposed as
// soon as its last reader has run, so memory holds the weights plus the live tensors only (one
// tidy around the whole forward would keep everything and overflow the wasm heap at ViT-B
// batch 8). Invariant: a forward leaves tf.memory().numTensors as it found it, apart from the
// tensors it returns.

import type { Node } from "../../ir/graph";
import type { CheckedGraph } from "../../shapes/check";
import { expectedTensors, tensorSize, type ExpectedTensor, type WeightSource } from "../../weights/bind";
import type { HostTensor, KernelContext, KernelStorage, Storage, Tensor, Tf, TfjsKernel } from "./kernel";
import { kernels, uploadWeights } from "./kernels";
import { isWindowed } from "../../ops/attention";
import { qkvAttentionKernel, qkvWindowAttentionKernel } from "./kernels/attention";
import { forwardInSlices, imagesPerPass, tensorsIn } from "./runtime/batch";

const logicalStorage: KernelStorage = { inputs: "logical", output: "logical" };

interface Step {
  readonly node: Node;
  /** The values it reads: the node's inputs, or the fused projection's input. */
  readonly inputs: readonly number[];
  readonly kernel: TfjsKernel<unknown>;
  readonly ctx: KernelContext;
  readonly storage: KernelStorage;
  /** What the kernel's `prepare` made: tensors, in objects and arrays of its own shape. */
  readonly weights: unknown;
  /** Whether the output is rank 4 (only rank-4 tensors have a channels-last form). */
  readonly rank4: boolean;
  /** A qkv projection computed inside the attention step that reads it: nothing to run. */
  readonly fusedInto?: number;
}

export interface LoadOptions {
  readonly onProgress?: (p: LoadProgress) => void;
  /** Fuse each qkv `linear` into the attention that alone reads it (default true). */
  readonly fuse?: boolean;
  /** Images per pass (default: see `defaultImagesPerPass`). */
  readonly imagesPerPass?: number;
}

/** Whether any attention of the graph is global (see `imagesPerPass`). */
export function hasGlobalAttention(graph: CheckedGraph): boolean {
  return graph.nodes.some((n) => n.node.op === "sdpa" && !isWindowed(n.node));
}

/** How many nodes read each node's output (a named output counts as one more reader). */
function readerCounts(graph: CheckedGraph): number[] {
  const readers = new Array<number>(graph.nodes.length).fill(0);
  for (const { node } of graph.nodes) for (const i of node.inputs) readers[i]++;
  for (const id of Object.values(graph.graph.outputs)) readers[id]++;
  return readers;
}

/**
 * qkv projections that only an attention reads, made by the same block call: sdpa id → linear
 * id. The TypeScript emitter writes each block call as a function and fuses only within one, so
 * both backends fuse exactly these pairs and compute the same numbers (a fused pair folds the
 * attention scale into q's weights, which rounds differently unless head_dim is a power of 4).
 * Every block of the standard library makes its qkv Linear and its attention in one call.
 */
export function fusableProjections(graph: CheckedGraph): Map<number, number> {
  const readers = readerCounts(graph);
  const fused = new Map<number, number>();
  const callOf = (node: Node) => node.origin.via.at(-1)?.call;
  for (const { node } of graph.nodes) {
    const source = graph.nodes[node.inputs[0]]?.node;
    if (node.op !== "sdpa" || source?.op !== "linear" || readers[source.id] !== 1 || callOf(node) !== callOf(source)) continue;
    fused.set(node.id, source.id);
  }
  return fused;
}

export interface ForwardOptions {
  /** Node ids whose outputs to return besides the named outputs (e.g. module outputs for parity). */
  readonly capture?: readonly number[];
}

export interface ForwardResult {
  /** `logits`, and `features` and `pre_logits` where the spec marks them: IR (logical) layout. */
  readonly outputs: Record<string, Tensor>;
  readonly captured: Map<number, Tensor>;
}

/** One node's value, in the forms made so far: its kernel's output and any conversion. */
interface Held {
  logical?: Tensor;
  nhwc?: Tensor;
  /** The caller's input: never disposed here. */
  readonly external?: Tensor;
}

export interface LoadProgress {
  readonly done: number;
  readonly total: number;
}

export class TfjsModel {
  private constructor(
    private readonly tf: Tf,
    private readonly graph: CheckedGraph,
    private readonly steps: readonly Step[],
    /** Bytes of float32 weights held by the backend. */
    readonly weightBytes: number,
    /** Images per pass through the graph; a larger batch runs in slices of this many. */
    private readonly imagesPerPass: number | undefined,
    /** How many steps read each step's value in one pass, counted once at load. */
    private readonly readers: readonly number[],
  ) {}

  /** Loads every parameter and buffer from `source` and prepares it for its kernel. */
  static load(tf: Tf, graph: CheckedGraph, source: WeightSource, options: LoadOptions = {}): TfjsModel {
    if (!graph.complete) throw new Error("a model with shape errors cannot be loaded");
    const expected = expectedTensors(graph);
    const total = expected.reduce((sum, t) => sum + tensorSize(t.shape), 0);
    const byNode = new Map<string, ExpectedTensor[]>();
    for (const t of expected) byNode.set(t.path, [...(byNode.get(t.path) ?? []), t]);
    const fusions = options.fuse === false ? new Map<number, number>() : fusableProjections(graph);
    const fusedInto = new Map([...fusions].map(([attention, projection]) => [projection, attention]));
    let done = 0;
    const readHost = (checkedNode: CheckedGraph["nodes"][number]): Record<string, HostTensor> => {
      const host: Record<string, HostTensor> = {};
      for (const name of [...Object.keys(checkedNode.params), ...Object.keys(checkedNode.buffers)]) {
        const t = (byNode.get(checkedNode.node.path) ?? []).find((e) => e.name === name)!;
        host[name] = { values: source.read(t), shape: t.shape };
        done += host[name].values.length;
        options.onProgress?.({ done, total });
      }
      return host;
    };
    const steps: Step[] = [];
    try {
      for (const checkedNode of graph.nodes) {
        const { node, shape } = checkedNode;
        const rank4 = shape!.dims.length === 3;
        const inputShapes = node.inputs.map((i) => graph.nodes[i].shape!);
        const projection = fusions.get(node.id);
        if (fusedInto.has(node.id)) {
          // Its weights are read by the attention step below.
          steps.push({ node, inputs: node.inputs, kernel: kernels[node.op], ctx: { attrs: node.attrs, inputs: inputShapes, out: shape! }, storage: logicalStorage, weights: {}, rank4, fusedInto: fusedInto.get(node.id) });
          continue;
        }
        if (projection !== undefined) {
          const linear = graph.nodes[projection];
          const ctx: KernelContext = { attrs: node.attrs, inputs: linear.node.inputs.map((i) => graph.nodes[i].shape!), out: shape! };
          const kernel: TfjsKernel<unknown> = isWindowed(node) ? qkvWindowAttentionKernel : qkvAttentionKernel;
          const weights = kernel.prepare!(tf, { ...readHost(linear), ...readHost(checkedNode) }, ctx);
          steps.push({ node, inputs: linear.node.inputs, kernel, ctx, storage: logicalStorage, weights, rank4 });
          continue;
        }
        const kernel = kernels[node.op];
        const ctx: KernelContext = { attrs: node.attrs, inputs: inputShapes, out: shape! };
        const host = readHost(checkedNode);
        const weights = (kernel.prepare ?? uploadWeights)(tf, host, ctx);
        steps.push({ node, inputs: node.inputs, kernel, ctx, storage: kernel.storage?.(ctx) ?? logicalStorage, weights, rank4 });
      }
    } catch (err) {
      for (const s of steps) tf.dispose(tensorsIn(tf, s.weights));
      throw err;
    }
    const weightBytes = steps.reduce((sum, s) => sum + tensorsIn(tf, s.weights).reduce((a, t) => a + t.size * 4, 0), 0);
    const readers = new Array<number>(steps.length).fill(0);
    for (const s of steps) if (s.fusedInto === undefined) for (const i of s.inputs) readers[i]++;
    return new TfjsModel(tf, graph, steps, weightBytes, options.imagesPerPass ?? imagesPerPass(tf, hasGlobalAttention(graph)), readers);
  }

  /** Runs the model on `input` ([B, …] as the spec's `input`, NCHW for images). */
  forward(input: Tensor, options: ForwardOptions = {}): ForwardResult {
    const names = Object.keys(this.graph.graph.outputs);
    const captured = [...new Set(options.capture)];
    // One list of tensors per pass, outputs then captures, so that slices join position by position.
    const flat = forwardInSlices(this.tf, input, this.imagesPerPass, (x) => {
      const r = this.forwardPass(x, captured);
      return [...names.map((name) => r.outputs[name]), ...captured.map((id) => r.captured.get(id)!)];
    });
    // Output names are the user's (`output __proto__`): no prototype for them to reach.
    const outputs = Object.create(null) as Record<string, Tensor>;
    names.forEach((name, i) => (outputs[name] = flat[i]));
    return { outputs, captured: new Map(captured.map((id, i) => [id, flat[names.length + i]])) };
  }

  private forwardPass(input: Tensor, captured: readonly number[]): ForwardResult {
    const { tf, steps } = this;
    const outputs = this.graph.graph.outputs;
    for (const id of captured) {
      const into = steps[id].fusedInto;
      if (into !== undefined) throw new Error(`node ${id} (\`${steps[id].node.path}\`) runs inside attention node ${into}; load with { fuse: false } to capture it`);
    }
    const wanted = [...new Set([...Object.values(outputs), ...captured])];
    const readers = [...this.readers];
    for (const id of wanted) readers[id]++;
    const held: Held[] = [];
    const release = (id: number) => {
      if (--readers[id] > 0) return;
      const h = held[id];
      for (const t of [h.logical, h.nhwc]) if (t && t !== h.external) t.dispose();
      held[id] = {};
    };
    try {
      for (const step of steps) {
        const id = step.node.id;
        if (step.node.op === "input") {
          held[id] = { logical: input, external: input };
          continue;
        }
        if (step.fusedInto !== undefined) continue;
        const firstStorage = this.storageOf(held[step.inputs[0]]);
        const want = step.storage.inputs === "first" ? firstStorage : step.storage.inputs;
        const args = step.inputs.map((i) => this.view(held[i], steps[i].rank4 ? want : "logical"));
        const out = tf.tidy(() => step.kernel.run(tf, args, step.weights, step.ctx));
        const storage = step.storage.output === "first" ? want : step.storage.output;
        held[id] = step.rank4 && storage === "nhwc" ? { nhwc: out } : { logical: out };
        for (const i of step.inputs) release(i);
      }
      // Clones share their data, so each returned tensor can be disposed on its own.
      const take = (id: number) => tf.clone(this.view(held[id], "logical"));
      // Output names are the user's (`output __proto__`): no prototype for them to reach.
      const result: ForwardResult = { outputs: Object.create(null) as Record<string, Tensor>, captured: new Map() };
      for (const [name, id] of Object.entries(outputs)) result.outputs[name] = take(id);
      for (const id of captured) result.captured.set(id, take(id));
      for (const id of wanted) release(id);
      return result;
    } finally {
      for (const h of held) for (const t of [h?.logical, h?.nhwc]) if (t && t !== h.external && !t.isDisposed) t.dispose();
    }
  }

  private storageOf(h: Held): Storage {
    return h.nhwc ? "nhwc" : "logical";
  }

  /** The value in the requested form, converting (and remembering the conversion) if needed. */
  private view(h: Held, storage: Storage): Tensor {
    const { tf } = this;
    if (storage === "nhwc") return (h.nhwc ??= tf.transpose(h.logical!, [0, 2, 3, 1]));
    return (h.logical ??= tf.transpose(h.nhwc!, [0, 3, 1, 2]));
  }

  dispose(): void {
    for (const s of this.steps) this.tf.dispose(tensorsIn(this.tf, s.weights));
  }
}
