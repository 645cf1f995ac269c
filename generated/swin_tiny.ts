// swin_tiny: compiled by vitc 0.1.0 from test/parity/swin_tiny.vit.
// Generated code: change the spec and run `vitc build --emit ts` again rather than editing this file.
// It needs only @tensorflow/tfjs-core; register and select a backend (wasm, webgl, webgpu, cpu) first.

import * as tf from "@tensorflow/tfjs-core";

/** The model: its name, its input [C, H, W] and output without the batch dimension, and its parameter count. */
export const spec: { readonly name: string; readonly input: readonly [number, number, number]; readonly output: readonly number[]; readonly params: number; } = {
  name: "swin_tiny",
  input: [3, 32, 32],
  output: [10],
  params: 135670
};

/** The weights `createModel` takes: timm's state_dict keys with their PyTorch shapes. */
export const weightShapes: { readonly [timmKey: string]: readonly number[]; } = {
  "patch_embed.proj.weight": [32, 3, 2, 2],
  "patch_embed.proj.bias": [32],
  "patch_embed.norm.weight": [32],
  "patch_embed.norm.bias": [32],
  ...repeatShapes("layers.0.blocks", 2, {
    "norm1.weight": [32],
    "norm1.bias": [32],
    "attn.relative_position_bias_table": [49, 2],
    "attn.qkv.weight": [96, 32],
    "attn.qkv.bias": [96],
    "attn.proj.weight": [32, 32],
    "attn.proj.bias": [32],
    "norm2.weight": [32],
    "norm2.bias": [32],
    "mlp.fc1.weight": [128, 32],
    "mlp.fc1.bias": [128],
    "mlp.fc2.weight": [32, 128],
    "mlp.fc2.bias": [32]
  }),
  "layers.1.downsample.norm.weight": [128],
  "layers.1.downsample.norm.bias": [128],
  "layers.1.downsample.reduction.weight": [64, 128],
  ...repeatShapes("layers.1.blocks", 2, {
    "norm1.weight": [64],
    "norm1.bias": [64],
    "attn.relative_position_bias_table": [49, 4],
    "attn.qkv.weight": [192, 64],
    "attn.qkv.bias": [192],
    "attn.proj.weight": [64, 64],
    "attn.proj.bias": [64],
    "norm2.weight": [64],
    "norm2.bias": [64],
    "mlp.fc1.weight": [256, 64],
    "mlp.fc1.bias": [256],
    "mlp.fc2.weight": [64, 256],
    "mlp.fc2.bias": [64]
  }),
  "norm.weight": [64],
  "norm.bias": [64],
  "head.fc.weight": [10, 64],
  "head.fc.bias": [10]
};

export interface VitModel {
  /**
   * timm's forward() as `logits` and forward_features() as `features`, of NCHW float32 images [B, C, H, W].
   * Leaves no tensor behind but these two, which the caller disposes.
   */
  predict(input: tf.Tensor4D): { logits: tf.Tensor; features: tf.Tensor; };
  /** Frees the model's weights. */
  dispose(): void;
}

/**
 * The model with timm's float32 weights, by state_dict key in PyTorch layouts (`weightShapes`).
 * They are converted here, once; the caller keeps (and disposes) its tensors. Throws an error
 * naming every missing, unexpected or mis-shaped weight.
 */
export function createModel(weights: Record<string, tf.Tensor>): VitModel {
  checkWeights(weights, weightShapes, spec.name);
  const layers = loadSwin(layerReader(weights), ""); // every weight converted to the layout tfjs wants, once
  return {
    predict(input: tf.Tensor4D): { logits: tf.Tensor; features: tf.Tensor; } {
      checkInput(input, spec.input, spec.name);
      const [logits, features] = forwardInSlices(input, imagesPerPass(false), x => tf.tidy(() => swin(x, layers))); // the whole batch at once
      return { logits, features };
    },
    dispose(): void {
      tf.dispose(tensorsIn(layers));
    }
  };
}

/**
 * timm `SwinTransformer`.
 * `swin` (std/swin.vit:69) at `(root)`.
 */
