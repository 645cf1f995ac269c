// Token-sequence ops: class and distillation tokens, position embeddings, token pooling.

import type { TfjsKernel } from "../kernel";

export const prependTokenKernel: TfjsKernel = {
  run(tf, [x], w) {
    const [b, , d] = x.shape;
    return tf.concat([tf.broadcastTo(w[""], [b, 1, d]), x], 1);
  },
};

export const posEmbedKernel: TfjsKernel = {
  run: (tf, [x], w) => tf.add(x, w[""]),
};

export const selectTokenKernel: TfjsKernel = {
  run(tf, [x], _w, ctx) {
    const [b, , d] = x.shape;
    return tf.reshape(tf.slice(x, [0, ctx.attrs.index as number, 0], [b, 1, d]), [b, d]);
  },
};

export const meanTokensKernel: TfjsKernel = {
  run(tf, [x], _w, ctx) {
    const start = ctx.attrs.start as number;
    return tf.mean(start === 0 ? x : tf.slice(x, [0, start, 0], [-1, -1, -1]), 1);
  },
};

export const globalAvgPoolKernel: TfjsKernel = {
  // Both layouts pool the same physical axes once an NCHW input is held channels-last.
  storage: (ctx) => ({ inputs: ctx.attrs.layout === "nchw" ? "nhwc" : "logical", output: "logical" }),
  run: (tf, [x]) => tf.mean(x, [1, 2]),
};
