// vit_base_patch16_224: compiled by vitc 0.1.0 from specs/vit_base_patch16_224.vit.
// Generated code: change the spec and run `vitc build --emit ts` again rather than editing this file.
// It needs only @tensorflow/tfjs-core; register and select a backend (wasm, webgl, webgpu, cpu) first.

import * as tf from "@tensorflow/tfjs-core";

/** The model: its name, its input [C, H, W] and output without the batch dimension, and its parameter count. */
export const spec: { readonly name: string; readonly input: readonly [number, number, number]; readonly output: readonly number[]; readonly params: number; } = {
  name: "vit_base_patch16_224",
  input: [3, 224, 224],
  output: [1000],
  params: 86567656
};

/** The weights `createModel` takes: timm's state_dict keys with their PyTorch shapes. */
export const weightShapes: { readonly [timmKey: string]: readonly number[]; } = {
  "patch_embed.proj.weight": [768, 3, 16, 16],
  "patch_embed.proj.bias": [768],
  cls_token: [1, 1, 768],
  pos_embed: [1, 197, 768],
  ...repeatShapes("blocks", 12, {
    "norm1.weight": [768],
    "norm1.bias": [768],
    "attn.qkv.weight": [2304, 768],
    "attn.qkv.bias": [2304],
    "attn.proj.weight": [768, 768],
    "attn.proj.bias": [768],
    "norm2.weight": [768],
    "norm2.bias": [768],
    "mlp.fc1.weight": [3072, 768],
    "mlp.fc1.bias": [3072],
    "mlp.fc2.weight": [768, 3072],
    "mlp.fc2.bias": [768]
  }),
  "norm.weight": [768],
  "norm.bias": [768],
  "head.weight": [1000, 768],
  "head.bias": [1000]
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
  const layers = loadVit(layerReader(weights), ""); // every weight converted to the layout tfjs wants, once
  return {
    predict(input: tf.Tensor4D): { logits: tf.Tensor; features: tf.Tensor; } {
      checkInput(input, spec.input, spec.name);
      const [logits, features] = forwardInSlices(input, imagesPerPass(true), x => tf.tidy(() => vit(x, layers))); // on wasm, image by image (see imagesPerPass)
      return { logits, features };
    },
    dispose(): void {
      tf.dispose(tensorsIn(layers));
    }
  };
}

/**
 * timm `VisionTransformer`.
 * `vit` (std/vit.vit:58) at `(root)`.
 */
function vit(x: tf.Tensor, w: ReturnType<typeof loadVit>): tf.Tensor[] {
  const patchEmbedOut = tf.tidy(() => patchEmbed(x, w.patch_embed)); // [B, 196, 768]
  const features = tf.tidy(() => vitTrunk(patchEmbedOut, w.vitTrunk)); // [B, 197, 768]
  tf.dispose([patchEmbedOut]);
  const logits = tf.tidy(() => vitHead(features, w.vitHead)); // [B, 1000]
  return [logits, features];
}
const loadVit = (layer: LayerReader, p: string) => ({
  patch_embed: loadPatchEmbed(layer, weightPath(p, "patch_embed")),
  vitTrunk: loadVitTrunk(layer, p),
  vitHead: loadVitHead(layer, p)
});

/**
 * timm `PatchEmbed`: a PxP conv with stride P, flattened to tokens row-major over the grid.
 * `patch_embed` (std/vit.vit:9) at `patch_embed`.
 */
function patchEmbed(x: tf.Tensor, w: ReturnType<typeof loadPatchEmbed>): tf.Tensor {
  const proj = conv2d(toChannelsLast(x), w.proj, { strides: [16, 16], dilations: [1, 1], pad: [[0, 0], [0, 0], [0, 0], [0, 0]], groups: 1 }); // [B, 768, 14, 14], held channels-last
  return flattenTokens(proj); // [B, 196, 768]
}
const loadPatchEmbed = (layer: LayerReader, p: string) => ({
  proj: prepareConv(layer(p, "proj"), { strides: [16, 16], dilations: [1, 1], pad: [[0, 0], [0, 0], [0, 0], [0, 0]], groups: 1 })
});

