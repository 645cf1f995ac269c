// The table of primitive ops. `satisfies` makes a missing op a compile error.

import { add, average, concat } from "./combine";
import { conv2d, maxPool, stdConv2d } from "./conv";
import { batchNorm, gelu, groupNorm, layerNorm, linear, relu, silu, softmax } from "./dense";
import { attention } from "./attention";
import type { OpKind } from "./kinds";
import { flattenTokens, fold, patchMerge, reshape, roll, toNchw, toNhwc, unfold, windowPartition, windowReverse } from "./layout";
import { none, noMacs, problem, type OpDef } from "./op-def";
import { shape } from "../ir/shape";
import { globalAvgPool, meanTokens, posEmbed, prependToken, selectToken } from "./tokens";

/** The model input: created by an `input [B, …]` statement at the root of a model. */
const input: OpDef = {
  doc: "The model's input tensor.",
  attrs: { dims: { type: "ints", doc: "dimensions after the batch" } },
  shape: (_inputs, attrs) => {
    const dims = attrs.dims as number[];
    if (dims.some((d) => !Number.isInteger(d) || d <= 0)) return problem("V3112", `input dimensions must be positive integers, got [B, ${dims.join(", ")}]`, { attr: "dims" });
    return shape(1, dims);
  },
  params: none,
  macs: noMacs,
};

export const ops = {
  input, conv2d, std_conv2d: stdConv2d, linear, layer_norm: layerNorm, group_norm: groupNorm, batch_norm: batchNorm,
  gelu, silu, relu, softmax, sdpa: attention, reshape, to_nhwc: toNhwc, to_nchw: toNchw, flatten_tokens: flattenTokens,
  prepend_token: prependToken, pos_embed: posEmbed, select_token: selectToken, mean_tokens: meanTokens,
  global_avg_pool: globalAvgPool, window_partition: windowPartition, window_reverse: windowReverse, roll,
  patch_merge: patchMerge, unfold, fold, concat, add, average, max_pool: maxPool,
} satisfies Record<OpKind, OpDef>;
