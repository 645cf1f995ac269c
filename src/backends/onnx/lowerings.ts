// The ONNX lowering of every primitive op, under the op table's keys (src/ops/registry.ts).

import type { OpKind } from "../../ops/kinds";
import type { OnnxLowering } from "./lowering";
import { sdpaLowering } from "./lowerings/attention";
import { addLowering, averageLowering, concatLowering } from "./lowerings/combine";
import { conv2dLowering, maxPoolLowering, stdConv2dLowering } from "./lowerings/conv";
import { batchNormLowering, geluLowering, groupNormLowering, layerNormLowering, linearLowering, reluLowering, siluLowering, softmaxLowering } from "./lowerings/dense";
import {
  flattenTokensLowering, foldLowering, patchMergeLowering, reshapeLowering, rollLowering, toNchwLowering, toNhwcLowering, unfoldLowering,
  windowPartitionLowering, windowReverseLowering,
} from "./lowerings/layout";
import { globalAvgPoolLowering, meanTokensLowering, posEmbedLowering, prependTokenLowering, selectTokenLowering } from "./lowerings/tokens";

/** The model's input is the graph input `input`; export.ts names it, so this never runs. */
const inputLowering: OnnxLowering = ({ inputs: [x] }) => x;

export const lowerings = {
  input: inputLowering, conv2d: conv2dLowering, std_conv2d: stdConv2dLowering, linear: linearLowering, layer_norm: layerNormLowering,
  group_norm: groupNormLowering, batch_norm: batchNormLowering, gelu: geluLowering, silu: siluLowering, relu: reluLowering,
  softmax: softmaxLowering, sdpa: sdpaLowering, reshape: reshapeLowering, to_nhwc: toNhwcLowering, to_nchw: toNchwLowering,
  flatten_tokens: flattenTokensLowering, prepend_token: prependTokenLowering, pos_embed: posEmbedLowering,
  select_token: selectTokenLowering, mean_tokens: meanTokensLowering, global_avg_pool: globalAvgPoolLowering,
  window_partition: windowPartitionLowering, window_reverse: windowReverseLowering, roll: rollLowering,
  patch_merge: patchMergeLowering, unfold: unfoldLowering, fold: foldLowering, concat: concatLowering, add: addLowering,
  average: averageLowering, max_pool: maxPoolLowering,
} satisfies Record<OpKind, OnnxLowering>;
