// What a tfjs kernel is: the lowering of one primitive op (src/ops/) to tfjs-core ops. The
// kernel table (kernels.ts) has one entry per OpKind, under the same keys as the op table.
//
// Storage: a rank-4 tensor that is NCHW in the IR (what PyTorch and the spec say) may be held
// as NHWC, because tfjs convolutions, pooling and norms work on channels-last tensors. Each
// kernel says which storage it reads and writes; the model (model.ts) converts between them
// only where a kernel needs the other one, so a chain of convs never transposes.

import type * as tfc from "@tensorflow/tfjs-core";
import type { Shape } from "../../ir/shape";
import type { Attrs } from "../../ops/op-def";

export type Tf = typeof tfc;
export type Tensor = tfc.Tensor;
export type Weights = Readonly<Record<string, Tensor>>;

/** A weight as loaded, on the host: float32 values in PyTorch layout. */
export interface HostTensor {
  readonly values: Float32Array;
  readonly shape: readonly number[];
}

/**
 * "logical": the tensor as the IR describes it. "nhwc": a rank-4 tensor that is [B, C, H, W] in
 * the IR, held as [B, H, W, C]. Tensors of other ranks are always "logical".
 */
export type Storage = "logical" | "nhwc";

export interface KernelStorage {
  /** How rank-4 inputs must arrive; "first" means as the first input is held (elementwise ops). */
  readonly inputs: Storage | "first";
  /** How a rank-4 output is held; "first" means as the first input was. */
  readonly output: Storage | "first";
}

export interface KernelContext {
  readonly attrs: Attrs;
  /** The IR shapes of the inputs and the output (dimension 0 is a multiple of the batch). */
  readonly inputs: readonly Shape[];
  readonly out: Shape;
}

export interface TfjsKernel {
  /** Default: logical in, logical out. */
  storage?(ctx: KernelContext): KernelStorage;
  /**
   * Turns the node's weights, as loaded in PyTorch layout (Linear [out, in], Conv2d
   * [out, in/groups, kh, kw]), into the backend tensors `run` reads, and derives constant
   * buffers (Swin's relative position bias and shift mask). Runs once at load. Default: each
   * weight becomes a tensor as it is.
   */
  prepare?(tf: Tf, weights: Readonly<Record<string, HostTensor>>, ctx: KernelContext): Record<string, Tensor>;
  /** Computes the output; runs inside a tf.tidy, so intermediates need no disposing. */
  run(tf: Tf, inputs: readonly Tensor[], weights: Weights, ctx: KernelContext): Tensor;
}

export const channelsLast: KernelStorage = { inputs: "nhwc", output: "nhwc" };
export const elementwise: KernelStorage = { inputs: "first", output: "first" };

export function upload(tf: Tf, weight: HostTensor): Tensor {
  return tf.tensor(weight.values, [...weight.shape], "float32");
}

/** The weights as tensors, unchanged. */
export function uploadAll(tf: Tf, weights: Readonly<Record<string, HostTensor>>): Record<string, Tensor> {
  return Object.fromEntries(Object.entries(weights).map(([name, w]) => [name, tf.tensor(w.values, [...w.shape], "float32")]));
}
