// What a tfjs kernel is: the lowering of one primitive op (src/ops/) to tfjs-core ops. The
// kernel table (kernels.ts) has one entry per OpKind, under the same keys as the op table. The
// tensor code itself lives in runtime/, which emitted modules copy (src/backends/typescript/):
// a kernel only turns the node's attributes and shapes into the runtime's arguments.
//
// Storage: a rank-4 tensor that is NCHW in the IR (what PyTorch and the spec say) may be held
// as NHWC, because tfjs convolutions, pooling and norms work on channels-last tensors. Each
// kernel says which storage it reads and writes; the model (model.ts) converts between them
// only where a kernel needs the other one, so a chain of convs never transposes.

import type * as tfc from "@tensorflow/tfjs-core";
import type { Shape } from "../../ir/shape";
import type { Attrs } from "../../ops/op-def";
import type { HostWeights } from "./runtime/tensors";

export type { Tf, HostTensor, HostWeights } from "./runtime/tensors";
import type { Tf } from "./runtime/tensors";
export type Tensor = tfc.Tensor;

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

/** `W`: the node's weights as `prepare` makes them and `run` reads them. */
export interface TfjsKernel<W = unknown> {
  /** Default: logical in, logical out. */
  storage?(ctx: KernelContext): KernelStorage;
  /**
   * Turns the node's weights, as loaded in PyTorch layout (Linear [out, in], Conv2d
   * [out, in/groups, kh, kw]), into what `run` reads, and derives constant buffers (Swin's
   * relative position bias and shift mask). Runs once at load. Default: each weight becomes a
   * tensor as it is (`uploadAll`).
   */
  prepare?(tf: Tf, weights: HostWeights, ctx: KernelContext): W;
  /** Computes the output; runs inside a tf.tidy, so intermediates need no disposing. */
  run(tf: Tf, inputs: readonly Tensor[], weights: W, ctx: KernelContext): Tensor;
}

export const channelsLast: KernelStorage = { inputs: "nhwc", output: "nhwc" };
export const elementwise: KernelStorage = { inputs: "first", output: "first" };
