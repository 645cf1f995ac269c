// Multi-head attention from a fused qkv tensor [S, N, 3*D] (channel s*D + h*hd + d), as timm
// computes it: softmax((q * hd^-0.5) @ kᵀ [+ bias] [+ mask]) @ v, heads concatenated.
//
// Global attention (ViT, DeiT, MobileViT) runs as 2-D matMuls per sequence and head: tfjs-wasm
// sends only unbatched, untransposed matMuls to XNNPACK (44 against 3.4 GFLOP/s for a batched
// one), which made ViT 1.4-2x faster end to end. Swin's windows are many and tiny (49 tokens),
// so there one batched matMul over all windows and heads costs less than thousands of calls.

import { pairAttr } from "../../../ops/op-def";
import { relativePositionIndex, shiftMask } from "../../../ops/window-attention";
import { upload, type HostTensor, type KernelContext, type Tensor, type Tf, type TfjsKernel } from "../kernel";

function prepareWindowBias(tf: Tf, table: HostTensor, ctx: KernelContext): Record<string, Tensor> {
  const [wh, ww] = pairAttr(ctx.attrs, "window");
  const [sh, sw] = pairAttr(ctx.attrs, "shift");
  const heads = ctx.attrs.heads as number;
  const n = wh * ww;
  return {
    bias: tf.tidy(() => {
      const index = tf.tensor1d(relativePositionIndex(wh, ww), "int32");
      const rows = tf.gather(upload(tf, table), index); // [N*N, heads]
      const bias = tf.transpose(tf.reshape(rows, [n, n, heads]), [2, 0, 1]); // [heads, N, N]
      if (sh === 0 && sw === 0) return bias;
      const grid = pairAttr(ctx.attrs, "grid");
      const windows = (grid[0] / wh) * (grid[1] / ww);
      const mask = tf.tensor4d(shiftMask(grid, [wh, ww], [sh, sw]), [windows, 1, n, n]);
      // [nW, heads, N, N]: the bias for every head plus the mask of every window.
      return tf.reshape(tf.add(tf.expandDims(bias, 0), mask), [windows * heads, n, n]);
    }),
  };
}

/** One sequence [N, 3D] through all heads with 2-D matMuls; returns [N, D]. */
function attendOneSequence(tf: Tf, qkv: Tensor, heads: number): Tensor {
  const [n, c3] = qkv.shape;
  const headDim = c3 / 3 / heads;
  // [3*heads, N, hd]: q heads, then k heads, then v heads, each contiguous.
  const split = tf.transpose(tf.reshape(qkv, [n, 3 * heads, headDim]), [1, 0, 2]);
  const q = tf.mul(tf.slice(split, [0, 0, 0], [heads, n, headDim]), headDim ** -0.5);
  // One explicit transpose for all heads' keys, so each matMul below is untransposed.
  const kT = tf.transpose(tf.slice(split, [heads, 0, 0], [heads, n, headDim]), [0, 2, 1]);
  const outputs: Tensor[] = [];
  for (let h = 0; h < heads; h++) {
    const qh = tf.reshape(tf.slice(q, [h, 0, 0], [1, n, headDim]), [n, headDim]) as ReturnType<Tf["tensor2d"]>;
    const kh = tf.reshape(tf.slice(kT, [h, 0, 0], [1, headDim, n]), [headDim, n]) as ReturnType<Tf["tensor2d"]>;
    const vh = tf.reshape(tf.slice(split, [2 * heads + h, 0, 0], [1, n, headDim]), [n, headDim]) as ReturnType<Tf["tensor2d"]>;
    outputs.push(tf.matMul(tf.softmax(tf.matMul(qh, kh)), vh));
  }
  return tf.concat(outputs, 1);
}

function attendGlobal(tf: Tf, x: Tensor, heads: number): Tensor {
  const [s, n, c3] = x.shape;
  const sequences: Tensor[] = [];
  for (let i = 0; i < s; i++) sequences.push(attendOneSequence(tf, tf.reshape(tf.slice(x, [i, 0, 0], [1, n, c3]), [n, c3]), heads));
  return tf.stack(sequences);
}

/** All windows and heads at once; `bias` is [heads, N, N] or, with a mask, [nW*heads, N, N]. */
function attendWindows(tf: Tf, x: Tensor, heads: number, bias: Tensor): Tensor {
  const [s, n, c3] = x.shape;
  const headDim = c3 / 3 / heads;
  const split = tf.transpose(tf.reshape(x, [s, n, 3 * heads, headDim]), [0, 2, 1, 3]); // [S, 3H, N, hd]
  const part = (i: number) => tf.reshape(tf.slice(split, [0, i * heads, 0, 0], [s, heads, n, headDim]), [s * heads, n, headDim]) as ReturnType<Tf["tensor3d"]>;
  return attendWindowHeads(tf, tf.mul(part(0), headDim ** -0.5) as ReturnType<Tf["tensor3d"]>, part(1), part(2), s, heads, bias);
}

/** softmax(q kᵀ + bias) v for q, k, v of [S*H, N, hd] (q already scaled); returns [S, N, H*hd]. */
function attendWindowHeads(tf: Tf, q: ReturnType<Tf["tensor3d"]>, k: ReturnType<Tf["tensor3d"]>, v: ReturnType<Tf["tensor3d"]>, s: number, heads: number, bias: Tensor): Tensor {
  const [, n, headDim] = q.shape;
  const scores = tf.matMul(q, k, false, true); // [S*H, N, N]
  const groups = (s * heads) / bias.shape[0];
  const biased = tf.reshape(tf.add(tf.reshape(scores, [groups, bias.shape[0], n, n]), bias), [s * heads, n, n]);
  const out = tf.matMul(tf.softmax(biased) as ReturnType<Tf["tensor3d"]>, v); // [S*H, N, hd]
  return tf.reshape(tf.transpose(tf.reshape(out, [s, heads, n, headDim]), [0, 2, 1, 3]), [s, n, heads * headDim]);
}

