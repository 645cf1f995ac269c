// Token-sequence ops: class and distillation tokens, position embeddings, token pooling; and the
// ops that join two tensors.

import type * as tfc from "@tensorflow/tfjs-core";
import { upload, type HostWeights, type Tf } from "./tensors";

/** A layer whose one parameter is its own path (`cls_token`, `pos_embed`): that tensor. */
export function prepareTensor(tf: Tf, w: HostWeights): tfc.Tensor {
  return upload(tf, w[""]);
}

/** [B, N, D] → [B, 1 + N, D] with `token` [1, 1, D] first. */
export function prependToken(tf: Tf, x: tfc.Tensor, token: tfc.Tensor): tfc.Tensor {
  const [b, , d] = x.shape;
  return tf.concat([tf.broadcastTo(token, [b, 1, d]), x], 1);
}

export function addPosEmbed(tf: Tf, x: tfc.Tensor, table: tfc.Tensor): tfc.Tensor {
  return tf.add(x, table);
}

/** [B, N, D] → [B, D]: token `index`. */
export function selectToken(tf: Tf, x: tfc.Tensor, index: number): tfc.Tensor {
  const [b, , d] = x.shape;
  return tf.reshape(tf.slice(x, [0, index, 0], [b, 1, d]), [b, d]);
}

/** [B, N, D] → [B, D]: the mean of the tokens from `start` on (after any prefix tokens). */
export function meanTokens(tf: Tf, x: tfc.Tensor, start: number): tfc.Tensor {
  return tf.mean(start === 0 ? x : tf.slice(x, [0, start, 0], [-1, -1, -1]), 1);
}

/** [B, H, W, C] → [B, C]. */
export function globalAvgPool(tf: Tf, x: tfc.Tensor): tfc.Tensor {
  return tf.mean(x, [1, 2]);
}

/** A residual sum: `x` (the branch) added to `other`. */
export function addTensors(tf: Tf, x: tfc.Tensor, other: tfc.Tensor): tfc.Tensor {
  return tf.add(other, x);
}

export function averageTensors(tf: Tf, x: tfc.Tensor, other: tfc.Tensor): tfc.Tensor {
  return tf.mul(tf.add(other, x), 0.5);
}

/** `first` then `x` along `axis`. */
export function concatTensors(tf: Tf, x: tfc.Tensor, first: tfc.Tensor, axis: number): tfc.Tensor {
  return tf.concat([first, x], axis);
}
