// vit_base_patch16_224: compiled by vitc 0.1.0 from specs/vit_base_patch16_224.vit.
// Generated code: change the spec and run `vitc build --emit ts` again rather than editing this file.
// It needs only @tensorflow/tfjs-core; register and select a backend (wasm, webgl, webgpu, cpu) first.

import * as tf from "@tensorflow/tfjs-core";

/**
 * The model: its name, its input [C, H, W] and output without the batch dimension, and its parameter count.
 */
export const spec: {
  readonly name: string; readonly input: readonly [
    number,
    number,
    number
  ]; readonly output: readonly number[]; readonly params: number;
} = {
  name: "vit_base_patch16_224",
  input: [3, 224, 224],
  output: [1000],
  params: 86567656
};

/**
 * The weights `createModel` takes: timm's state_dict keys with their PyTorch shapes.
 */
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
   * timm's forward() (`logits`) and forward_features() (`features`) of NCHW float32 images [B, C, H, W].
   * Leaves no tensor behind but the two it returns, which the caller disposes.
   */
  predict(input: tf.Tensor4D): { logits: tf.Tensor; features: tf.Tensor; };
  /**
   * Frees the model's weights.
   */
  dispose(): void;
}

/**
 * The model with timm's weights: `weightShapes` says which, by state_dict key, in PyTorch layouts
 * (Linear [out, in], Conv2d [out, in/groups, kh, kw]), float32. They are converted here, once; the
 * caller still owns (and disposes) the tensors it passed. Throws an error naming every missing,
 * unexpected or mis-shaped weight.
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
      disposeWeights(layers);
    }
  };
}

/**
 * timm `VisionTransformer`.
 *
 * `vit` (std/vit.vit:58), at `(root)`.
 */
function vit(x: tf.Tensor, w: VitWeights): tf.Tensor[] {
  const patchEmbedOut = tf.tidy(() => patchEmbed(x, w.patch_embed)); // [B, 196, 768]
  const features = tf.tidy(() => vitTrunk(patchEmbedOut, w.vitTrunk)); // [B, 197, 768]
  tf.dispose([patchEmbedOut]);
  const logits = tf.tidy(() => vitHead(features, w.vitHead)); // [B, 1000]
  return [logits, features];
}

// `vit`'s weights, from timm's under the path `p`.
function loadVit(layer: LayerReader, p: string) {
  return {
    patch_embed: loadPatchEmbed(layer, weightPath(p, "patch_embed")),
    vitTrunk: loadVitTrunk(layer, weightPath(p, "")),
    vitHead: loadVitHead(layer, weightPath(p, ""))
  };
}

type VitWeights = ReturnType<typeof loadVit>;

/**
 * timm `PatchEmbed`: a PxP conv with stride P, flattened to tokens row-major over the grid.
 *
 * `patch_embed` (std/vit.vit:9), at `patch_embed`.
 */
function patchEmbed(x: tf.Tensor, w: PatchEmbedWeights): tf.Tensor {
  const proj = conv2d(toChannelsLast(x), w.proj, { strides: [16, 16], dilations: [1, 1], pad: [[0, 0], [0, 0], [0, 0], [0, 0]], groups: 1, depthwise: false }); // [B, 768, 14, 14], held channels-last
  return flattenTokens(proj); // [B, 196, 768]
}

// `patchEmbed`'s weights, from timm's under the path `p`.
function loadPatchEmbed(layer: LayerReader, p: string) {
  return {
    proj: prepareConv(layer(p, "proj"), { strides: [16, 16], dilations: [1, 1], pad: [[0, 0], [0, 0], [0, 0], [0, 0]], groups: 1, depthwise: false })
  };
}

type PatchEmbedWeights = ReturnType<typeof loadPatchEmbed>;

/**
 * The transformer trunk shared by every ViT variant: prefix tokens, position embedding,
 * encoder blocks and the final norm. `prefix` is 1 with a class token, 2 with a distillation token.
 *
 * `vit_trunk` (std/vit.vit:23), at `(root)`.
 */
function vitTrunk(x: tf.Tensor, w: VitTrunkWeights): tf.Tensor {
  const clsToken = prependToken(x, w.cls_token); // [B, 197, 768]
  const posEmbed = addPosEmbed(clsToken, w.pos_embed); // [B, 197, 768]
  tf.dispose([clsToken]);
  const blocks = tf.tidy(() => repeatBlock(posEmbed, w.blocks, encoderBlock)); // [B, 197, 768]
  tf.dispose([posEmbed]);
  const norm = layerNorm(blocks, w.norm, 0.000001); // [B, 197, 768]
  tf.dispose([blocks]);
  return norm;
}

