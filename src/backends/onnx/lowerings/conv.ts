// Convolutions and max pooling on NCHW, as ONNX's Conv and MaxPool: weights stay in PyTorch's
// layout [out, in/groups, kh, kw] under their timm keys. Padding is explicit per side, so
// PyTorch's symmetric padding and TensorFlow's SAME (the smaller half first) are both exact.

import { convAxes, dilationPair } from "../../../ops/conv";
import { pairAttr } from "../../../ops/op-def";
import type { LoweringContext, OnnxLowering } from "../lowering";

/** ONNX pads [top, left, bottom, right] for the node's kernel, stride and padding. */
function explicitPads(ctx: LoweringContext): number[] {
  const [rows, cols] = convAxes(ctx.inputShapes[0].dims, ctx.attrs);
  return [rows.before, cols.before, rows.total - rows.before, cols.total - cols.before];
}

function conv(ctx: LoweringContext, filter: string): string {
  const { g, attrs } = ctx;
  const inputs = [ctx.inputs[0], filter, ...(attrs.bias ? [ctx.weight("bias")] : [])];
  return g.op("Conv", inputs, {
    kernel_shape: pairAttr(attrs, "kernel"), strides: pairAttr(attrs, "stride"), dilations: dilationPair(attrs),
    group: attrs.groups as number, pads: explicitPads(ctx),
  });
}

export const conv2dLowering: OnnxLowering = (ctx) => conv(ctx, ctx.weight("weight"));

/**
 * timm's StdConv2d standardises its weight at every forward: per output channel, minus the mean,
 * over sqrt(biased variance + eps). Written as ops on the stored weight (kept under its timm key),
 * which ORT folds into a constant when the session loads, in float32 as timm computes it.
 */
export const stdConv2dLowering: OnnxLowering = (ctx) => {
  const { g } = ctx;
  const w = ctx.weight("weight");
  const mean = (t: string) => g.op("ReduceMean", [t], { axes: [1, 2, 3], keepdims: 1 });
  const centred = g.op("Sub", [w, mean(w)]);
  const variance = mean(g.op("Mul", [centred, centred]));
  const scale = g.op("Sqrt", [g.op("Add", [variance, g.floats([ctx.attrs.eps as number])])]);
  return conv(ctx, g.op("Div", [centred, scale]));
};

/** ONNX's MaxPool pads with -inf, as PyTorch and TensorFlow SAME do. */
export const maxPoolLowering: OnnxLowering = (ctx) =>
  ctx.g.op("MaxPool", [ctx.inputs[0]], { kernel_shape: pairAttr(ctx.attrs, "kernel"), strides: pairAttr(ctx.attrs, "stride"), pads: explicitPads(ctx) });
