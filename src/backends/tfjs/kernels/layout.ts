// Ops that only move elements (the tensor code is in runtime/layout.ts).

import { pairAttr } from "../../../ops/op-def";
import { flattenTokens, fold, patchMerge, reshapeTo, roll, unfold, windowPartition, windowReverse } from "../runtime/layout";
import type { TfjsKernel } from "../kernel";

export const reshapeKernel: TfjsKernel = {
  run: (tf, [x], _w, ctx) => reshapeTo(tf, x, ctx.attrs.dims as number[]),
};

// The IR's [B, C, H, W] held as [B, H, W, C] is exactly the IR's [B, H, W, C]: no data moves.
export const toNhwcKernel: TfjsKernel = {
  storage: () => ({ inputs: "nhwc", output: "logical" }),
  run: (tf, [x]) => tf.clone(x),
};

export const toNchwKernel: TfjsKernel = {
  storage: () => ({ inputs: "logical", output: "nhwc" }),
  run: (tf, [x]) => tf.clone(x),
};

export const flattenTokensKernel: TfjsKernel = {
  storage: () => ({ inputs: "nhwc", output: "logical" }),
  run: (tf, [x]) => flattenTokens(tf, x),
};

export const windowPartitionKernel: TfjsKernel = {
  run: (tf, [x], _w, ctx) => windowPartition(tf, x, pairAttr(ctx.attrs, "window")),
};

export const windowReverseKernel: TfjsKernel = {
  run: (tf, [x], _w, ctx) => windowReverse(tf, x, pairAttr(ctx.attrs, "window"), pairAttr(ctx.attrs, "grid")),
};

export const rollKernel: TfjsKernel = {
  run: (tf, [x], _w, ctx) => roll(tf, x, pairAttr(ctx.attrs, "shift")),
};

export const patchMergeKernel: TfjsKernel = {
  run: (tf, [x]) => patchMerge(tf, x),
};

export const unfoldKernel: TfjsKernel = {
  storage: () => ({ inputs: "nhwc", output: "logical" }),
  run: (tf, [x], _w, ctx) => unfold(tf, x, pairAttr(ctx.attrs, "patch")),
};

export const foldKernel: TfjsKernel = {
  storage: () => ({ inputs: "logical", output: "nhwc" }),
  run: (tf, [x], _w, ctx) => fold(tf, x, pairAttr(ctx.attrs, "patch"), pairAttr(ctx.attrs, "grid")),
};