function swin(x: tf.Tensor, w: ReturnType<typeof loadSwin>): tf.Tensor[] {
  const patchEmbed = tf.tidy(() => swinPatchEmbed(x, w.patch_embed)); // [B, 16, 16, 32]
  const layers = tf.tidy(() => swinStage(patchEmbed, w["layers.0"])); // [B, 16, 16, 32]
  tf.dispose([patchEmbed]);
  const layersOut = tf.tidy(() => swinStage2(layers, w["layers.1"])); // [B, 8, 8, 64]
  tf.dispose([layers]);
  const norm = layerNorm(layersOut, w.norm, 1e-5); // [B, 8, 8, 64]
  tf.dispose([layersOut]);
  const pooled = globalAvgPool(norm); // [B, 64]
  const logits = tf.tidy(() => swinClassifier(pooled, w.head)); // [B, 10]
  tf.dispose([pooled]);
  return [logits, norm];
}
const loadSwin = (layer: LayerReader, p: string) => ({
  patch_embed: loadSwinPatchEmbed(layer, weightPath(p, "patch_embed")),
  "layers.0": loadSwinStage(layer, weightPath(p, "layers.0")),
  "layers.1": loadSwinStage2(layer, weightPath(p, "layers.1")),
  norm: prepareNorm(layer(p, "norm")),
  head: loadSwinClassifier(layer, weightPath(p, "head"))
});

/**
 * timm `PatchEmbed` with `output_fmt="NHWC"`: a PxP conv with stride P, then LayerNorm.
 * `swin_patch_embed` (std/swin.vit:7) at `patch_embed`.
 */
function swinPatchEmbed(x: tf.Tensor, w: ReturnType<typeof loadSwinPatchEmbed>): tf.Tensor {
  const proj = conv2d(toChannelsLast(x), w.proj, { strides: [2, 2], dilations: [1, 1], pad: [[0, 0], [0, 0], [0, 0], [0, 0]], groups: 1 }); // [B, 32, 16, 16], held channels-last
  const nhwc = tf.clone(proj); // [B, 16, 16, 32]
  return layerNorm(nhwc, w.norm, 1e-5); // [B, 16, 16, 32]
}
const loadSwinPatchEmbed = (layer: LayerReader, p: string) => ({
  proj: prepareConv(layer(p, "proj"), { strides: [2, 2], dilations: [1, 1], pad: [[0, 0], [0, 0], [0, 0], [0, 0]], groups: 1 }),
  norm: prepareNorm(layer(p, "norm"))
});

/**
 * timm `SwinTransformerStage`: the patch merging (every stage but the first), then `depth`
 * blocks at `grid`, the odd ones with shifted windows. As in timm, an axis whose resolution is
 * at most the window gets a window the size of the resolution and no shift.
 * `swin_stage` (std/swin.vit:52) at `layers.0`.
 */
function swinStage(x: tf.Tensor, w: ReturnType<typeof loadSwinStage>): tf.Tensor {
  return tf.tidy(() => repeatBlock(x, w.blocks, swinBlock)); // [B, 16, 16, 32]
}
const loadSwinStage = (layer: LayerReader, p: string) => ({
  blocks: Array.from({ length: 2 }, (_, i) => loadSwinBlock(layer, weightPath(p, "blocks", i)))
});

/**
 * timm `SwinTransformerBlock` on a `grid` feature map: (shifted) window attention, then the
 * MLP, each pre-norm in a residual. `window` and `shift` are the block's own, already fitted
 * to the grid.
 * `swin_block` (std/swin.vit:32) at `layers.0.blocks.0` … `layers.1.blocks.1` (4 calls); shapes as at `layers.0.blocks.1`.
 */
function swinBlock(x: tf.Tensor, w: ReturnType<typeof loadSwinBlock>): tf.Tensor {
  const norm1 = layerNorm(x, w.norm1, 1e-5); // [B, 16, 16, 32]
  const rolled = w.settings.roll ? roll(norm1, [-2, -2]) : norm1; // [B, 16, 16, 32]
  const windows = windowPartition(rolled, [4, 4]); // [B*16, 16, 32]
  tf.dispose([norm1, rolled]);
  const attn = tf.tidy(() => swinWindowAttention(windows, w.attn)); // [B*16, 16, 32]
  tf.dispose([windows]);
  const merged = windowReverse(attn, [4, 4], w.settings.grid); // [B, 16, 16, 32]
  tf.dispose([attn]);
  const rolledOut = w.settings.roll ? roll(merged, [2, 2]) : merged; // [B, 16, 16, 32]
  const sum = addTensors(rolledOut, x); // [B, 16, 16, 32]
  tf.dispose([merged, rolledOut]);
  const norm2 = layerNorm(sum, w.norm2, 1e-5); // [B, 16, 16, 32]
  const mlpOut = tf.tidy(() => mlp(norm2, w.mlp)); // [B, 16, 16, 32]
  tf.dispose([norm2]);
  const sumOut = addTensors(mlpOut, sum); // [B, 16, 16, 32]
  tf.dispose([sum, mlpOut]);
  return sumOut;
}
const loadSwinBlock = (layer: LayerReader, p: string) => {
  const s = swinBlockSettings[p];
  return {
    settings: s,
    norm1: prepareNorm(layer(p, "norm1")),
    attn: loadSwinWindowAttention(layer, weightPath(p, "attn")),
    norm2: prepareNorm(layer(p, "norm2")),
    mlp: loadMlp(layer, weightPath(p, "mlp"))
  };
};