/**
 * The transformer trunk shared by every ViT variant: prefix tokens, position embedding,
 * encoder blocks and the final norm. `prefix` is 1 with a class token, 2 with a distillation token.
 * `vit_trunk` (std/vit.vit:23) at `(root)`.
 */
function vitTrunk(x: tf.Tensor, w: ReturnType<typeof loadVitTrunk>): tf.Tensor {
  const clsToken = prependToken(x, w.cls_token); // [B, 197, 768]
  const posEmbed = addPosEmbed(clsToken, w.pos_embed); // [B, 197, 768]
  tf.dispose([clsToken]);
  const blocks = tf.tidy(() => repeatBlock(posEmbed, w.blocks, encoderBlock)); // [B, 197, 768]
  tf.dispose([posEmbed]);
  const norm = layerNorm(blocks, w.norm, 1e-6); // [B, 197, 768]
  tf.dispose([blocks]);
  return norm;
}
const loadVitTrunk = (layer: LayerReader, p: string) => ({
  cls_token: prepareTensor(layer(p, "cls_token")),
  pos_embed: prepareTensor(layer(p, "pos_embed")),
  blocks: Array.from({ length: 12 }, (_, i) => loadEncoderBlock(layer, weightPath(p, "blocks", i))),
  norm: prepareNorm(layer(p, "norm"))
});

/**
 * timm `Block`: pre-norm attention and MLP, each in a residual. The MLP is int(dim * mlp_ratio)
 * wide; where that is 0, timm's `Mlp` falls back to `dim` (`hidden_features or in_features`).
 * `encoder_block` (std/layers.vit:31) at `blocks.0` … `blocks.11` (12 calls); shapes as at `blocks.0`.
 */
function encoderBlock(x: tf.Tensor, w: ReturnType<typeof loadEncoderBlock>): tf.Tensor {
  const norm1 = layerNorm(x, w.norm1, 1e-6); // [B, 197, 768]
  const attn = tf.tidy(() => mhAttention(norm1, w.attn)); // [B, 197, 768]
  tf.dispose([norm1]);
  const sum = addTensors(attn, x); // [B, 197, 768]
  tf.dispose([attn]);
  const norm2 = layerNorm(sum, w.norm2, 1e-6); // [B, 197, 768]
  const mlpOut = tf.tidy(() => mlp(norm2, w.mlp)); // [B, 197, 768]
  tf.dispose([norm2]);
  const sumOut = addTensors(mlpOut, sum); // [B, 197, 768]
  tf.dispose([sum, mlpOut]);
  return sumOut;
}
const loadEncoderBlock = (layer: LayerReader, p: string) => ({
  norm1: prepareNorm(layer(p, "norm1")),
  attn: loadMhAttention(layer, weightPath(p, "attn")),
  norm2: prepareNorm(layer(p, "norm2")),
  mlp: loadMlp(layer, weightPath(p, "mlp"))
});

/**
 * timm `Attention`: fused qkv projection, multi-head scaled dot-product attention, proj.
 * `mh_attention` (std/layers.vit:18) at `blocks.0.attn` … `blocks.11.attn` (12 calls); shapes as at `blocks.0.attn`.
 */
function mhAttention(x: tf.Tensor, w: ReturnType<typeof loadMhAttention>): tf.Tensor {
  const attended = qkvAttention(x, w.qkv); // [B, 197, 768]
  return linear(attended, w.proj); // [B, 197, 768]
}
const loadMhAttention = (layer: LayerReader, p: string) => ({ qkv: prepareQkvAttention(layer(p, "qkv"), 12), proj: prepareLinear(layer(p, "proj")) });

/**
 * timm `Mlp`: fc1 → activation → fc2.
 * `mlp` (std/layers.vit:4) at `blocks.0.mlp` … `blocks.11.mlp` (12 calls); shapes as at `blocks.0.mlp`.
 */
function mlp(x: tf.Tensor, w: ReturnType<typeof loadMlp>): tf.Tensor {
  const fc1 = linear(x, w.fc1); // [B, 197, 3072]
  const act = gelu(fc1); // [B, 197, 3072]
  return linear(act, w.fc2); // [B, 197, 768]
}
const loadMlp = (layer: LayerReader, p: string) => ({ fc1: prepareLinear(layer(p, "fc1")), fc2: prepareLinear(layer(p, "fc2")) });

