// Token-sequence ops of ViT and DeiT: class and distillation tokens, position embeddings,
// token selection and pooling.

import { formatShape, shape } from "../ir/shape";
import { none, noMacs, problem, requireRank, type OpDef } from "./op-def";

export const prependToken: OpDef = {
  doc: "Prepends a learned token `[1, 1, D]` (its weight is the node's path, e.g. `cls_token`): `[B, N, D]` to `[B, N+1, D]`.",
  attrs: {},
  shape: ([x]) => requireRank(x, 3, "prepend_token", "[B, N, D]") ?? shape(x.batch, [x.dims[0] + 1, x.dims[1]]),
  params: ([x]) => ({ "": [1, 1, x.dims[1]] }),
  macs: noMacs,
};

export const posEmbed: OpDef = {
  doc: "Adds a learned position embedding `[1, N, D]` (its weight is the node's path, e.g. `pos_embed`).",
  attrs: {},
  shape: ([x]) => requireRank(x, 3, "pos_embed", "[B, N, D]") ?? x,
  params: ([x]) => ({ "": [1, x.dims[0], x.dims[1]] }),
  macs: noMacs,
};

export const selectToken: OpDef = {
  doc: "Token `index` of `[B, N, D]`, as `[B, D]`.",
  attrs: { index: { type: "int", default: 0, doc: "which token" } },
  shape([x], attrs) {
    const bad = requireRank(x, 3, "select_token", "[B, N, D]");
    if (bad) return bad;
    const index = attrs.index as number;
    if (index < 0 || index >= x.dims[0]) return problem("V3113", `token ${index} does not exist in ${formatShape(x)}`, { attr: "index" });
    return shape(x.batch, [x.dims[1]]);
  },
  params: none,
  macs: noMacs,
};

export const meanTokens: OpDef = {
  doc: "Mean over tokens `start…N-1` of `[B, N, D]`, as `[B, D]` (timm's avg pooling skips prefix tokens).",
  attrs: { start: { type: "int", default: 0, min: 0, doc: "the first token averaged" } },
  shape([x], attrs) {
    const bad = requireRank(x, 3, "mean_tokens", "[B, N, D]");
    if (bad) return bad;
    const start = attrs.start as number;
    if (start < 0 || start >= x.dims[0]) return problem("V3113", `no tokens left to average from token ${start} of ${formatShape(x)}`, { attr: "start" });
    return shape(x.batch, [x.dims[1]]);
  },
  params: none,
  macs: noMacs,
};

export const globalAvgPool: OpDef = {
  doc: "Mean over the spatial axes, to `[B, C]`; `layout` says where C is (\"nchw\" or \"nhwc\").",
  attrs: { layout: { type: "string", default: "nchw", doc: "\"nchw\" or \"nhwc\"" } },
  shape([x], attrs) {
    const bad = requireRank(x, 4, "global_avg_pool", "[B, C, H, W] or [B, H, W, C]");
    if (bad) return bad;
    if (attrs.layout !== "nchw" && attrs.layout !== "nhwc") return problem("V2015", `\`layout\` must be "nchw" or "nhwc", got "${attrs.layout}"`, { attr: "layout" });
    return shape(x.batch, [attrs.layout === "nchw" ? x.dims[0] : x.dims[2]]);
  },
  params: none,
  macs: noMacs,
};