/** What differs between the `swin_block` calls, by the weight path of each. */
const swinBlockSettings: Readonly<Record<string, {
  readonly roll: boolean;
  readonly grid: Parameters<typeof windowReverse>[2];
}>> = {
  "layers.0.blocks.0": { roll: false, grid: [16, 16] },
  "layers.0.blocks.1": { roll: true, grid: [16, 16] },
  "layers.1.blocks.0": { roll: false, grid: [8, 8] },
  "layers.1.blocks.1": { roll: true, grid: [8, 8] }
};

/**
 * timm `WindowAttention`: attention inside each window, with the relative position bias and,
 * for shifted windows, the mask that keeps the regions the roll brought together apart.
 * `swin_window_attention` (std/swin.vit:23) at `layers.0.blocks.0.attn` … `layers.1.blocks.1.attn` (4 calls); shapes as at `layers.0.blocks.0.attn`.
 */
function swinWindowAttention(x: tf.Tensor, w: ReturnType<typeof loadSwinWindowAttention>): tf.Tensor {
  const attended = qkvWindowAttention(x, w.qkv); // [B*16, 16, 32]
  return linear(attended, w.proj); // [B*16, 16, 32]
}
const loadSwinWindowAttention = (layer: LayerReader, p: string) => {
  const s = swinWindowAttentionSettings[p];
  return {
    settings: s,
    qkv: prepareQkvWindowAttention({ ...layer(p, "qkv"), ...layer(p, "") }, s.window),
    proj: prepareLinear(layer(p, "proj"))
  };
};

/** What differs between the `swin_window_attention` calls, by the weight path of each. */
const swinWindowAttentionSettings: Readonly<Record<string, {
  readonly window: Parameters<typeof prepareQkvWindowAttention>[1];
}>> = {
  "layers.0.blocks.0.attn": { window: { heads: 2, window: [4, 4], shift: [0, 0], grid: [16, 16] } },
  "layers.0.blocks.1.attn": { window: { heads: 2, window: [4, 4], shift: [2, 2], grid: [16, 16] } },
  "layers.1.blocks.0.attn": { window: { heads: 4, window: [4, 4], shift: [0, 0], grid: [8, 8] } },
  "layers.1.blocks.1.attn": { window: { heads: 4, window: [4, 4], shift: [2, 2], grid: [8, 8] } }
};

/**
 * timm `Mlp`: fc1 → activation → fc2.
 * `mlp` (std/layers.vit:4) at `layers.0.blocks.0.mlp` … `layers.1.blocks.1.mlp` (4 calls); shapes as at `layers.0.blocks.0.mlp`.
 */
function mlp(x: tf.Tensor, w: ReturnType<typeof loadMlp>): tf.Tensor {
  const fc1 = linear(x, w.fc1); // [B, 16, 16, 128]
  const act = gelu(fc1); // [B, 16, 16, 128]
  return linear(act, w.fc2); // [B, 16, 16, 32]
}
const loadMlp = (layer: LayerReader, p: string) => ({ fc1: prepareLinear(layer(p, "fc1")), fc2: prepareLinear(layer(p, "fc2")) });

/**
 * timm `SwinTransformerStage`: the patch merging (every stage but the first), then `depth`
 * blocks at `grid`, the odd ones with shifted windows. As in timm, an axis whose resolution is
 * at most the window gets a window the size of the resolution and no shift.
 * `swin_stage` (std/swin.vit:52) at `layers.1`.
 */
