// Convolutions and max pooling, on channels-last storage: PyTorch's weight layout
// [out, in/groups, kh, kw] becomes tfjs's [kh, kw, in/groups, out] once, at load.

import { convAxis, kernelExtent, paddingPair } from "../../../ops/conv";
import { pairAttr } from "../../../ops/op-def";
import { channelsLast, upload, type HostTensor, type KernelContext, type Tensor, type Tf, type TfjsKernel, type Weights } from "../kernel";

type Padding4 = [[number, number], [number, number], [number, number], [number, number]];

/** Explicit NHWC padding for the node's kernel, stride and padding (symmetric or TF SAME). */
function explicitPadding(ctx: KernelContext): Padding4 {
  const [kh, kw] = kernelExtent(ctx.attrs);
  const [sh, sw] = pairAttr(ctx.attrs, "stride");
  const [ph, pw] = paddingPair(ctx.attrs);
  const [, h, w] = ctx.inputs[0].dims;
  const rows = convAxis(h, kh, sh, ph);
  const cols = convAxis(w, kw, sw, pw);
  return [[0, 0], [rows.before, rows.total - rows.before], [cols.before, cols.total - cols.before], [0, 0]];
}

function isDepthwise(ctx: KernelContext): boolean {
  const groups = ctx.attrs.groups as number;
  return groups > 1 && groups === ctx.inputs[0].dims[0];
}

/** PyTorch [out, in/g, kh, kw] to the filter tfjs reads for this node. */
function toTfjsFilter(tf: Tf, weight: Tensor, ctx: KernelContext): Tensor {
  if (isDepthwise(ctx)) {
    // Output channel i*mult + m reads input channel i, in PyTorch and in tfjs alike.
    const [out, , kh, kw] = weight.shape;
    const channels = ctx.inputs[0].dims[0];
    return tf.transpose(tf.reshape(weight, [channels, out / channels, kh, kw]), [2, 3, 0, 1]);
  }
  return tf.transpose(weight, [2, 3, 1, 0]);
}

function runConv(tf: Tf, x: Tensor, weights: Weights, ctx: KernelContext): Tensor {
  const strides = pairAttr(ctx.attrs, "stride");
  const dilations = pairAttr(ctx.attrs, "dilation");
  const pad = explicitPadding(ctx);
  const bias = weights.bias as Tensor | undefined;
  const x4 = x as ReturnType<Tf["tensor4d"]>;
  const filter = weights.weight as ReturnType<Tf["tensor4d"]>;
  if (isDepthwise(ctx)) {
    // tfjs's fused depthwise conv takes one padding for all sides: pad unequal sides first.
    const [, [top, bottom], [left, right]] = pad;
    const even = top === bottom && left === right && top === left;
    const input = even ? x4 : (tf.pad(x4, pad) as ReturnType<Tf["tensor4d"]>);
    return tf.fused.depthwiseConv2d({ x: input, filter, strides, pad: even ? top : 0, dilations, bias });
  }
  const groups = ctx.attrs.groups as number;
  if (groups === 1) return tf.fused.conv2d({ x: x4, filter, strides, pad, dilations, bias });
  // Grouped (not depthwise): one convolution per group of channels, joined again.
  const cin = ctx.inputs[0].dims[0] / groups;
  const cout = (ctx.attrs.out as number) / groups;
  const parts = Array.from({ length: groups }, (_, g) => {
    const xs = tf.slice(x4, [0, 0, 0, g * cin], [-1, -1, -1, cin]);
    const ws = tf.slice(filter, [0, 0, 0, g * cout], [-1, -1, -1, cout]);
    return tf.conv2d(xs, ws, strides, pad, "NHWC", dilations);
  });
  const y = tf.concat(parts, 3);
  return bias ? tf.add(y, bias) : y;
}

/** The filter and bias tensors of a conv from its (possibly standardised) PyTorch weight. */
function prepareConv(tf: Tf, weight: HostTensor, bias: HostTensor | undefined, ctx: KernelContext): Record<string, Tensor> {
  return tf.tidy(() => {
    const prepared: Record<string, Tensor> = { weight: toTfjsFilter(tf, upload(tf, weight), ctx) };
    if (bias) prepared.bias = upload(tf, bias);
    return prepared;
  });
}

/**
 * timm's StdConv2d: per output channel, the weights less their mean, over the square root of
 * their biased variance plus eps. timm does this at every forward in float32; the weights are
 * constant at inference, so it is done once here, in float64.
 */
export function standardiseWeight(weight: HostTensor, eps: number): HostTensor {
  const out = weight.shape[0];
  const fan = weight.values.length / out;
  const values = new Float32Array(weight.values.length);
  for (let o = 0; o < out; o++) {
    const row = weight.values.subarray(o * fan, (o + 1) * fan);
    let mean = 0;
    for (const v of row) mean += v;
    mean /= fan;
    let variance = 0;
    for (const v of row) variance += (v - mean) ** 2;
    const inv = 1 / Math.sqrt(variance / fan + eps);
    for (let i = 0; i < fan; i++) values[o * fan + i] = (row[i] - mean) * inv;
  }
  return { values, shape: weight.shape };
}

export const conv2dKernel: TfjsKernel = {
  storage: () => channelsLast,
  prepare: (tf, w, ctx) => prepareConv(tf, w.weight, w.bias, ctx),
  run: (tf, [x], weights, ctx) => runConv(tf, x, weights, ctx),
};

export const stdConv2dKernel: TfjsKernel = {
  storage: () => channelsLast,
  prepare: (tf, w, ctx) => prepareConv(tf, standardiseWeight(w.weight, ctx.attrs.eps as number), w.bias, ctx),
  run: (tf, [x], weights, ctx) => runConv(tf, x, weights, ctx),
};

export const maxPoolKernel: TfjsKernel = {
  storage: () => channelsLast,
  run(tf, [x], _weights, ctx) {
    const pad = explicitPadding(ctx);
    // PyTorch and TF SAME both pad a max pool with -inf, never with zeros.
    const padded = pad.some(([a, b]) => a > 0 || b > 0) ? tf.pad(x, pad, -Infinity) : x;
    return tf.maxPool(padded as ReturnType<Tf["tensor4d"]>, pairAttr(ctx.attrs, "kernel"), pairAttr(ctx.attrs, "stride"), "valid");
  },
};
