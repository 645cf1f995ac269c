// Ops that only move elements, each as Reshape, Transpose, Slice or Concat: ONNX Runtime runs
// rank-6 transposes at memory speed, so each rearrangement is one transpose between two views.

import { pairAttr } from "../../../ops/op-def";
import { batchDim, reshape, transpose, type OnnxLowering } from "../lowering";

export const reshapeLowering: OnnxLowering = ({ g, inputs: [x], inputShapes: [from], out }) => reshape(g, x, [batchDim(from, out), ...out.dims]);

export const toNhwcLowering: OnnxLowering = ({ g, inputs: [x] }) => transpose(g, x, [0, 2, 3, 1]);

export const toNchwLowering: OnnxLowering = ({ g, inputs: [x] }) => transpose(g, x, [0, 3, 1, 2]);

/** [B, C, H, W] → [B, H*W, C], as timm's flatten(2).transpose(1, 2). */
export const flattenTokensLowering: OnnxLowering = ({ g, inputs: [x], inputShapes: [shape] }) => {
  const [c, h, w] = shape.dims;
  return transpose(g, reshape(g, x, [0, c, h * w]), [0, 2, 1]);
};

/** [B, nh*wh, nw*ww, C] → [B, nh, wh, nw, ww, C] → [B, nh, nw, wh, ww, C] → [B*nW, wh*ww, C]. */
export const windowPartitionLowering: OnnxLowering = ({ g, inputs: [x], inputShapes: [shape], attrs }) => {
  const [h, w, c] = shape.dims;
  const [wh, ww] = pairAttr(attrs, "window");
  const windows = transpose(g, reshape(g, x, [0, h / wh, wh, w / ww, ww, c]), [0, 1, 3, 2, 4, 5]);
  return reshape(g, windows, [-1, wh * ww, c]);
};

export const windowReverseLowering: OnnxLowering = ({ g, inputs: [x], inputShapes: [shape], attrs }) => {
  const c = shape.dims[1];
  const [wh, ww] = pairAttr(attrs, "window");
  const [h, w] = pairAttr(attrs, "grid");
  const rows = transpose(g, reshape(g, x, [-1, h / wh, w / ww, wh, ww, c]), [0, 1, 3, 2, 4, 5]);
  return reshape(g, rows, [-1, h, w, c]);
};

/** torch.roll on H and W: out[i] = in[(i - shift) mod n], as two slices joined the other way round. */
export const rollLowering: OnnxLowering = ({ g, inputs: [x], inputShapes: [shape], attrs }) => {
  const shifts = attrs.shift as number[];
  let y = x;
  [1, 2].forEach((axis, i) => {
    const n = shape.dims[axis - 1];
    const s = (((shifts[i] ?? 0) % n) + n) % n;
    if (s === 0) return;
    const part = (start: number, end: number) => g.op("Slice", [y, g.ints([start]), g.ints([end]), g.ints([axis])]);
    y = g.op("Concat", [part(n - s, n), part(0, n - s)], { axis });
  });
  return y === x ? g.op("Identity", [x]) : y;
};

/** Cells (2i,2j), (2i+1,2j), (2i,2j+1), (2i+1,2j+1): [B, H/2, dy, W/2, dx, C] → [B, H/2, W/2, dx, dy, C]. */
export const patchMergeLowering: OnnxLowering = ({ g, inputs: [x], inputShapes: [shape] }) => {
  const [h, w, c] = shape.dims;
  const cells = transpose(g, reshape(g, x, [0, h / 2, 2, w / 2, 2, c]), [0, 1, 3, 4, 2, 5]);
  return reshape(g, cells, [0, h / 2, w / 2, 4 * c]);
};

/**
 * T[b*P + py*pw + px, iy*nw + ix, c] = x[b, c, iy*ph + py, ix*pw + px], as three transposes that
 * each move one axis: ORT copies those in blocks, while one rank-6 transpose that moves several
 * axes goes element by element (MobileViT-S at batch 8 took 1.23x timm's export that way).
 */
export const unfoldLowering: OnnxLowering = ({ g, inputs: [x], inputShapes: [shape], attrs }) => {
  const [c, h, w] = shape.dims;
  const [ph, pw] = pairAttr(attrs, "patch");
  const [nh, nw] = [h / ph, w / pw];
  const nhwc = transpose(g, x, [0, 2, 3, 1]); // [B, nh*ph, nw*pw, C]
  const byRowOffset = transpose(g, reshape(g, nhwc, [0, nh, ph, nw * pw * c]), [0, 2, 1, 3]); // [B, ph, nh, nw*pw*C]
  const byOffset = transpose(g, reshape(g, byRowOffset, [-1, nh * nw, pw, c]), [0, 2, 1, 3]); // [B*ph, pw, N, C]
  return reshape(g, byOffset, [-1, nh * nw, c]);
};

/** The inverse of unfold, by the same three single-axis moves in reverse. */
export const foldLowering: OnnxLowering = ({ g, inputs: [x], inputShapes: [shape], attrs }) => {
  const c = shape.dims[1];
  const [ph, pw] = pairAttr(attrs, "patch");
  const [h, w] = pairAttr(attrs, "grid");
  const [nh, nw] = [h / ph, w / pw];
  const byRowOffset = transpose(g, reshape(g, x, [-1, pw, nh * nw, c]), [0, 2, 1, 3]); // [B*ph, N, pw, C]
  const nhwc = transpose(g, reshape(g, byRowOffset, [-1, ph, nh, nw * pw * c]), [0, 2, 1, 3]); // [B, nh, ph, W*C]
  return transpose(g, reshape(g, nhwc, [0, h, w, c]), [0, 3, 1, 2]);
};