function swinStage2(x: tf.Tensor, w: ReturnType<typeof loadSwinStage2>): tf.Tensor {
  const downsample = tf.tidy(() => swinPatchMerging(x, w.downsample)); // [B, 8, 8, 64]
  const blocks = tf.tidy(() => repeatBlock(downsample, w.blocks, swinBlock)); // [B, 8, 8, 64]
  tf.dispose([downsample]);
  return blocks;
}
const loadSwinStage2 = (layer: LayerReader, p: string) => ({
  downsample: loadSwinPatchMerging(layer, weightPath(p, "downsample")),
  blocks: Array.from({ length: 2 }, (_, i) => loadSwinBlock(layer, weightPath(p, "blocks", i)))
});

/**
 * timm `PatchMerging`: each 2x2 neighbourhood becomes one token of 4C channels, LayerNorm,
 * then a linear reduction (no bias) to `out` channels.
 * `swin_patch_merging` (std/swin.vit:15) at `layers.1.downsample`.
 */
function swinPatchMerging(x: tf.Tensor, w: ReturnType<typeof loadSwinPatchMerging>): tf.Tensor {
  const merged = patchMerge(x); // [B, 8, 8, 128]
  const norm = layerNorm(merged, w.norm, 1e-5); // [B, 8, 8, 128]
  return linear(norm, w.reduction); // [B, 8, 8, 64]
}
const loadSwinPatchMerging = (layer: LayerReader, p: string) => ({ norm: prepareNorm(layer(p, "norm")), reduction: prepareLinear(layer(p, "reduction")) });

/**
 * timm `ClassifierHead`'s linear layer (`head.fc`).
 * `swin_classifier` (std/swin.vit:64) at `head`.
 */
function swinClassifier(x: tf.Tensor, w: ReturnType<typeof loadSwinClassifier>): tf.Tensor {
  return linear(x, w.fc); // [B, 10]
}
const loadSwinClassifier = (layer: LayerReader, p: string) => ({ fc: prepareLinear(layer(p, "fc")) });

// ---- Runtime ---------------------------------------------------------------------------------
// Copied from vitc's src/backends/tfjs/runtime/, the code that `vitc run` executes, so that this
// module computes what `vitc run` computes.

/** A Swin window attention: its window, its shift (0 for none) and the token grid it covers. */
interface WindowSettings {
  readonly heads: number;
  readonly window: [number, number];
  readonly shift: [number, number];
  readonly grid: [number, number];
}

/** The relative position bias of every head plus the shift mask. */
function prepareWindowBias(table: HostTensor, s: WindowSettings): tf.Tensor3D {
  const [wh, ww] = s.window;
  const [sh, sw] = s.shift;
  const n = wh * ww;
  return tf.tidy(() => {
    const index = tf.tensor1d(relativePositionIndex(wh, ww), "int32");
    const rows = tf.gather(upload(table), index); // [N*N, heads]
    const bias = tf.transpose(tf.reshape(rows, [n, n, s.heads]), [2, 0, 1]) as tf.Tensor3D; // [heads, N, N]
    if (sh === 0 && sw === 0) return bias;
    const windows = (s.grid[0] / wh) * (s.grid[1] / ww);
    const mask = tf.tensor4d(shiftMask(s.grid, [wh, ww], [sh, sw]), [windows, 1, n, n]);
    // [nW, heads, N, N]: the bias for every head plus the mask of every window.
    return tf.reshape(tf.add(tf.expandDims(bias, 0), mask), [windows * s.heads, n, n]) as tf.Tensor3D;
  });
}

/** softmax(q kᵀ + bias) v for q, k, v of [S*H, N, hd] (q already scaled); returns [S, N, H*hd]. */
function attendWindowHeads(q: tf.Tensor3D, k: tf.Tensor3D, v: tf.Tensor3D, s: number, heads: number, bias: tf.Tensor3D): tf.Tensor {
  const [, n, headDim] = q.shape;
  const scores = tf.matMul(q, k, false, true); // [S*H, N, N]
  const groups = (s * heads) / bias.shape[0];
  const biased = tf.reshape(tf.add(tf.reshape(scores, [groups, bias.shape[0], n, n]), bias), [s * heads, n, n]);
  const out = tf.matMul(tf.softmax(biased) as tf.Tensor3D, v); // [S*H, N, hd]
  return tf.reshape(tf.transpose(tf.reshape(out, [s, heads, n, headDim]), [0, 2, 1, 3]), [s, n, heads * headDim]);
}