// `vitTrunk`'s weights, from timm's under the path `p`.
function loadVitTrunk(layer: LayerReader, p: string) {
  return {
    cls_token: prepareTensor(layer(p, "cls_token")),
    pos_embed: prepareTensor(layer(p, "pos_embed")),
    blocks: Array.from({ length: 12 }, (_, i) => loadEncoderBlock(layer, weightPath(p, "blocks", i))),
    norm: prepareNorm(layer(p, "norm"))
  };
}

type VitTrunkWeights = ReturnType<typeof loadVitTrunk>;

/**
 * timm `Block`: pre-norm attention and MLP, each in a residual. The MLP is int(dim * mlp_ratio)
 * wide; where that is 0, timm's `Mlp` falls back to `dim` (`hidden_features or in_features`).
 *
 * `encoder_block` (std/layers.vit:30), at `blocks.0` … `blocks.11` (12 calls).
 * Shapes are those at `blocks.0`.
 */
function encoderBlock(x: tf.Tensor, w: EncoderBlockWeights): tf.Tensor {
  const norm1 = layerNorm(x, w.norm1, 0.000001); // [B, 197, 768]
  const attn = tf.tidy(() => mhAttention(norm1, w.attn)); // [B, 197, 768]
  tf.dispose([norm1]);
  const sum = addTensors(attn, x); // [B, 197, 768]
  tf.dispose([attn]);
  const norm2 = layerNorm(sum, w.norm2, 0.000001); // [B, 197, 768]
  const mlpOut = tf.tidy(() => mlp(norm2, w.mlp)); // [B, 197, 768]
  tf.dispose([norm2]);
  const sumOut = addTensors(mlpOut, sum); // [B, 197, 768]
  tf.dispose([sum, mlpOut]);
  return sumOut;
}

// `encoderBlock`'s weights, from timm's under the path `p`.
function loadEncoderBlock(layer: LayerReader, p: string) {
  return {
    norm1: prepareNorm(layer(p, "norm1")),
    attn: loadMhAttention(layer, weightPath(p, "attn")),
    norm2: prepareNorm(layer(p, "norm2")),
    mlp: loadMlp(layer, weightPath(p, "mlp"))
  };
}

type EncoderBlockWeights = ReturnType<typeof loadEncoderBlock>;

/**
 * timm `Attention`: fused qkv projection, multi-head scaled dot-product attention, proj.
 *
 * `mh_attention` (std/layers.vit:18), at `blocks.0.attn` … `blocks.11.attn` (12 calls).
 * Shapes are those at `blocks.0.attn`.
 */
function mhAttention(x: tf.Tensor, w: MhAttentionWeights): tf.Tensor {
  const attended = qkvAttention(x, w.qkv); // [B, 197, 768]
  return linear(attended, w.proj); // [B, 197, 768]
}

// `mhAttention`'s weights, from timm's under the path `p`.
function loadMhAttention(layer: LayerReader, p: string) {
  return {
    qkv: prepareQkvAttention(layer(p, "qkv"), 12),
    proj: prepareLinear(layer(p, "proj"))
  };
}

type MhAttentionWeights = ReturnType<typeof loadMhAttention>;

/**
 * timm `Mlp`: fc1 → activation → fc2.
 *
 * `mlp` (std/layers.vit:4), at `blocks.0.mlp` … `blocks.11.mlp` (12 calls).
 * Shapes are those at `blocks.0.mlp`.
 */
function mlp(x: tf.Tensor, w: MlpWeights): tf.Tensor {
  const fc1 = linear(x, w.fc1); // [B, 197, 3072]
  const act = gelu(fc1); // [B, 197, 3072]
  return linear(act, w.fc2); // [B, 197, 768]
}

// `mlp`'s weights, from timm's under the path `p`.
function loadMlp(layer: LayerReader, p: string) {
  return {
    fc1: prepareLinear(layer(p, "fc1")),
    fc2: prepareLinear(layer(p, "fc2"))
  };
}

type MlpWeights = ReturnType<typeof loadMlp>;

/**
 * Pooling and classifier of `vit` and `vit_hybrid`.
 *
 * `vit_head` (std/vit.vit:46), at `(root)`.
 */
function vitHead(x: tf.Tensor, w: VitHeadWeights): tf.Tensor {
  const token = selectToken(x, 0); // [B, 768]
  return linear(token, w.head); // [B, 1000]
}

