// Convolutions and max pooling, on channels-last storage (the tensor code is in runtime/conv.ts).
// The settings functions turn a node's attributes and input size into the runtime's arguments;
// the TypeScript emitter calls the same ones, so both pad and stride alike.

import { convAxes } from "../../../ops/conv";
import { pairAttr } from "../../../ops/op-def";
import { anyConv2d, maxPool, prepareConv, prepareStdConv, type ConvSettings, type ConvWeights } from "../runtime/conv";
import type { Padding4 } from "../runtime/tensors";
import { channelsLast, type KernelContext, type TfjsKernel } from "../kernel";

/** Explicit NHWC padding for the node's kernel, stride and padding (symmetric or TF SAME). */
export function explicitPadding(ctx: KernelContext): Padding4 {
  const [rows, cols] = convAxes(ctx.inputs[0].dims, ctx.attrs);
  return [[0, 0], [rows.before, rows.total - rows.before], [cols.before, cols.total - cols.before], [0, 0]];
}

export function convSettings(ctx: KernelContext): ConvSettings {
  return { strides: pairAttr(ctx.attrs, "stride"), dilations: pairAttr(ctx.attrs, "dilation"), pad: explicitPadding(ctx), groups: ctx.attrs.groups as number };
}

/** The runtime function of the node's conv: one group, one group per input channel, or several. */
export function convFunction(ctx: KernelContext): "conv2d" | "depthwiseConv2d" | "groupedConv2d" {
  const groups = ctx.attrs.groups as number;
  if (groups === 1) return "conv2d";
  return groups === ctx.inputs[0].dims[0] ? "depthwiseConv2d" : "groupedConv2d";
}

export const conv2dKernel: TfjsKernel<ConvWeights> = {
  storage: () => channelsLast,
  prepare: (tf, w, ctx) => prepareConv(tf, w, convSettings(ctx)),
  run: (tf, [x], w, ctx) => anyConv2d(tf, x, w, convSettings(ctx)),
};

export const stdConv2dKernel: TfjsKernel<ConvWeights> = {
  storage: () => channelsLast,
  prepare: (tf, w, ctx) => prepareStdConv(tf, w, convSettings(ctx), ctx.attrs.eps as number),
  run: (tf, [x], w, ctx) => anyConv2d(tf, x, w, convSettings(ctx)),
};

export const maxPoolKernel: TfjsKernel = {
  storage: () => channelsLast,
  run: (tf, [x], _w, ctx) => maxPool(tf, x, pairAttr(ctx.attrs, "kernel"), pairAttr(ctx.attrs, "stride"), explicitPadding(ctx)),
};