/** Output channels [first, first + count) of a PyTorch Linear, as tfjs reads them. */
function linearSlice(w: HostWeights, first: number, count: number, scale: number): LinearWeights {
  const inputs = w.weight.shape[1];
  const weight = new Float32Array(inputs * count);
  for (let j = 0; j < count; j++) {
    const row = (first + j) * inputs;
    for (let i = 0; i < inputs; i++) weight[i * count + j] = w.weight.values[row + i] * scale;
  }
  return {
    weight: tf.tensor2d(weight, [inputs, count]),
    ...(w.bias ? { bias: tf.tensor1d(w.bias.values.slice(first, first + count).map((v) => v * scale)) } : {}),
  };
}

interface QkvWindowAttentionWeights {
  readonly q: LinearWeights;
  readonly k: LinearWeights;
  readonly v: LinearWeights;
  /** [heads, N, N], or with the shift mask [nW*heads, N, N]. */
  readonly bias: tf.Tensor3D;
  readonly heads: number;
}

/** A qkv Linear and the window attention that reads it, as one step. */
function prepareQkvWindowAttention(w: HostWeights, s: WindowSettings): QkvWindowAttentionWeights {
  const dim = w.weight.shape[0] / 3;
  const headDim = dim / s.heads;
  const part = (p: number) => linearSlice(w, p * dim, dim, p === 0 ? headDim ** -0.5 : 1);
  return { q: part(0), k: part(1), v: part(2), bias: prepareWindowBias(w.relative_position_bias_table, s), heads: s.heads };
}

/** x [S, N, in] (S = batch x windows) → [S, N, D]. */
function qkvWindowAttention(x: tf.Tensor, w: QkvWindowAttentionWeights): tf.Tensor {
  const { heads } = w;
  const [s, n, features] = x.shape;
  const rows = tf.reshape(x, [s * n, features]) as tf.Tensor2D;
  const headDim = w.q.weight.shape[1] / heads;
  // [S*N, D] → [S*H, N, hd]: each window's tokens, head by head.
  const part = (p: LinearWeights) => tf.reshape(tf.transpose(tf.reshape(linear(rows, p), [s, n, heads, headDim]), [0, 2, 1, 3]), [s * heads, n, headDim]) as tf.Tensor3D;
  return attendWindowHeads(part(w.q), part(w.k), part(w.v), s, heads, w.bias);
}

/** On wasm a model with global attention runs a batch image by image. */
function imagesPerPass(globalAttention: boolean): number | undefined {
  return tf.getBackend() === "wasm" && globalAttention ? 1 : undefined;
}

/** Runs `pass` on slices of at most `perPass` images and joins its outputs along dimension 0. */
function forwardInSlices(input: tf.Tensor, perPass: number | undefined, pass: (x: tf.Tensor) => tf.Tensor[]): tf.Tensor[] {
  const images = input.shape[0];
  if (perPass === undefined || images <= perPass) return pass(input);
  const parts: tf.Tensor[][] = [];
  try {
    for (let first = 0; first < images; first += perPass) {
      // A number as begin and size slices dimension 0 and keeps the others whole.
      const chunk = tf.slice(input, first, Math.min(perPass, images - first));
      try {
        parts.push(pass(chunk));
      } finally {
        chunk.dispose();
      }
    }
    return parts[0].map((_, i) => tf.concat(parts.map((p) => p[i]), 0));
  } finally {
    for (const t of new Set(parts.flat())) t.dispose();
  }
}

/** Every tensor in `value` (a tensor, or objects and arrays holding tensors and other values). */
function tensorsIn(value: unknown): tf.Tensor[] {
  if (value instanceof tf.Tensor) return [value];
  if (Array.isArray(value)) return value.flatMap((v: unknown) => tensorsIn(v));
  if (typeof value === "object" && value !== null) return Object.values(value).flatMap((v: unknown) => tensorsIn(v));
  return [];
}

/** How one convolution runs: what the spec says, resolved against its input's size. */
interface ConvSettings {
  readonly strides: [number, number];
  readonly dilations: [number, number];
  readonly pad: Padding4;
  readonly groups: number;
}