/**
 * Pooling and classifier of `vit` and `vit_hybrid`.
 * `vit_head` (std/vit.vit:46) at `(root)`.
 */
function vitHead(x: tf.Tensor, w: ReturnType<typeof loadVitHead>): tf.Tensor {
  const token = selectToken(x, 0); // [B, 768]
  return linear(token, w.head); // [B, 1000]
}
const loadVitHead = (layer: LayerReader, p: string) => ({ head: prepareLinear(layer(p, "head")) });

// ---- Runtime ---------------------------------------------------------------------------------
// Copied from vitc's src/backends/tfjs/runtime/, the code that `vitc run` executes, so that this
// module computes what `vitc run` computes.

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

/** Each head's q, k and v projections, cut from a qkv Linear at load. */
interface QkvAttentionWeights {
  readonly q: readonly LinearWeights[];
  readonly k: readonly LinearWeights[];
  readonly v: readonly LinearWeights[];
}

/** A qkv Linear and the global attention that reads it, as one step. */
function prepareQkvAttention(w: HostWeights, heads: number): QkvAttentionWeights {
  const dim = w.weight.shape[0] / 3;
  const headDim = dim / heads;
  const part = (p: number) => Array.from({ length: heads }, (_, h) => linearSlice(w, p * dim + h * headDim, headDim, p === 0 ? headDim ** -0.5 : 1));
  return { q: part(0), k: part(1), v: part(2) };
}

/** x [S, N, in] → [S, N, D]: the qkv projection and global attention, per sequence and head. */
function qkvAttention(x: tf.Tensor, w: QkvAttentionWeights): tf.Tensor {
  const heads = w.q.length;
  const [s, n, features] = x.shape;
  const sequences = Array.from({ length: s }, (_, i) => tf.tidy(() => {
    const rows = tf.reshape(s === 1 ? x : tf.slice(x, [i, 0, 0], [1, n, features]), [n, features]) as tf.Tensor2D;
    const outputs = Array.from({ length: heads }, (_, h) => {
      const scores = tf.matMul(linear(rows, w.q[h]), tf.transpose(linear(rows, w.k[h])));
      return tf.matMul(tf.softmax(scores), linear(rows, w.v[h]));
    });
    return tf.concat(outputs, 1);
  }));
  return s === 1 ? tf.expandDims(sequences[0], 0) : tf.stack(sequences);
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

/** [B, C, H, W] as the spec says, held [B, H, W, C] where convs, norms and pools want it. */
function toChannelsLast(x: tf.Tensor): tf.Tensor {
  return tf.transpose(x, [0, 2, 3, 1]);
}

/** Channels-last [B, H, W, C] → tokens [B, H*W, C], row-major over the grid. */
function flattenTokens(x: tf.Tensor): tf.Tensor {
  const [b, h, w, c] = x.shape;
  return tf.reshape(x, [b, h * w, c]);
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

/** A layer whose one parameter is its own path (`cls_token`, `pos_embed`): that tensor. */
function prepareTensor(w: HostWeights): tf.Tensor {
  return upload(w[""]);
}

/** [B, N, D] → [B, 1 + N, D] with `token` [1, 1, D] first. */
function prependToken(x: tf.Tensor, token: tf.Tensor): tf.Tensor {
  const [b, , d] = x.shape;
  return tf.concat([tf.broadcastTo(token, [b, 1, d]), x], 1);
}

function addPosEmbed(x: tf.Tensor, table: tf.Tensor): tf.Tensor {
  return tf.add(x, table);
}

/** [B, N, D] → [B, D]: token `index`. */
function selectToken(x: tf.Tensor, index: number): tf.Tensor {
  const [b, , d] = x.shape;
  return tf.reshape(tf.slice(x, [0, index, 0], [b, 1, d]), [b, d]);
}

/** A residual sum: `x` (the branch) added to `other`. */
function addTensors(x: tf.Tensor, other: tf.Tensor): tf.Tensor {
  return tf.add(other, x);
}
