// Ops that only move elements: layout changes, windows, rolls, patch merging, unfold and fold.

import { elementsPerImage, formatBatch, formatShape, shape } from "../ir/shape";
import { none, noMacs, pairAttr, problem, requireRank, type OpDef } from "./op-def";

const moveOnly = { params: none, macs: noMacs } as const;

export const reshape: OpDef = {
  doc: "Reshape the non-batch dimensions, keeping the batch.",
  attrs: { dims: { type: "ints", doc: "the new dimensions after the batch" } },
  shape([x], attrs) {
    const dims = attrs.dims as number[];
    const target = shape(x.batch, dims);
    if (elementsPerImage(target) !== elementsPerImage(x)) {
      return problem("V3111", `cannot reshape ${formatShape(x)} to ${formatShape(target)}: ${elementsPerImage(x)} elements per image against ${elementsPerImage(target)}`, { attr: "dims" });
    }
    return target;
  },
  ...moveOnly,
};

export const toNhwc: OpDef = {
  doc: "`[B, C, H, W]` to `[B, H, W, C]`.",
  attrs: {},
  shape: ([x]) => requireRank(x, 4, "to_nhwc", "[B, C, H, W]") ?? shape(x.batch, [x.dims[1], x.dims[2], x.dims[0]]),
  ...moveOnly,
};

export const toNchw: OpDef = {
  doc: "`[B, H, W, C]` to `[B, C, H, W]`.",
  attrs: {},
  shape: ([x]) => requireRank(x, 4, "to_nchw", "[B, H, W, C]") ?? shape(x.batch, [x.dims[2], x.dims[0], x.dims[1]]),
  ...moveOnly,
};

export const flattenTokens: OpDef = {
  doc: "`[B, C, H, W]` to tokens `[B, H*W, C]`, row-major over the grid (timm's flatten(2).transpose(1, 2)).",
  attrs: {},
  shape: ([x]) => requireRank(x, 4, "flatten_tokens", "[B, C, H, W]") ?? shape(x.batch, [x.dims[1] * x.dims[2], x.dims[0]]),
  ...moveOnly,
};

export const windowPartition: OpDef = {
  doc: "`[B, H, W, C]` to windows `[B*nW, wh*ww, C]`, windows row-major over the grid, tokens row-major inside.",
  attrs: { window: { type: "pair", min: 1, doc: "window size" } },
  shape([x], attrs) {
    const bad = requireRank(x, 4, "window_partition", "[B, H, W, C]");
    if (bad) return bad;
    const [wh, ww] = pairAttr(attrs, "window");
    const [h, w, c] = x.dims;
    if (h % wh !== 0 || w % ww !== 0) {
      return problem("V3103", `a ${h}x${w} feature map does not split into ${wh}x${ww} windows`, { attr: "window" });
    }
    return shape(x.batch * (h / wh) * (w / ww), [wh * ww, c]);
  },
  ...moveOnly,
};

export const windowReverse: OpDef = {
  doc: "Windows `[B*nW, wh*ww, C]` back to `[B, H, W, C]`; the inverse of window_partition.",
  attrs: { window: { type: "pair", min: 1, doc: "window size" }, grid: { type: "pair", min: 1, doc: "the feature map [H, W]" } },
  shape([x], attrs) {
    const bad = requireRank(x, 3, "window_reverse", "[B*nW, T, C]");
    if (bad) return bad;
    const [wh, ww] = pairAttr(attrs, "window");
    const [h, w] = pairAttr(attrs, "grid");
    const windows = (h / wh) * (w / ww);
    if (h % wh !== 0 || w % ww !== 0 || x.dims[0] !== wh * ww || x.batch % windows !== 0) {
      return problem("V3111", `windows ${formatShape(x)} do not tile a ${h}x${w} map with ${wh}x${ww} windows`, { attr: "grid" });
    }
    // As documented: one grid per image. Other counts would quietly regroup windows of
    // different images (timm's window_reverse infers B from the count and would too).
    if (x.batch !== windows) {
      return problem("V3111", `${formatBatch(x.batch)} windows of ${wh}x${ww} do not make one ${h}x${w} grid per image (that takes ${windows} per image)`, {
        attr: "grid", notes: [`the input holds ${x.batch} windows per image`],
      });
    }
    return shape(1, [h, w, x.dims[1]]);
  },
  ...moveOnly,
};

export const roll: OpDef = {
  doc: "Cyclic shift of `[B, H, W, C]` on H and W: out[i, j] = in[(i - sh) mod H, (j - sw) mod W].",
  attrs: { shift: { type: "ints", doc: "shift on H and W (negative rolls towards the origin)" } },
  shape: ([x]) => requireRank(x, 4, "roll", "[B, H, W, C]") ?? x,
  ...moveOnly,
};

export const patchMerge: OpDef = {
  doc: "Swin patch merging's gather: `[B, H, W, C]` to `[B, H/2, W/2, 4C]`, cells (2i,2j), (2i+1,2j), (2i,2j+1), (2i+1,2j+1).",
  attrs: {},
  shape([x]) {
    const bad = requireRank(x, 4, "patch_merge", "[B, H, W, C]");
    if (bad) return bad;
    const [h, w, c] = x.dims;
    if (h % 2 !== 0 || w % 2 !== 0) return problem("V3104", `patch merging needs an even resolution, got ${h}x${w}`);
    return shape(x.batch, [h / 2, w / 2, 4 * c]);
  },
  ...moveOnly,
};

export const unfold: OpDef = {
  doc: "MobileViT unfold: `[B, C, H, W]` to `[B*P, N, C]` (P = ph*pw pixels per patch, N patches).",
  attrs: { patch: { type: "pair", min: 1, doc: "patch size" } },
  shape([x], attrs) {
    const bad = requireRank(x, 4, "unfold", "[B, C, H, W]");
    if (bad) return bad;
    const [ph, pw] = pairAttr(attrs, "patch");
    const [c, h, w] = x.dims;
    if (h % ph !== 0 || w % pw !== 0) {
      return problem("V3105", `a ${h}x${w} feature map does not split into ${ph}x${pw} patches`, { attr: "patch" });
    }
    return shape(x.batch * ph * pw, [(h / ph) * (w / pw), c]);
  },
  ...moveOnly,
};

export const fold: OpDef = {
  doc: "MobileViT fold: `[B*P, N, C]` back to `[B, C, H, W]`; the inverse of unfold.",
  attrs: { patch: { type: "pair", min: 1, doc: "patch size" }, grid: { type: "pair", min: 1, doc: "the feature map [H, W]" } },
  shape([x], attrs) {
    const bad = requireRank(x, 3, "fold", "[B*P, N, C]");
    if (bad) return bad;
    const [ph, pw] = pairAttr(attrs, "patch");
    const [h, w] = pairAttr(attrs, "grid");
    if (h % ph !== 0 || w % pw !== 0 || x.batch % (ph * pw) !== 0 || x.dims[0] !== (h / ph) * (w / pw)) {
      return problem("V3111", `patch sequences ${formatShape(x)} do not fold into a ${h}x${w} map of ${ph}x${pw} patches`, { attr: "grid" });
    }
    return shape(x.batch / (ph * pw), [x.dims[1], h, w]);
  },
  ...moveOnly,
};
