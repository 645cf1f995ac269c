// The tfjs kernel of every primitive op, under the op table's keys (src/ops/registry.ts).

import type { OpKind } from "../../ops/kinds";
import type { TfjsKernel } from "./kernel";
import { uploadAll } from "./runtime/tensors";
import { sdpaKernel } from "./kernels/attention";
import { conv2dKernel, maxPoolKernel, stdConv2dKernel } from "./kernels/conv";
import { batchNormKernel, geluKernel, groupNormKernel, layerNormKernel, linearKernel, reluKernel, siluKernel, softmaxKernel } from "./kernels/dense";
import {
  flattenTokensKernel, foldKernel, patchMergeKernel, reshapeKernel, rollKernel, toNchwKernel, toNhwcKernel, unfoldKernel,
  windowPartitionKernel, windowReverseKernel,
} from "./kernels/layout";
import { addKernel, averageKernel, concatKernel } from "./kernels/combine";
import { globalAvgPoolKernel, meanTokensKernel, posEmbedKernel, prependTokenKernel, selectTokenKernel } from "./kernels/tokens";

/** The model's input arrives from the caller; the model never runs this kernel. */
const inputKernel: TfjsKernel = { run: (tf, [x]) => tf.clone(x) };

/** Every kernel's default `prepare`: each weight becomes a tensor as it is. */
export const uploadWeights: NonNullable<TfjsKernel["prepare"]> = (tf, weights) => uploadAll(tf, weights);

export const kernels = {
  input: inputKernel, conv2d: conv2dKernel, std_conv2d: stdConv2dKernel, linear: linearKernel, layer_norm: layerNormKernel,
  group_norm: groupNormKernel, batch_norm: batchNormKernel, gelu: geluKernel, silu: siluKernel, relu: reluKernel,
  softmax: softmaxKernel, sdpa: sdpaKernel, reshape: reshapeKernel, to_nhwc: toNhwcKernel, to_nchw: toNchwKernel,
  flatten_tokens: flattenTokensKernel, prepend_token: prependTokenKernel, pos_embed: posEmbedKernel,
  select_token: selectTokenKernel, mean_tokens: meanTokensKernel, global_avg_pool: globalAvgPoolKernel,
  window_partition: windowPartitionKernel, window_reverse: windowReverseKernel, roll: rollKernel,
  patch_merge: patchMergeKernel, unfold: unfoldKernel, fold: foldKernel, concat: concatKernel, add: addKernel,
  average: averageKernel, max_pool: maxPoolKernel,
} satisfies Record<OpKind, TfjsKernel<unknown>>;