// `vitHead`'s weights, from timm's under the path `p`.
function loadVitHead(layer: LayerReader, p: string) {
  return {
    head: prepareLinear(layer(p, "head"))
  };
}

type VitHeadWeights = ReturnType<typeof loadVitHead>;

// ---- Runtime ---------------------------------------------------------------------------------
// Copied from vitc's src/backends/tfjs/runtime/, the code that `vitc run` executes, so that this
// module computes what `vitc run` computes.

interface ProjectionWeights {
  /** [in, count]. */
  readonly weight: tf.Tensor2D;
  readonly bias?: tf.Tensor1D;
}

/**
 * Output channels [first, first + count) of a PyTorch Linear (weight [out, in], bias [out]) as
 * tfjs reads them: the weight transposed to [in, count], both multiplied by `scale`.
 */
function linearSlice(w: HostWeights, first: number, count: number, scale: number): ProjectionWeights {
  const inputs = w.weight.shape[1];
  const weight = new Float32Array(inputs * count);
  for (let j = 0; j < count; j++) {
    const row = (first + j) * inputs;
    for (let i = 0; i < inputs; i++)
      weight[i * count + j] = w.weight.values[row + i] * scale;
  }
  return {
    weight: tf.tensor2d(weight, [inputs, count]),
    ...(w.bias ? { bias: tf.tensor1d(w.bias.values.slice(first, first + count).map((v) => v * scale)) } : {}),
  };
}

function project(rows: tf.Tensor2D, w: ProjectionWeights): tf.Tensor2D {
  return tf.fused.matMul({ a: rows, b: w.weight, bias: w.bias }) as tf.Tensor2D;
}

/** Each head's q, k and v projections, cut from a qkv Linear at load. */
interface QkvAttentionWeights {
  readonly q: readonly ProjectionWeights[];
  readonly k: readonly ProjectionWeights[];
  readonly v: readonly ProjectionWeights[];
}

/**
 * A qkv Linear and the global attention that reads it, as one step. Each head's q, k and v come
 * from their own [in, hd] slice of the qkv weight, cut on the host at load, so nothing is sliced
 * at run time: in tfjs-wasm every Slice copies its whole input out of the wasm heap, and the 36
 * slices of a ViT-B block's [N, 3D] tensor cost half as much as the qkv matMul itself. The
 * attention scale is folded into q's weight and bias (exact when head_dim is a power of 4).
 */
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
      const scores = tf.matMul(project(rows, w.q[h]), tf.transpose(project(rows, w.k[h])));
      return tf.matMul(tf.softmax(scores), project(rows, w.v[h]));
    });
    return tf.concat(outputs, 1);
  }));
  return s === 1 ? tf.expandDims(sequences[0], 0) : tf.stack(sequences);
}

/**
 * On wasm a model with global attention runs a batch image by image. Single-threaded XNNPACK
 * is as fast per row at 197 rows as at 1576, so batching gains nothing there, while attention
 * must cut the batch into sequences and every wasm Slice copies its whole input (8 slices of a
 * ViT-B batch of 8 per block). Image by image, a batch costs what its images cost alone.
 * Swin (whose windows attend in one batched matMul) and GPU backends keep the whole batch.
 */
function imagesPerPass(globalAttention: boolean): number | undefined {
  return tf.getBackend() === "wasm" && globalAttention ? 1 : undefined;
}

/**
 * Runs `pass` on slices of at most `perPass` images of `input` (all of it when undefined) and
 * joins each of its outputs along dimension 0: every output's dimension 0 is a multiple of the
 * batch, image-major, so slices concatenate. The slices' own outputs are disposed.
 */
function forwardInSlices(input: tf.Tensor, perPass: number | undefined, pass: (x: tf.Tensor) => tf.Tensor[]): tf.Tensor[] {
  const images = input.shape[0];
  if (perPass === undefined || images <= perPass)
    return pass(input);
  const parts: tf.Tensor[][] = [];
  const rest = input.shape.slice(1);
  try {
    for (let first = 0; first < images; first += perPass) {
      const chunk = tf.slice(input, [first, ...rest.map(() => 0)], [Math.min(perPass, images - first), ...rest]);
      try {
        parts.push(pass(chunk));
      }
      finally {
        chunk.dispose();
      }
    }
    return parts[0].map((_, i) => tf.concat(parts.map((p) => p[i]), 0));
  }
  finally {
    for (const t of new Set(parts.flat()))
      t.dispose();
  }
}

