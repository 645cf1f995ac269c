// Linear layers, norms and activations (the tensor code is in runtime/dense.ts).

import {
  batchNorm, gelu, groupNorm, layerNorm, linear, prepareBatchNorm, prepareLinear, prepareNorm, relu, silu, softmax,
  type BatchNormWeights, type LinearWeights, type NormWeights,
} from "../runtime/dense";
import { channelsLast, elementwise, type TfjsKernel } from "../kernel";

export const linearKernel: TfjsKernel<LinearWeights> = {
  prepare: (tf, w) => prepareLinear(tf, w),
  run: (tf, [x], w) => linear(tf, x, w),
};

export const layerNormKernel: TfjsKernel<NormWeights> = {
  prepare: (tf, w) => prepareNorm(tf, w),
  run: (tf, [x], w, ctx) => layerNorm(tf, x, w, ctx.attrs.eps as number),
};

export const groupNormKernel: TfjsKernel<NormWeights> = {
  storage: () => channelsLast,
  prepare: (tf, w) => prepareNorm(tf, w),
  run: (tf, [x], w, ctx) => groupNorm(tf, x, w, ctx.attrs.groups as number, ctx.attrs.eps as number),
};

export const batchNormKernel: TfjsKernel<BatchNormWeights> = {
  storage: () => channelsLast,
  prepare: (tf, w, ctx) => prepareBatchNorm(tf, w, ctx.attrs.eps as number),
  run: (tf, [x], w) => batchNorm(tf, x, w),
};

export const geluKernel: TfjsKernel = { storage: () => elementwise, run: (tf, [x]) => gelu(tf, x) };
export const siluKernel: TfjsKernel = { storage: () => elementwise, run: (tf, [x]) => silu(tf, x) };
export const reluKernel: TfjsKernel = { storage: () => elementwise, run: (tf, [x]) => relu(tf, x) };
export const softmaxKernel: TfjsKernel = { run: (tf, [x]) => softmax(tf, x) };
