// Multi-head attention from a fused qkv tensor [S, N, 3*D] (channel s*D + h*hd + d), as timm
// computes it: softmax((q * hd^-0.5) @ kᵀ [+ bias] [+ mask]) @ v, heads concatenated.
//
// Global attention (ViT, DeiT, MobileViT) runs as 2-D matMuls per sequence and head: tfjs-wasm
// sends only unbatched, untransposed matMuls to XNNPACK (44 against 3.4 GFLOP/s for a batched
// one), which made ViT 1.4-2x faster end to end. Swin's windows are many and tiny (49 tokens),
// so there one batched matMul over all windows and heads costs less than thousands of calls.

import type * as tfc from "@tensorflow/tfjs-core";
import { linear, type LinearWeights } from "./dense";
import { upload, type HostTensor, type HostWeights, type Tf } from "./tensors";
import { relativePositionIndex, shiftMask } from "../../../ops/window-attention";

/** A Swin window attention: its window, its shift (0 for none) and the token grid it covers. */
export interface WindowSettings {
  readonly heads: number;
  readonly window: [number, number];
  readonly shift: [number, number];
  readonly grid: [number, number];
}

/**
 * The relative position bias of every head plus the shift mask. The result is [heads, N, N], or
 * [nW*heads, N, N] with a mask.
 */
export function prepareWindowBias(tf: Tf, table: HostTensor, s: WindowSettings): tfc.Tensor3D {
  const [wh, ww] = s.window;
  const [sh, sw] = s.shift;
  const n = wh * ww;
  return tf.tidy(() => {
    const index = tf.tensor1d(relativePositionIndex(wh, ww), "int32");
    const rows = tf.gather(upload(tf, table), index); // [N*N, heads]
    const bias = tf.transpose(tf.reshape(rows, [n, n, s.heads]), [2, 0, 1]) as tfc.Tensor3D; // [heads, N, N]
    if (sh === 0 && sw === 0) return bias;
    const windows = (s.grid[0] / wh) * (s.grid[1] / ww);
    const mask = tf.tensor4d(shiftMask(s.grid, [wh, ww], [sh, sw]), [windows, 1, n, n]);
    // [nW, heads, N, N]: the bias for every head plus the mask of every window.
    return tf.reshape(tf.add(tf.expandDims(bias, 0), mask), [windows * s.heads, n, n]) as tfc.Tensor3D;
  });
}

export interface WindowAttentionWeights {
  /** [heads, N, N], or with the shift mask [nW*heads, N, N]. */
  readonly bias: tfc.Tensor3D;
  readonly heads: number;
}

/** A window attention's bias (and mask) from its `relative_position_bias_table`. */
export function prepareWindowAttention(tf: Tf, w: HostWeights, s: WindowSettings): WindowAttentionWeights {
  return { bias: prepareWindowBias(tf, w.relative_position_bias_table, s), heads: s.heads };
}

/** Window attention of qkv [S, N, 3D] (no projection fused in); returns [S, N, D]. */
export function windowAttention(tf: Tf, x: tfc.Tensor, w: WindowAttentionWeights): tfc.Tensor {
  return attendWindows(tf, x, w.heads, w.bias);
}

/** One sequence [N, 3D] through all heads with 2-D matMuls; returns [N, D]. */
function attendOneSequence(tf: Tf, qkv: tfc.Tensor, heads: number): tfc.Tensor {
  const [n, c3] = qkv.shape;
  const headDim = c3 / 3 / heads;
  // [3*heads, N, hd]: q heads, then k heads, then v heads, each contiguous.
  const split = tf.transpose(tf.reshape(qkv, [n, 3 * heads, headDim]), [1, 0, 2]);
  const q = tf.mul(tf.slice(split, [0, 0, 0], [heads, n, headDim]), headDim ** -0.5);
  // One explicit transpose for all heads' keys, so each matMul below is untransposed.
  const kT = tf.transpose(tf.slice(split, [heads, 0, 0], [heads, n, headDim]), [0, 2, 1]);
  const outputs: tfc.Tensor[] = [];
  for (let h = 0; h < heads; h++) {
    const qh = tf.reshape(tf.slice(q, [h, 0, 0], [1, n, headDim]), [n, headDim]) as tfc.Tensor2D;
    const kh = tf.reshape(tf.slice(kT, [h, 0, 0], [1, headDim, n]), [headDim, n]) as tfc.Tensor2D;
    const vh = tf.reshape(tf.slice(split, [2 * heads + h, 0, 0], [1, n, headDim]), [n, headDim]) as tfc.Tensor2D;
    outputs.push(tf.matMul(tf.softmax(tf.matMul(qh, kh)), vh));
  }
  return tf.concat(outputs, 1);
}

/** Global attention of qkv [S, N, 3D] (no projection fused in); returns [S, N, D]. */
export function attendGlobal(tf: Tf, x: tfc.Tensor, heads: number): tfc.Tensor {
  const [s, n, c3] = x.shape;
  const sequences: tfc.Tensor[] = [];
  for (let i = 0; i < s; i++) sequences.push(attendOneSequence(tf, tf.reshape(tf.slice(x, [i, 0, 0], [1, n, c3]), [n, c3]), heads));
  return tf.stack(sequences);
}

/** Window attention of qkv [S, N, 3D] for all windows and heads at once; returns [S, N, D]. */
function attendWindows(tf: Tf, x: tfc.Tensor, heads: number, bias: tfc.Tensor3D): tfc.Tensor {
  const [s, n, c3] = x.shape;
  const headDim = c3 / 3 / heads;
  const split = tf.transpose(tf.reshape(x, [s, n, 3 * heads, headDim]), [0, 2, 1, 3]); // [S, 3H, N, hd]
  const part = (i: number) => tf.reshape(tf.slice(split, [0, i * heads, 0, 0], [s, heads, n, headDim]), [s * heads, n, headDim]) as tfc.Tensor3D;
  return attendWindowHeads(tf, tf.mul(part(0), headDim ** -0.5) as tfc.Tensor3D, part(1), part(2), s, heads, bias);
}