interface ConvWeights {
  readonly weight: tf.Tensor4D;
  readonly bias?: tf.Tensor1D;
}

/** PyTorch [out, in/g, kh, kw] to the filter tfjs reads for this convolution. */
function toTfjsFilter(weight: tf.Tensor, s: ConvSettings): tf.Tensor4D {
  const [out, perGroup, kh, kw] = weight.shape;
  // Depthwise (one input channel per group): output channel i*mult + m reads input channel i,
  // in PyTorch and in tfjs alike.
  if (s.groups > 1 && perGroup === 1) return tf.transpose(tf.reshape(weight, [s.groups, out / s.groups, kh, kw]), [2, 3, 0, 1]) as tf.Tensor4D;
  return tf.transpose(weight, [2, 3, 1, 0]) as tf.Tensor4D;
}

/** The filter and bias tensors of a conv from its PyTorch weights. */
function prepareConv(w: HostWeights, s: ConvSettings): ConvWeights {
  return tf.tidy(() => ({
    weight: toTfjsFilter(upload(w.weight), s),
    ...(w.bias ? { bias: upload(w.bias) as tf.Tensor1D } : {}),
  }));
}

/** x [B, H, W, C] → [B, H', W', out] (one group). */
function conv2d(x: tf.Tensor, w: ConvWeights, s: ConvSettings): tf.Tensor {
  return tf.fused.conv2d({ x: x as tf.Tensor4D, filter: w.weight, strides: s.strides, pad: s.pad, dilations: s.dilations, bias: w.bias });
}

interface LinearWeights {
  /** [in, out]: PyTorch's [out, in] transposed once, at load. */
  readonly weight: tf.Tensor2D;
  readonly bias?: tf.Tensor1D;
}

/** A Linear's weight as [in, out], transposed once at load. */
function prepareLinear(w: HostWeights): LinearWeights {
  return tf.tidy(() => ({
    weight: tf.transpose(upload(w.weight)) as tf.Tensor2D,
    ...(w.bias ? { bias: upload(w.bias) as tf.Tensor1D } : {}),
  }));
}

/** x [..., in] → [..., out]. */
function linear(x: tf.Tensor, w: LinearWeights): tf.Tensor {
  const features = x.shape[x.shape.length - 1];
  const rows = tf.reshape(x, [-1, features]) as tf.Tensor2D;
  const y = tf.fused.matMul({ a: rows, b: w.weight, bias: w.bias });
  return tf.reshape(y, [...x.shape.slice(0, -1), w.weight.shape[1]]);
}

/** (x - mean) / sqrt(var + eps) over `axes`, with the biased variance as PyTorch uses. */
function normalise(x: tf.Tensor, axes: number | number[], eps: number): tf.Tensor {
  const { mean, variance } = tf.moments(x, axes, true);
  return tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, eps)));
}

interface NormWeights {
  readonly weight: tf.Tensor;
  readonly bias: tf.Tensor;
}

function prepareNorm(w: HostWeights): NormWeights {
  return { weight: upload(w.weight), bias: upload(w.bias) };
}

function layerNorm(x: tf.Tensor, w: NormWeights, eps: number): tf.Tensor {
  return tf.add(tf.mul(normalise(x, -1, eps), w.weight), w.bias);
}

/** The exact GELU (timm's nn.GELU default), not the tanh approximation. */
function gelu(x: tf.Tensor): tf.Tensor {
  return tf.mul(tf.mul(x, 0.5), tf.add(tf.erf(tf.mul(x, Math.SQRT1_2)), 1));
}

/** Swaps axes 1 and 2 of x viewed as [a, b, c, d]. */
function swapMiddle(x: tf.Tensor, a: number, b: number, c: number, d: number): tf.Tensor {
  return tf.transpose(tf.reshape(x, [a, b, c, d]), [0, 2, 1, 3]);
}

/** [B, C, H, W] as the spec says, held [B, H, W, C] where convs, norms and pools want it. */
function toChannelsLast(x: tf.Tensor): tf.Tensor {
  return tf.transpose(x, [0, 2, 3, 1]);
}

/** [B, nh*wh, nw*ww, C] → [B*nh*nw, wh*ww, C], via [B*nh, nw, wh, ww*C]. */
function windowPartition(x: tf.Tensor, window: [number, number]): tf.Tensor {
  const [b, h, w, c] = x.shape;
  const [wh, ww] = window;
  const windows = swapMiddle(x, b * (h / wh), wh, w / ww, ww * c);
  return tf.reshape(windows, [-1, wh * ww, c]);
}