export const sdpaKernel: TfjsKernel = {
  prepare(tf, weights, ctx) {
    const [wh] = pairAttr(ctx.attrs, "window");
    return wh > 0 ? prepareWindowBias(tf, weights.relative_position_bias_table, ctx) : {};
  },
  run(tf, [x], weights, ctx) {
    const heads = ctx.attrs.heads as number;
    return weights.bias ? attendWindows(tf, x, heads, weights.bias) : attendGlobal(tf, x, heads);
  },
};

/**
 * Output channels [first, first + count) of a PyTorch Linear (weight [out, in], bias [out]) as
 * tfjs reads them: the weight transposed to [in, count], both multiplied by `scale`.
 */
function linearSlice(tf: Tf, w: Readonly<Record<string, HostTensor>>, first: number, count: number, scale: number): { weight: Tensor; bias?: Tensor } {
  const inputs = w.weight.shape[1];
  const weight = new Float32Array(inputs * count);
  for (let j = 0; j < count; j++) {
    const row = (first + j) * inputs;
    for (let i = 0; i < inputs; i++) weight[i * count + j] = w.weight.values[row + i] * scale;
  }
  return {
    weight: tf.tensor2d(weight, [inputs, count]),
    bias: w.bias && tf.tensor1d(w.bias.values.slice(first, first + count).map((v) => v * scale)),
  };
}

/**
 * A `linear` qkv projection and the global attention that reads it, as one kernel (model.ts
 * fuses the pair when nothing else reads the projection). Each head's q, k and v come from their
 * own [in, hd] slice of the qkv weight, cut on the host at load, so nothing is sliced at run
 * time: in tfjs-wasm every Slice copies its whole input out of the wasm heap, and the 36 slices
 * of a ViT-B block's [N, 3D] tensor cost half as much as the qkv matMul itself.
 * The attention scale is folded into q's weight and bias (exact when head_dim is a power of 4).
 */
export const qkvAttentionKernel: TfjsKernel = {
  prepare(tf, w, ctx) {
    const heads = ctx.attrs.heads as number;
    const dim = w.weight.shape[0] / 3;
    const headDim = dim / heads;
    const prepared: Record<string, Tensor> = {};
    ["q", "k", "v"].forEach((part, p) => {
      for (let h = 0; h < heads; h++) {
        const { weight, bias } = linearSlice(tf, w, p * dim + h * headDim, headDim, p === 0 ? headDim ** -0.5 : 1);
        prepared[`${part}${h}`] = weight;
        if (bias) prepared[`${part}${h}.bias`] = bias;
      }
    });
    return prepared;
  },
  run(tf, [x], w, ctx) {
    const heads = ctx.attrs.heads as number;
    const [s, n, features] = x.shape as number[];
    const project = (rows: Tensor, name: string) =>
      tf.fused.matMul({ a: rows as ReturnType<Tf["tensor2d"]>, b: w[name] as ReturnType<Tf["tensor2d"]>, bias: w[`${name}.bias`] });
    const sequences = Array.from({ length: s }, (_, i) => tf.tidy(() => {
      const rows = tf.reshape(s === 1 ? x : tf.slice(x, [i, 0, 0], [1, n, features]), [n, features]);
      const outputs = Array.from({ length: heads }, (_, h) => {
        const scores = tf.matMul(project(rows, `q${h}`), tf.transpose(project(rows, `k${h}`)));
        return tf.matMul(tf.softmax(scores), project(rows, `v${h}`));
      });
      return tf.concat(outputs, 1);
    }));
    return s === 1 ? tf.expandDims(sequences[0], 0) : tf.stack(sequences);
  },
};

/**
 * A `linear` qkv projection and the window attention that reads it, as one kernel: q, k and v
 * come from three Linears of their own instead of slices of one [S, N, 3D] tensor, which on
 * wasm are strided copies of the whole tensor (a third of the Slice time of Swin-T).
 */
export const qkvWindowAttentionKernel: TfjsKernel = {
  prepare(tf, w, ctx) {
    const dim = w.weight.shape[0] / 3;
    const headDim = dim / (ctx.attrs.heads as number);
    const prepared: Record<string, Tensor> = prepareWindowBias(tf, w.relative_position_bias_table, ctx);
    ["q", "k", "v"].forEach((part, p) => {
      const { weight, bias } = linearSlice(tf, w, p * dim, dim, p === 0 ? headDim ** -0.5 : 1);
      prepared[part] = weight;
      if (bias) prepared[`${part}.bias`] = bias;
    });
    return prepared;
  },
  run(tf, [x], w, ctx) {
    const heads = ctx.attrs.heads as number;
    const [s, n, features] = x.shape as number[];
    const rows = tf.reshape(x, [s * n, features]) as ReturnType<Tf["tensor2d"]>;
    const dim = w.q.shape[1] as number;
    const headDim = dim / heads;
    // [S*N, D] → [S*H, N, hd]: each window's tokens, head by head.
    const part = (name: string) => {
      const projected = tf.fused.matMul({ a: rows, b: w[name] as ReturnType<Tf["tensor2d"]>, bias: w[`${name}.bias`] });
      return tf.reshape(tf.transpose(tf.reshape(projected, [s, n, heads, headDim]), [0, 2, 1, 3]), [s * heads, n, headDim]) as ReturnType<Tf["tensor3d"]>;
    };
    return attendWindowHeads(tf, part("q"), part("k"), part("v"), s, heads, w.bias);
  },
};