/** Every tensor in `value` (a tensor, or objects and arrays holding tensors and other values). */
function tensorsIn(value: unknown): tf.Tensor[] {
  if (value instanceof tf.Tensor)
    return [value];
  if (Array.isArray(value))
    return value.flatMap((v: unknown) => tensorsIn(v));
  if (typeof value === "object" && value !== null)
    return Object.values(value).flatMap((v: unknown) => tensorsIn(v));
  return [];
}

/** How one convolution runs: what the spec says, resolved against its input's size. */
interface ConvSettings {
  readonly strides: [
    number,
    number
  ];
  readonly dilations: [
    number,
    number
  ];
  readonly pad: Padding4;
  readonly groups: number;
  /** groups equal to the input channels (and more than one): tfjs's depthwise convolution. */
  readonly depthwise: boolean;
}

interface ConvWeights {
  readonly weight: tf.Tensor4D;
  readonly bias?: tf.Tensor1D;
}

/** PyTorch [out, in/g, kh, kw] to the filter tfjs reads for this convolution. */
function toTfjsFilter(weight: tf.Tensor, s: ConvSettings): tf.Tensor4D {
  if (s.depthwise) {
    // Output channel i*mult + m reads input channel i, in PyTorch and in tfjs alike; a
    // depthwise conv has as many groups as input channels.
    const [out, , kh, kw] = weight.shape;
    return tf.transpose(tf.reshape(weight, [s.groups, out / s.groups, kh, kw]), [2, 3, 0, 1]) as tf.Tensor4D;
  }
  return tf.transpose(weight, [2, 3, 1, 0]) as tf.Tensor4D;
}

/** The filter and bias tensors of a conv from its PyTorch weights. */
function prepareConv(w: HostWeights, s: ConvSettings): ConvWeights {
  return tf.tidy(() => ({
    weight: toTfjsFilter(upload(w.weight), s),
    ...(w.bias ? { bias: upload(w.bias) as tf.Tensor1D } : {}),
  }));
}

/** x [B, H, W, C] → [B, H', W', out]. */
function conv2d(x: tf.Tensor, w: ConvWeights, s: ConvSettings): tf.Tensor {
  const { strides, dilations, pad } = s;
  const x4 = x as tf.Tensor4D;
  if (s.depthwise) {
    // tfjs's fused depthwise conv takes one padding for all sides: pad unequal sides first.
    const [, [top, bottom], [left, right]] = pad;
    const even = top === bottom && left === right && top === left;
    const input = even ? x4 : (tf.pad(x4, pad) as tf.Tensor4D);
    return tf.fused.depthwiseConv2d({ x: input, filter: w.weight, strides, pad: even ? top : 0, dilations, bias: w.bias });
  }
  if (s.groups === 1)
    return tf.fused.conv2d({ x: x4, filter: w.weight, strides, pad, dilations, bias: w.bias });
  // Grouped (not depthwise): one convolution per group of channels, joined again.
  const cin = x4.shape[3] / s.groups;
  const cout = w.weight.shape[3] / s.groups;
  const parts = Array.from({ length: s.groups }, (_, g) => {
    const xs = tf.slice(x4, [0, 0, 0, g * cin], [-1, -1, -1, cin]);
    const ws = tf.slice(w.weight, [0, 0, 0, g * cout], [-1, -1, -1, cout]);
    return tf.conv2d(xs, ws, strides, pad, "NHWC", dilations);
  });
  const y = tf.concat(parts, 3);
  return w.bias ? tf.add(y, w.bias) : y;
}

interface LinearWeights {
  /** [in, out]: PyTorch's [out, in] transposed once, at load. */
  readonly weight: tf.Tensor2D;
  readonly bias?: tf.Tensor1D;
}

/**
 * tfjs-wasm sends a matMul with a transposed operand to a scalar loop (about 13x slower than
 * XNNPACK), so the [out, in] weight is transposed once here instead of at every call.
 */
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

/**
 * Throws one error naming every missing, unexpected and mis-shaped weight (with both shapes),
 * or a weight that is not float32; returns when `weights` has exactly the `expected` keys.
 */