/** [B*nW, wh*ww, C] → [B, H, W, C] for a `grid` of H x W tokens. */
function windowReverse(x: tf.Tensor, window: [number, number], grid: [number, number]): tf.Tensor {
  const [wh, ww] = window;
  const [h, w] = grid;
  const c = x.shape[2] as number;
  const rows = swapMiddle(x, -1, w / ww, wh, ww * c); // [B*nh, wh, nw, ww*C]
  return tf.reshape(rows, [-1, h, w, c]);
}

/** out[i] = in[(i - shift) mod n] along `axis`, as torch.roll. */
function rollAxis(x: tf.Tensor, shift: number, axis: number): tf.Tensor {
  const n = x.shape[axis];
  const s = ((shift % n) + n) % n;
  if (s === 0) return x;
  const begin = x.shape.map(() => 0);
  const tailBegin = [...begin];
  tailBegin[axis] = n - s;
  const headSize = x.shape.map((d, i) => (i === axis ? n - s : d));
  const tailSize = x.shape.map((d, i) => (i === axis ? s : d));
  return tf.concat([tf.slice(x, tailBegin, tailSize), tf.slice(x, begin, headSize)], axis);
}

/** torch.roll of [B, H, W, C] by `shift` along H and W. */
function roll(x: tf.Tensor, shift: [number, number]): tf.Tensor {
  const rolled = rollAxis(rollAxis(x, shift[0], 1), shift[1], 2);
  return rolled === x ? tf.clone(x) : rolled;
}

/** Swin's patch merging: [B, H, W, C] → [B, H/2, W/2, 4C]. */
function patchMerge(x: tf.Tensor): tf.Tensor {
  const [b, h, w, c] = x.shape;
  const pairsOfRows = swapMiddle(x, b * (h / 2), 2, w / 2, 2 * c); // [B*H/2, W/2, dy, (dx, c)]
  const cells = swapMiddle(pairsOfRows, -1, 2, 2, c); // [B*H/2*W/2, dx, dy, c]
  return tf.reshape(cells, [b, h / 2, w / 2, 4 * c]);
}

function formatShape(shape: readonly number[]): string {
  return `[${shape.join(", ")}]`;
}

/** Throws one error naming every missing, unexpected, mis-shaped or non-float32 weight. */
function checkWeights(weights: Readonly<Record<string, tf.Tensor>>, expected: { readonly [key: string]: readonly number[] }, model: string): void {
  const problems: string[] = [];
  for (const [key, shape] of Object.entries(expected)) {
    const given = Object.hasOwn(weights, key) ? weights[key] : undefined;
    if (given === undefined) problems.push(`missing \`${key}\` ${formatShape(shape)}`);
    else if (formatShape(given.shape) !== formatShape(shape)) problems.push(`\`${key}\` is ${formatShape(given.shape)}, expected ${formatShape(shape)}`);
    else if (given.dtype !== "float32") problems.push(`\`${key}\` is ${given.dtype}, expected float32`);
  }
  for (const key of Object.keys(weights)) if (!Object.hasOwn(expected, key)) problems.push(`unexpected \`${key}\` ${formatShape(weights[key].shape)}`);
  if (problems.length > 0) throw new Error(`the weights do not fit \`${model}\`: ${problems.join("; ")}`);
}

/** Throws unless `input` is [B, ...dims] with B of at least 1. */
function checkInput(input: tf.Tensor, dims: readonly number[], model: string): void {
  const fits = input.rank === dims.length + 1 && input.shape[0] >= 1 && dims.every((d, i) => input.shape[i + 1] === d);
  if (!fits) throw new Error(`the input of \`${model}\` must be [B, ${dims.join(", ")}], got ${formatShape(input.shape)}`);
}

/** Reads one layer's weights, by the segments of its path (empty ones skipped). */
type LayerReader = (...path: ReadonlyArray<string | number>) => HostWeights;

/** A weight path from segments: `weightPath("", "blocks", 3)` is `blocks.3`. */
function weightPath(...segments: ReadonlyArray<string | number>): string {
  return segments.filter((segment) => segment !== "").join(".");
}

