// What an ONNX lowering is: one primitive op (src/ops/) written as standard ONNX ops (opset 17)
// on the graph builder; with the `onnxruntime` op set, a lowering may instead use one of ONNX
// Runtime's fused kernels, reading the lowered inputs of the IR node that made its input (the
// nodes it then leaves unread are dropped when the graph is finished). The table (lowerings.ts)
// has one entry per OpKind, under the op table's keys. Tensors keep the IR's logical layout (NCHW
// where the IR says NCHW): ONNX Runtime chooses its own storage (NCHWc) for convolutions, and
// cancels the transposes that meet.
//
// Dimension 0 is the batch (times a factor for Swin's windows and MobileViT's patches), symbolic
// in the graph: a Reshape keeps it with 0 (copy the input's), infers it with -1 or reads it from
// the input's shape at run time, never fixes it.

import type { Shape } from "../../ir/shape";
import type { OpKind } from "../../ops/kinds";
import type { Attrs } from "../../ops/op-def";
import type { GraphBuilder } from "./graph-builder";

/**
 * The operators an export may use: ONNX's standard set, which every runtime and serving engine
 * loads, or also ONNX Runtime's fused kernels (`com.microsoft`), which only ONNX Runtime loads.
 */
export const onnxOpSets = ["standard", "onnxruntime"] as const;
export type OnnxOpSet = (typeof onnxOpSets)[number];

/** The IR node that made one of a node's inputs, as its own lowering saw it. */
export interface Producer {
  readonly op: OpKind;
  readonly attrs: Attrs;
  readonly inputs: readonly string[];
  weight(name: string): string;
}

export interface LoweringContext {
  readonly g: GraphBuilder;
  /** The value names of the node's inputs: the current tensor first. */
  readonly inputs: readonly string[];
  readonly attrs: Attrs;
  /** The IR shapes of the inputs and the output. */
  readonly inputShapes: readonly Shape[];
  readonly out: Shape;
  /** The node's weight path (`blocks.3.attn.qkv`). */
  readonly path: string;
  /** The initializer of the node's parameter or buffer `name`, named by its timm key, in PyTorch layout. */
  weight(name: string): string;
  readonly ops: OnnxOpSet;
  /** The node that made input `i`; undefined for the graph's input. */
  producer(i: number): Producer | undefined;
}

/** Lowers one node; returns the name of the value that is its output. */
export type OnnxLowering = (ctx: LoweringContext) => string;

export function reshape(g: GraphBuilder, x: string, dims: readonly number[]): string {
  return g.op("Reshape", [x, g.ints(dims)]);
}

/**
 * A Reshape to [the batch of `x`, ...rest] whose batch is read from `x` when the graph runs, as in
 * timm's export, instead of a constant target with 0. Same values; but with every size known
 * before the run, the copies after the attention's head split ran ~2x slower in ONNX Runtime
 * (ViT-Ti at batch 8, its profiler, only with its CPU arena on; why is not pinned down).
 */
export function reshapeBatchAtRunTime(g: GraphBuilder, x: string, rest: readonly number[]): string {
  const batch = g.op("Shape", [x], { start: 0, end: 1 });
  return g.op("Reshape", [x, g.op("Concat", [batch, g.ints(rest)], { axis: 0 })]);
}

export function transpose(g: GraphBuilder, x: string, perm: readonly number[]): string {
  return g.op("Transpose", [x], { perm });
}

/** Dimension 0 of a Reshape's target: 0 keeps the input's, -1 infers it (the batch factor changes). */
export function batchDim(from: Shape, to: Shape): number {
  return from.batch === to.batch ? 0 : -1;
}
