// Token-sequence ops: class and distillation tokens, position embeddings, token pooling.

import type { OnnxLowering } from "../lowering";

/** [cls, x]: the token [1, 1, D] expanded to the batch (read from the input's shape) and joined first. */
export const prependTokenLowering: OnnxLowering = ({ g, inputs: [x], inputShapes: [shape], weight }) => {
  const batch = g.op("Slice", [g.op("Shape", [x]), g.ints([0]), g.ints([1])]);
  const target = g.op("Concat", [batch, g.ints([1, shape.dims[1]])], { axis: 0 });
  return g.op("Concat", [g.op("Expand", [weight(""), target]), x], { axis: 1 });
};

export const posEmbedLowering: OnnxLowering = ({ g, inputs: [x], weight }) => g.op("Add", [x, weight("")]);

export const selectTokenLowering: OnnxLowering = ({ g, inputs: [x], attrs }) => g.op("Gather", [x, g.ints([attrs.index as number], [])], { axis: 1 });

export const meanTokensLowering: OnnxLowering = ({ g, inputs: [x], inputShapes: [shape], attrs }) => {
  const start = attrs.start as number;
  const tokens = start === 0 ? x : g.op("Slice", [x, g.ints([start]), g.ints([shape.dims[0]]), g.ints([1])]);
  return g.op("ReduceMean", [tokens], { axes: [1], keepdims: 0 });
};

export const globalAvgPoolLowering: OnnxLowering = ({ g, inputs: [x], attrs }) =>
  g.op("ReduceMean", [x], { axes: attrs.layout === "nchw" ? [2, 3] : [1, 2], keepdims: 0 });