/** A reader of one layer's host weights at a time, by parameter name. */
function layerReader(weights: Readonly<Record<string, tf.Tensor>>): LayerReader {
  return (...path) => {
    const prefix = weightPath(...path);
    const layer: Array<[string, HostTensor]> = [];
    for (const [key, tensor] of Object.entries(weights)) {
      const name = key === prefix ? "" : prefix === "" ? key : key.startsWith(`${prefix}.`) ? key.slice(prefix.length + 1) : undefined;
      if (name !== undefined && !name.includes(".")) layer.push([name, { values: new Float32Array(tensor.dataSync()), shape: tensor.shape }]);
    }
    // fromEntries defines own properties: a key named `__proto__` stays a key.
    return Object.fromEntries(layer);
  };
}

/** Runs `block` once per entry of `layers`, each on the result of the one before. */
function repeatBlock<W>(x: tf.Tensor, layers: readonly W[], block: (x: tf.Tensor, w: W) => tf.Tensor): tf.Tensor {
  let y = x;
  for (const w of layers) {
    const input = y;
    y = tf.tidy(() => block(input, w));
    // A block whose optional steps were all skipped may return its input.
    if (input !== x && input !== y) input.dispose();
  }
  return y === x ? tf.clone(x) : y;
}

/** `shapes` (keys relative to one block) for `count` blocks at `prefix.0` to `prefix.{count-1}`. */
function repeatShapes(prefix: string, count: number, shapes: { readonly [key: string]: readonly number[] }): Record<string, readonly number[]> {
  const entries: Array<[string, readonly number[]]> = [];
  for (let i = 0; i < count; i++) for (const [key, shape] of Object.entries(shapes)) entries.push([weightPath(prefix, i, key), shape]);
  return Object.fromEntries(entries);
}

/** A weight as loaded, on the host: float32 values in PyTorch layout. */
interface HostTensor {
  readonly values: Float32Array;
  readonly shape: readonly number[];
}

/** One layer's weights by parameter name ("" for the layer's own path, as in `cls_token`). */
type HostWeights = Readonly<Record<string, HostTensor>>;

/** Explicit NHWC padding: [[0, 0], [top, bottom], [left, right], [0, 0]]. */
type Padding4 = [[number, number], [number, number], [number, number], [number, number]];

function upload(weight: HostTensor): tf.Tensor {
  return tf.tensor(weight.values, [...weight.shape], "float32");
}

/** [B, H, W, C] → [B, C]. */
function globalAvgPool(x: tf.Tensor): tf.Tensor {
  return tf.mean(x, [1, 2]);
}

/** A residual sum: `x` (the branch) added to `other`. */
function addTensors(x: tf.Tensor, other: tf.Tensor): tf.Tensor {
  return tf.add(other, x);
}

/** Row of the bias table for query (ha, wa) and key (hb, wb) of a wh x ww window, [N*N]. */
function relativePositionIndex(wh: number, ww: number): Int32Array {
  const n = wh * ww;
  const index = new Int32Array(n * n);
  for (let a = 0; a < n; a++) {
    for (let b = 0; b < n; b++) {
      const dh = Math.floor(a / ww) - Math.floor(b / ww) + wh - 1;
      const dw = (a % ww) - (b % ww) + ww - 1;
      index[a * n + b] = dh * (2 * ww - 1) + dw;
    }
  }
  return index;
}

/** timm's shift mask, [nW, N, N]. */
function shiftMask(grid: [number, number], window: [number, number], shift: [number, number]): Float32Array {
  const band = (i: number, n: number, ws: number, s: number) => (s === 0 ? 0 : i < n - ws ? 0 : i < n - s ? 1 : 2);
  const [gh, gw] = grid;
  const [wh, ww] = window;
  const n = wh * ww;
  const perRow = gw / ww;
  const windows = (gh / wh) * perRow;
  const mask = new Float32Array(windows * n * n);
  const label = (w: number, t: number) => {
    const row = Math.floor(w / perRow) * wh + Math.floor(t / ww);
    const col = (w % perRow) * ww + (t % ww);
    return 3 * band(row, gh, wh, shift[0]) + band(col, gw, ww, shift[1]);
  };
  for (let w = 0; w < windows; w++) {
    for (let a = 0; a < n; a++) {
      for (let b = 0; b < n; b++) mask[(w * n + a) * n + b] = label(w, a) === label(w, b) ? 0 : -100;
    }
  }
  return mask;
}