/** softmax(q kᵀ + bias) v for q, k, v of [S*H, N, hd] (q already scaled); returns [S, N, H*hd]. */
function attendWindowHeads(tf: Tf, q: tfc.Tensor3D, k: tfc.Tensor3D, v: tfc.Tensor3D, s: number, heads: number, bias: tfc.Tensor3D): tfc.Tensor {
  const [, n, headDim] = q.shape;
  const scores = tf.matMul(q, k, false, true); // [S*H, N, N]
  const groups = (s * heads) / bias.shape[0];
  const biased = tf.reshape(tf.add(tf.reshape(scores, [groups, bias.shape[0], n, n]), bias), [s * heads, n, n]);
  const out = tf.matMul(tf.softmax(biased) as tfc.Tensor3D, v); // [S*H, N, hd]
  return tf.reshape(tf.transpose(tf.reshape(out, [s, heads, n, headDim]), [0, 2, 1, 3]), [s, n, heads * headDim]);
}

/**
 * Output channels [first, first + count) of a PyTorch Linear, as tfjs reads them. From weight
 * [out, in] and bias [out]: the weight transposed to [in, count], both multiplied by `scale`.
 */
function linearSlice(tf: Tf, w: HostWeights, first: number, count: number, scale: number): LinearWeights {
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
export interface QkvAttentionWeights {
  readonly q: readonly LinearWeights[];
  readonly k: readonly LinearWeights[];
  readonly v: readonly LinearWeights[];
}

/**
 * A qkv Linear and the global attention that reads it, as one step. Each head's q, k and v come
 * from their own [in, hd] slice of the qkv weight, cut on the host at load, so nothing is sliced
 * at run time: in tfjs-wasm every Slice copies its whole input out of the wasm heap, and the 36
 * slices of a ViT-B block's [N, 3D] tensor cost half as much as the qkv matMul itself. The
 * attention scale is folded into q's weight and bias (exact when head_dim is a power of 4).
 */
export function prepareQkvAttention(tf: Tf, w: HostWeights, heads: number): QkvAttentionWeights {
  const dim = w.weight.shape[0] / 3;
  const headDim = dim / heads;
  const part = (p: number) => Array.from({ length: heads }, (_, h) => linearSlice(tf, w, p * dim + h * headDim, headDim, p === 0 ? headDim ** -0.5 : 1));
  return { q: part(0), k: part(1), v: part(2) };
}

/** x [S, N, in] → [S, N, D]: the qkv projection and global attention, per sequence and head. */
export function qkvAttention(tf: Tf, x: tfc.Tensor, w: QkvAttentionWeights): tfc.Tensor {
  const heads = w.q.length;
  const [s, n, features] = x.shape;
  const sequences = Array.from({ length: s }, (_, i) => tf.tidy(() => {
    const rows = tf.reshape(s === 1 ? x : tf.slice(x, [i, 0, 0], [1, n, features]), [n, features]) as tfc.Tensor2D;
    const outputs = Array.from({ length: heads }, (_, h) => {
      const scores = tf.matMul(linear(tf, rows, w.q[h]), tf.transpose(linear(tf, rows, w.k[h])));
      return tf.matMul(tf.softmax(scores), linear(tf, rows, w.v[h]));
    });
    return tf.concat(outputs, 1);
  }));
  return s === 1 ? tf.expandDims(sequences[0], 0) : tf.stack(sequences);
}

export interface QkvWindowAttentionWeights {
  readonly q: LinearWeights;
  readonly k: LinearWeights;
  readonly v: LinearWeights;
  /** [heads, N, N], or with the shift mask [nW*heads, N, N]. */
  readonly bias: tfc.Tensor3D;
  readonly heads: number;
}

/**
 * A qkv Linear and the window attention that reads it, as one step. q, k and v come from three
 * Linears of their own instead of slices of one [S, N, 3D] tensor, which on wasm are strided
 * copies of the whole tensor (a third of the Slice time of Swin-T). `w` holds the Linear's
 * `weight` and `bias` and the attention's `relative_position_bias_table`.
 */
export function prepareQkvWindowAttention(tf: Tf, w: HostWeights, s: WindowSettings): QkvWindowAttentionWeights {
  const dim = w.weight.shape[0] / 3;
  const headDim = dim / s.heads;
  const part = (p: number) => linearSlice(tf, w, p * dim, dim, p === 0 ? headDim ** -0.5 : 1);
  return { q: part(0), k: part(1), v: part(2), bias: prepareWindowBias(tf, w.relative_position_bias_table, s), heads: s.heads };
}

/** x [S, N, in] (S = batch x windows) → [S, N, D]. */
export function qkvWindowAttention(tf: Tf, x: tfc.Tensor, w: QkvWindowAttentionWeights): tfc.Tensor {
  const { heads } = w;
  const [s, n, features] = x.shape;
  const rows = tf.reshape(x, [s * n, features]) as tfc.Tensor2D;
  const headDim = w.q.weight.shape[1] / heads;
  // [S*N, D] → [S*H, N, hd]: each window's tokens, head by head.
  const part = (p: LinearWeights) => tf.reshape(tf.transpose(tf.reshape(linear(tf, rows, p), [s, n, heads, headDim]), [0, 2, 1, 3]), [s * heads, n, headDim]) as tfc.Tensor3D;
  return attendWindowHeads(tf, part(w.q), part(w.k), part(w.v), s, heads, w.bias);
}
