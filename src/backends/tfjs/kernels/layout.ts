// Ops that only move elements. Every rearrangement is written as rank-4 reshapes and
// transposes: tfjs-wasm's rank-5 and rank-6 transposes are two orders of magnitude slower
// at batch > 1 (176 ms against 0.4 ms for one ViT-B qkv split at batch 8).

import { pairAttr } from "../../../ops/op-def";
import type { Tensor, Tf, TfjsKernel } from "../kernel";

/** Swaps axes 1 and 2 of x viewed as [a, b, c, d]. */
function swapMiddle(tf: Tf, x: Tensor, a: number, b: number, c: number, d: number): Tensor {
  return tf.transpose(tf.reshape(x, [a, b, c, d]), [0, 2, 1, 3]);
}

export const reshapeKernel: TfjsKernel = {
  run: (tf, [x], _w, ctx) => tf.reshape(x, [x.shape[0], ...(ctx.attrs.dims as number[])]),
};

// The IR's [B, C, H, W] held as [B, H, W, C] is exactly the IR's [B, H, W, C]: no data moves.
export const toNhwcKernel: TfjsKernel = {
  storage: () => ({ inputs: "nhwc", output: "logical" }),
  run: (tf, [x]) => tf.clone(x),
};

export const toNchwKernel: TfjsKernel = {
  storage: () => ({ inputs: "logical", output: "nhwc" }),
  run: (tf, [x]) => tf.clone(x),
};

export const flattenTokensKernel: TfjsKernel = {
  storage: () => ({ inputs: "nhwc", output: "logical" }),
  run(tf, [x]) {
    const [b, h, w, c] = x.shape as number[];
    return tf.reshape(x, [b, h * w, c]);
  },
};

export const windowPartitionKernel: TfjsKernel = {
  // [B, nh*wh, nw*ww, C] → [B*nh, nw, wh, ww*C] → [B*nh*nw, wh*ww, C]
  run(tf, [x], _w, ctx) {
    const [b, h, w, c] = x.shape as number[];
    const [wh, ww] = pairAttr(ctx.attrs, "window");
    const windows = swapMiddle(tf, x, b * (h / wh), wh, w / ww, ww * c);
    return tf.reshape(windows, [-1, wh * ww, c]);
  },
};

export const windowReverseKernel: TfjsKernel = {
  run(tf, [x], _w, ctx) {
    const [wh, ww] = pairAttr(ctx.attrs, "window");
    const [h, w] = pairAttr(ctx.attrs, "grid");
    const c = x.shape[2] as number;
    const rows = swapMiddle(tf, x, -1, w / ww, wh, ww * c); // [B*nh, wh, nw, ww*C]
    return tf.reshape(rows, [-1, h, w, c]);
  },
};

/** out[i] = in[(i - shift) mod n] along `axis`, as torch.roll. */
function rollAxis(tf: Tf, x: Tensor, shift: number, axis: number): Tensor {
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

export const rollKernel: TfjsKernel = {
  run(tf, [x], _w, ctx) {
    const [sh, sw] = ctx.attrs.shift as number[];
    const rolled = rollAxis(tf, rollAxis(tf, x, sh, 1), sw, 2);
    return rolled === x ? tf.clone(x) : rolled;
  },
};

export const patchMergeKernel: TfjsKernel = {
  // Output channels are ordered (dx, dy, c): cells (2i,2j), (2i+1,2j), (2i,2j+1), (2i+1,2j+1).
  run(tf, [x]) {
    const [b, h, w, c] = x.shape as number[];
    const pairsOfRows = swapMiddle(tf, x, b * (h / 2), 2, w / 2, 2 * c); // [B*H/2, W/2, dy, (dx, c)]
    const cells = swapMiddle(tf, pairsOfRows, -1, 2, 2, c); // [B*H/2*W/2, dx, dy, c]
    return tf.reshape(cells, [b, h / 2, w / 2, 4 * c]);
  },
};

export const unfoldKernel: TfjsKernel = {
  // T[b*P + py*pw + px, iy*nw + ix, c] = x[b, c, iy*ph + py, ix*pw + px], from channels-last x.
  storage: () => ({ inputs: "nhwc", output: "logical" }),
  run(tf, [x], _w, ctx) {
    const [b, h, w, c] = x.shape as number[];
    const [ph, pw] = pairAttr(ctx.attrs, "patch");
    const nh = h / ph;
    const nw = w / pw;
    const byRowOffset = swapMiddle(tf, x, b, nh, ph, nw * pw * c); // [B, ph, nh, nw*pw*C]
    const byOffset = swapMiddle(tf, byRowOffset, b * ph, nh * nw, pw, c); // [B*ph, pw, N, C]
    return tf.reshape(byOffset, [b * ph * pw, nh * nw, c]);
  },
};

export const foldKernel: TfjsKernel = {
  storage: () => ({ inputs: "logical", output: "nhwc" }),
  run(tf, [x], _w, ctx) {
    const [ph, pw] = pairAttr(ctx.attrs, "patch");
    const [h, w] = pairAttr(ctx.attrs, "grid");
    const [bp, n, c] = x.shape as number[];
    const b = bp / (ph * pw);
    const byRowOffset = swapMiddle(tf, x, b * ph, pw, n, c); // [B*ph, N, pw, C]
    const image = swapMiddle(tf, byRowOffset, b, ph, h / ph, (w / pw) * pw * c); // [B, nh, ph, W*C]
    return tf.reshape(image, [b, h, w, c]);
  },
};
