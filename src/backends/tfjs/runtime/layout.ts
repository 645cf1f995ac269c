// Ops that only move elements. Every rearrangement is written as rank-4 reshapes and
// transposes: tfjs-wasm's rank-5 and rank-6 transposes are two orders of magnitude slower
// at batch > 1 (176 ms against 0.4 ms for one ViT-B qkv split at batch 8).

import type * as tfc from "@tensorflow/tfjs-core";
import type { Tf } from "./tensors";

/** Swaps axes 1 and 2 of x viewed as [a, b, c, d]. */
function swapMiddle(tf: Tf, x: tfc.Tensor, a: number, b: number, c: number, d: number): tfc.Tensor {
  return tf.transpose(tf.reshape(x, [a, b, c, d]), [0, 2, 1, 3]);
}

/** [B, C, H, W] as the spec says, held [B, H, W, C] where convs, norms and pools want it. */
export function toChannelsLast(tf: Tf, x: tfc.Tensor): tfc.Tensor {
  return tf.transpose(x, [0, 2, 3, 1]);
}

/** A channels-last [B, H, W, C] back to the spec's [B, C, H, W]. */
export function toChannelsFirst(tf: Tf, x: tfc.Tensor): tfc.Tensor {
  return tf.transpose(x, [0, 3, 1, 2]);
}

/** x with dimension 0 kept and the rest as `dims`. */
export function reshapeTo(tf: Tf, x: tfc.Tensor, dims: readonly number[]): tfc.Tensor {
  return tf.reshape(x, [x.shape[0], ...dims]);
}

/** Channels-last [B, H, W, C] → tokens [B, H*W, C], row-major over the grid. */
export function flattenTokens(tf: Tf, x: tfc.Tensor): tfc.Tensor {
  const [b, h, w, c] = x.shape;
  return tf.reshape(x, [b, h * w, c]);
}

/** [B, nh*wh, nw*ww, C] → [B*nh*nw, wh*ww, C], via [B*nh, nw, wh, ww*C]. */
export function windowPartition(tf: Tf, x: tfc.Tensor, window: [number, number]): tfc.Tensor {
  const [b, h, w, c] = x.shape;
  const [wh, ww] = window;
  const windows = swapMiddle(tf, x, b * (h / wh), wh, w / ww, ww * c);
  return tf.reshape(windows, [-1, wh * ww, c]);
}

/** [B*nW, wh*ww, C] → [B, H, W, C] for a `grid` of H x W tokens. */
export function windowReverse(tf: Tf, x: tfc.Tensor, window: [number, number], grid: [number, number]): tfc.Tensor {
  const [wh, ww] = window;
  const [h, w] = grid;
  const c = x.shape[2] as number;
  const rows = swapMiddle(tf, x, -1, w / ww, wh, ww * c); // [B*nh, wh, nw, ww*C]
  return tf.reshape(rows, [-1, h, w, c]);
}

/** out[i] = in[(i - shift) mod n] along `axis`, as torch.roll. */
function rollAxis(tf: Tf, x: tfc.Tensor, shift: number, axis: number): tfc.Tensor {
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
export function roll(tf: Tf, x: tfc.Tensor, shift: [number, number]): tfc.Tensor {
  const rolled = rollAxis(tf, rollAxis(tf, x, shift[0], 1), shift[1], 2);
  return rolled === x ? tf.clone(x) : rolled;
}

/**
 * Swin's patch merging: [B, H, W, C] → [B, H/2, W/2, 4C]. Output channels are ordered (dx, dy, c):
 * cells (2i,2j), (2i+1,2j), (2i,2j+1), (2i+1,2j+1).
 */
export function patchMerge(tf: Tf, x: tfc.Tensor): tfc.Tensor {
  const [b, h, w, c] = x.shape;
  const pairsOfRows = swapMiddle(tf, x, b * (h / 2), 2, w / 2, 2 * c); // [B*H/2, W/2, dy, (dx, c)]
  const cells = swapMiddle(tf, pairsOfRows, -1, 2, 2, c); // [B*H/2*W/2, dx, dy, c]
  return tf.reshape(cells, [b, h / 2, w / 2, 4 * c]);
}

/** MobileViT's unfold: T[b*P + py*pw + px, iy*nw + ix, c] = x[b, iy*ph + py, ix*pw + px, c]. */
export function unfold(tf: Tf, x: tfc.Tensor, patch: [number, number]): tfc.Tensor {
  const [b, h, w, c] = x.shape;
  const [ph, pw] = patch;
  const nh = h / ph;
  const nw = w / pw;
  const byRowOffset = swapMiddle(tf, x, b, nh, ph, nw * pw * c); // [B, ph, nh, nw*pw*C]
  const byOffset = swapMiddle(tf, byRowOffset, b * ph, nh * nw, pw, c); // [B*ph, pw, N, C]
  return tf.reshape(byOffset, [b * ph * pw, nh * nw, c]);
}

/** The inverse of `unfold`: [B*P, N, C] → channels-last [B, H, W, C] for a `grid` of H x W. */
export function fold(tf: Tf, x: tfc.Tensor, patch: [number, number], grid: [number, number]): tfc.Tensor {
  const [ph, pw] = patch;
  const [h, w] = grid;
  const [bp, n, c] = x.shape;
  const b = bp / (ph * pw);
  const byRowOffset = swapMiddle(tf, x, b * ph, pw, n, c); // [B*ph, N, pw, C]
  const image = swapMiddle(tf, byRowOffset, b, ph, h / ph, (w / pw) * pw * c); // [B, nh, ph, W*C]
  return tf.reshape(image, [b, h, w, c]);
}
