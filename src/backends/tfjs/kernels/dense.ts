// Linear layers, norms and activations.

import { elementwise, channelsLast, upload, type Tensor, type Tf, type TfjsKernel } from "../kernel";

export const linearKernel: TfjsKernel = {
  // tfjs-wasm sends a matMul with a transposed operand to a scalar loop (about 13x slower
  // than XNNPACK), so the [out, in] weight is transposed once here instead of at every call.
  prepare: (tf, w) => tf.tidy(() => {
    const prepared: Record<string, Tensor> = { weight: tf.transpose(upload(tf, w.weight)) };
    if (w.bias) prepared.bias = upload(tf, w.bias);
    return prepared;
  }),
  run(tf, [x], weights) {
    const features = x.shape[x.shape.length - 1];
    const w = weights.weight as ReturnType<Tf["tensor2d"]>;
    const rows = tf.reshape(x, [-1, features]) as ReturnType<Tf["tensor2d"]>;
    const y = tf.fused.matMul({ a: rows, b: w, bias: weights.bias });
    return tf.reshape(y, [...x.shape.slice(0, -1), w.shape[1]]);
  },
};

/** (x - mean) / sqrt(var + eps) over `axes`, with the biased variance as PyTorch uses. */
function normalise(tf: Tf, x: Tensor, axes: number | number[], eps: number): Tensor {
  const { mean, variance } = tf.moments(x, axes, true);
  return tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, eps)));
}

export const layerNormKernel: TfjsKernel = {
  run: (tf, [x], w, ctx) => tf.add(tf.mul(normalise(tf, x, -1, ctx.attrs.eps as number), w.weight), w.bias),
};

export const groupNormKernel: TfjsKernel = {
  storage: () => channelsLast,
  run(tf, [x], w, ctx) {
    const [b, h, wd, c] = x.shape;
    const groups = ctx.attrs.groups as number;
    const grouped = tf.reshape(x, [b, h * wd, groups, c / groups]);
    const normalised = tf.reshape(normalise(tf, grouped, [1, 3], ctx.attrs.eps as number), x.shape);
    return tf.add(tf.mul(normalised, w.weight), w.bias);
  },
};

export const batchNormKernel: TfjsKernel = {
  storage: () => channelsLast,
  // At inference BatchNorm is one multiply-add per channel; PyTorch's CPU kernel folds it the
  // same way: scale = weight / sqrt(running_var + eps), shift = bias - running_mean * scale.
  prepare(tf, w, ctx) {
    const eps = ctx.attrs.eps as number;
    const channels = w.weight.values.length;
    const scale = new Float32Array(channels);
    const shift = new Float32Array(channels);
    for (let c = 0; c < channels; c++) {
      scale[c] = w.weight.values[c] / Math.sqrt(w.running_var.values[c] + eps);
      shift[c] = w.bias.values[c] - w.running_mean.values[c] * scale[c];
    }
    return { scale: tf.tensor1d(scale), shift: tf.tensor1d(shift) };
  },
  run: (tf, [x], w) => tf.add(tf.mul(x, w.scale), w.shift),
};

export const geluKernel: TfjsKernel = {
  storage: () => elementwise,
  // The exact GELU (timm's nn.GELU default), not the tanh approximation.
  run: (tf, [x]) => tf.mul(tf.mul(x, 0.5), tf.add(tf.erf(tf.mul(x, Math.SQRT1_2)), 1)),
};

export const siluKernel: TfjsKernel = {
  storage: () => elementwise,
  run: (tf, [x]) => tf.mul(x, tf.sigmoid(x)),
};

export const reluKernel: TfjsKernel = {
  storage: () => elementwise,
  run: (tf, [x]) => tf.relu(x),
};

export const softmaxKernel: TfjsKernel = {
  run: (tf, [x]) => tf.softmax(x),
};
