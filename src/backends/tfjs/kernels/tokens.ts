// Token-sequence ops: class and distillation tokens, position embeddings, token pooling (the
// tensor code is in runtime/tokens.ts).

import type * as tfc from "@tensorflow/tfjs-core";
import { addPosEmbed, globalAvgPool, meanTokens, prepareTensor, prependToken, selectToken } from "../runtime/tokens";
import type { TfjsKernel } from "../kernel";

export const prependTokenKernel: TfjsKernel<tfc.Tensor> = {
  prepare: (tf, w) => prepareTensor(tf, w),
  run: (tf, [x], token) => prependToken(tf, x, token),
};

export const posEmbedKernel: TfjsKernel<tfc.Tensor> = {
  prepare: (tf, w) => prepareTensor(tf, w),
  run: (tf, [x], table) => addPosEmbed(tf, x, table),
};

export const selectTokenKernel: TfjsKernel = {
  run: (tf, [x], _w, ctx) => selectToken(tf, x, ctx.attrs.index as number),
};

export const meanTokensKernel: TfjsKernel = {
  run: (tf, [x], _w, ctx) => meanTokens(tf, x, ctx.attrs.start as number),
};

export const globalAvgPoolKernel: TfjsKernel = {
  // Both layouts pool the same physical axes once an NCHW input is held channels-last.
  storage: (ctx) => ({ inputs: ctx.attrs.layout === "nchw" ? "nhwc" : "logical", output: "logical" }),
  run: (tf, [x]) => globalAvgPool(tf, x),
};
