// Linear layers, norms and activations, as `vitc run` and emitted modules compute them.

import type * as tfc from "@tensorflow/tfjs-core";
import { upload, type HostWeights, type Tf } from "./tensors";

export interface LinearWeights {
  /** [in, out]: PyTorch's [out, in] transposed once, at load. */
  readonly weight: tfc.Tensor2D;
  readonly bias?: tfc.Tensor1D;
}

/**
 * A Linear's weight as [in, out], transposed once at load. tfjs-wasm sends a matMul with a
 * transposed operand to a scalar loop (about 13x slower than XNNPACK).
 */
export function prepareLinear(tf: Tf, w: HostWeights): LinearWeights {
  return tf.tidy(() => ({
    weight: tf.transpose(upload(tf, w.weight)) as tfc.Tensor2D,
    ...(w.bias ? { bias: upload(tf, w.bias) as tfc.Tensor1D } : {}),
  }));
}

/** x [..., in] → [..., out]. */
export function linear(tf: Tf, x: tfc.Tensor, w: LinearWeights): tfc.Tensor {
  const features = x.shape[x.shape.length - 1];
  const rows = tf.reshape(x, [-1, features]) as tfc.Tensor2D;
  const y = tf.fused.matMul({ a: rows, b: w.weight, bias: w.bias });
  return tf.reshape(y, [...x.shape.slice(0, -1), w.weight.shape[1]]);
}

/** (x - mean) / sqrt(var + eps) over `axes`, with the biased variance as PyTorch uses. */
export function normalise(tf: Tf, x: tfc.Tensor, axes: number | number[], eps: number): tfc.Tensor {
  const { mean, variance } = tf.moments(x, axes, true);
  return tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, eps)));
}

export interface NormWeights {
  readonly weight: tfc.Tensor;
  readonly bias: tfc.Tensor;
}

export function prepareNorm(tf: Tf, w: HostWeights): NormWeights {
  return { weight: upload(tf, w.weight), bias: upload(tf, w.bias) };
}

export function layerNorm(tf: Tf, x: tfc.Tensor, w: NormWeights, eps: number): tfc.Tensor {
  return tf.add(tf.mul(normalise(tf, x, -1, eps), w.weight), w.bias);
}

/** GroupNorm on channels-last x [B, H, W, C]. */
export function groupNorm(tf: Tf, x: tfc.Tensor, w: NormWeights, groups: number, eps: number): tfc.Tensor {
  const [b, h, wd, c] = x.shape;
  const grouped = tf.reshape(x, [b, h * wd, groups, c / groups]);
  const normalised = tf.reshape(normalise(tf, grouped, [1, 3], eps), x.shape);
  return tf.add(tf.mul(normalised, w.weight), w.bias);
}

export interface BatchNormWeights {
  readonly scale: tfc.Tensor1D;
  readonly shift: tfc.Tensor1D;
}

/**
 * An inference BatchNorm as one multiply-add per channel. PyTorch's CPU kernel folds it the
 * same way: scale = weight / sqrt(running_var + eps), shift = bias - running_mean * scale.
 */
export function prepareBatchNorm(tf: Tf, w: HostWeights, eps: number): BatchNormWeights {
  const channels = w.weight.values.length;
  const scale = new Float32Array(channels);
  const shift = new Float32Array(channels);
  for (let c = 0; c < channels; c++) {
    scale[c] = w.weight.values[c] / Math.sqrt(w.running_var.values[c] + eps);
    shift[c] = w.bias.values[c] - w.running_mean.values[c] * scale[c];
  }
  return { scale: tf.tensor1d(scale), shift: tf.tensor1d(shift) };
}

export function batchNorm(tf: Tf, x: tfc.Tensor, w: BatchNormWeights): tfc.Tensor {
  return tf.add(tf.mul(x, w.scale), w.shift);
}

/** The exact GELU (timm's nn.GELU default), not the tanh approximation. */
export function gelu(tf: Tf, x: tfc.Tensor): tfc.Tensor {
  return tf.mul(tf.mul(x, 0.5), tf.add(tf.erf(tf.mul(x, Math.SQRT1_2)), 1));
}

export function silu(tf: Tf, x: tfc.Tensor): tfc.Tensor {
  return tf.mul(x, tf.sigmoid(x));
}

export function relu(tf: Tf, x: tfc.Tensor): tfc.Tensor {
  return tf.relu(x);
}

export function softmax(tf: Tf, x: tfc.Tensor): tfc.Tensor {
  return tf.softmax(x);
}
