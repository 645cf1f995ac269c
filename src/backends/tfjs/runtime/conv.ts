// Convolutions and max pooling on channels-last tensors: PyTorch's weight layout
// [out, in/groups, kh, kw] becomes tfjs's [kh, kw, in/groups, out] once, at load.

import type * as tfc from "@tensorflow/tfjs-core";
import { upload, type HostTensor, type HostWeights, type Padding4, type Tf } from "./tensors";

/** How one convolution runs: what the spec says, resolved against its input's size. */
export interface ConvSettings {
  readonly strides: [number, number];
  readonly dilations: [number, number];
  readonly pad: Padding4;
  readonly groups: number;
}

export interface ConvWeights {
  readonly weight: tfc.Tensor4D;
  readonly bias?: tfc.Tensor1D;
}

/** PyTorch [out, in/g, kh, kw] to the filter tfjs reads for this convolution. */
function toTfjsFilter(tf: Tf, weight: tfc.Tensor, s: ConvSettings): tfc.Tensor4D {
  const [out, perGroup, kh, kw] = weight.shape;
  // Depthwise (one input channel per group): output channel i*mult + m reads input channel i,
  // in PyTorch and in tfjs alike.
  if (s.groups > 1 && perGroup === 1) return tf.transpose(tf.reshape(weight, [s.groups, out / s.groups, kh, kw]), [2, 3, 0, 1]) as tfc.Tensor4D;
  return tf.transpose(weight, [2, 3, 1, 0]) as tfc.Tensor4D;
}

/** The filter and bias tensors of a conv from its PyTorch weights. */
export function prepareConv(tf: Tf, w: HostWeights, s: ConvSettings): ConvWeights {
  return tf.tidy(() => ({
    weight: toTfjsFilter(tf, upload(tf, w.weight), s),
    ...(w.bias ? { bias: upload(tf, w.bias) as tfc.Tensor1D } : {}),
  }));
}

/**
 * timm's StdConv2d, once: the weights standardised per output channel. Each output channel's
 * weights less their mean, over the square root of their biased variance plus eps. timm does this at every forward in float32; the weights are
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

/** A weight-standardised conv (timm's StdConv2d) prepared as a plain one. */
export function prepareStdConv(tf: Tf, w: HostWeights, s: ConvSettings, eps: number): ConvWeights {
  return prepareConv(tf, { ...w, weight: standardiseWeight(w.weight, eps) }, s);
}

/** x [B, H, W, C] → [B, H', W', out] (one group). */
export function conv2d(tf: Tf, x: tfc.Tensor, w: ConvWeights, s: ConvSettings): tfc.Tensor {
  return tf.fused.conv2d({ x: x as tfc.Tensor4D, filter: w.weight, strides: s.strides, pad: s.pad, dilations: s.dilations, bias: w.bias });
}

/** A conv with one group per input channel. */
export function depthwiseConv2d(tf: Tf, x: tfc.Tensor, w: ConvWeights, s: ConvSettings): tfc.Tensor {
  // tfjs's fused depthwise conv takes one padding for all sides: pad unequal sides first.
  const [, [top, bottom], [left, right]] = s.pad;
  const even = top === bottom && left === right && top === left;
  const input = (even ? x : tf.pad(x, s.pad)) as tfc.Tensor4D;
  return tf.fused.depthwiseConv2d({ x: input, filter: w.weight, strides: s.strides, pad: even ? top : 0, dilations: s.dilations, bias: w.bias });
}

/** A grouped conv (not depthwise): one convolution per group of channels, joined again. */
export function groupedConv2d(tf: Tf, x: tfc.Tensor, w: ConvWeights, s: ConvSettings): tfc.Tensor {
  const cin = x.shape[3]! / s.groups;
  const cout = w.weight.shape[3] / s.groups;
  const parts = Array.from({ length: s.groups }, (_, g) => {
    const xs = tf.slice(x as tfc.Tensor4D, [0, 0, 0, g * cin], [-1, -1, -1, cin]);
    const ws = tf.slice(w.weight, [0, 0, 0, g * cout], [-1, -1, -1, cout]);
    return tf.conv2d(xs, ws, s.strides, s.pad, "NHWC", s.dilations);
  });
  const y = tf.concat(parts, 3);
  return w.bias ? tf.add(y, w.bias) : y;
}

/**
 * Any conv, by its groups and input channels. `vitc run` runs this one; an emitted block runs it
 * where its calls need different ones, and calls the one it needs otherwise.
 */
export function anyConv2d(tf: Tf, x: tfc.Tensor, w: ConvWeights, s: ConvSettings): tfc.Tensor {
  if (s.groups === 1) return conv2d(tf, x, w, s);
  return x.shape[3] === s.groups ? depthwiseConv2d(tf, x, w, s) : groupedConv2d(tf, x, w, s);
}

/** Max pooling of x [B, H, W, C], padded with -inf (PyTorch and TF SAME alike, never zeros). */
export function maxPool(tf: Tf, x: tfc.Tensor, kernel: [number, number], strides: [number, number], pad: Padding4): tfc.Tensor {
  const padded = pad.some(([a, b]) => a > 0 || b > 0) ? tf.pad(x, pad, -Infinity) : x;
  return tf.maxPool(padded as tfc.Tensor4D, kernel, strides, "valid");
}