function checkWeights(weights: Readonly<Record<string, tf.Tensor>>, expected: {
  readonly [key: string]: readonly number[];
}, model: string): void {
  const problems: string[] = [];
  for (const [key, shape] of Object.entries(expected)) {
    const given = Object.hasOwn(weights, key) ? weights[key] : undefined;
    if (given === undefined)
      problems.push(`missing \`${key}\` ${formatShape(shape)}`);
    else if (given.shape.length !== shape.length || given.shape.some((d, i) => d !== shape[i])) {
      problems.push(`\`${key}\` is ${formatShape(given.shape)}, expected ${formatShape(shape)}`);
    }
    else if (given.dtype !== "float32")
      problems.push(`\`${key}\` is ${given.dtype}, expected float32`);
  }
  for (const key of Object.keys(weights)) {
    if (!Object.hasOwn(expected, key))
      problems.push(`unexpected \`${key}\` ${formatShape(weights[key].shape)}`);
  }
  if (problems.length > 0)
    throw new Error(`the weights do not fit \`${model}\`: ${problems.join("; ")}`);
}

/** Throws unless `input` is [B, ...dims] with B of at least 1. */
function checkInput(input: tf.Tensor, dims: readonly number[], model: string): void {
  const fits = input.rank === dims.length + 1 && input.shape[0] >= 1 && dims.every((d, i) => input.shape[i + 1] === d);
  if (!fits)
    throw new Error(`the input of \`${model}\` must be [B, ${dims.join(", ")}], got ${formatShape(input.shape)}`);
}

/** Reads one layer's weights, by the segments of its path (empty ones skipped). */
type LayerReader = (...path: ReadonlyArray<string | number>) => HostWeights;

/** A weight path from segments: `weightPath("", "blocks", 3)` is `blocks.3`. */
function weightPath(...segments: ReadonlyArray<string | number>): string {
  return segments.filter((segment) => segment !== "").join(".");
}

/**
 * A reader of one layer's weights at a time: `layer("blocks", 3, "attn.qkv")` gives the host values
 * of `blocks.3.attn.qkv.weight` and `.bias` by parameter name, and a key that is the path itself
 * (`cls_token`) under the name "". Values are copied, so the caller's tensors stay theirs.
 */
function layerReader(weights: Readonly<Record<string, tf.Tensor>>): LayerReader {
  return (...path) => {
    const prefix = weightPath(...path);
    const layer: Array<[
      string,
      HostTensor
    ]> = [];
    for (const [key, tensor] of Object.entries(weights)) {
      const name = key === prefix ? "" : prefix === "" ? key : key.startsWith(`${prefix}.`) ? key.slice(prefix.length + 1) : undefined;
      if (name !== undefined && !name.includes("."))
        layer.push([name, { values: new Float32Array(tensor.dataSync()), shape: tensor.shape }]);
    }
    // fromEntries defines own properties: a key named `__proto__` stays a key.
    return Object.fromEntries(layer);
  };
}

/** Frees every tensor of a loaded model. */
function disposeWeights(weights: unknown): void {
  tf.dispose(tensorsIn(weights));
}

/**
 * Runs `block` once per entry of `layers`, each on the result of the one before and in a tidy of
 * its own, disposing each intermediate as soon as the next exists (one tidy around all of them
 * would keep every block's tensors alive). Returns a new tensor: `x` stays the caller's.
 */
function repeatBlock<W>(x: tf.Tensor, layers: readonly W[], block: (x: tf.Tensor, w: W) => tf.Tensor): tf.Tensor {
  let y = x;
  for (const w of layers) {
    const input = y;
    y = tf.tidy(() => block(input, w));
    if (input !== x)
      input.dispose();
  }
  return y === x ? tf.clone(x) : y;
}

/** `shapes` (keys relative to one repeated block) for each of `count` blocks at `prefix.0`, `prefix.1`, …. */
function repeatShapes(prefix: string, count: number, shapes: {
  readonly [key: string]: readonly number[];
}): Record<string, readonly number[]> {
  const entries: Array<[
    string,
    readonly number[]
  ]> = [];
  for (let i = 0; i < count; i++)
    for (const [key, shape] of Object.entries(shapes))
      entries.push([weightPath(prefix, i, key), shape]);
  return Object.fromEntries(entries);
}

/** A weight as loaded, on the host: float32 values in PyTorch layout. */
interface HostTensor {
  readonly values: Float32Array;
  readonly shape: readonly number[];
}

/** One layer's weights by parameter name (`weight`, `bias`; "" for the layer's own path, as `cls_token`). */
type HostWeights = Readonly<Record<string, HostTensor>>;

/** Explicit NHWC padding: [[0, 0], [top, bottom], [left, right], [0, 0]]. */
type Padding4 = [
  [
    number,
    number
  ],
  [
    number,
    number
  ],
  [
    number,
    number
  ],
  [
    number,
    number
  ]
];

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
