// Ops that join two tensors: residual adds, averages and concatenation.

import { formatShape, sameShape, shape } from "../ir/shape";
import { none, noMacs, problem, type OpDef } from "./op-def";

export const add: OpDef = {
  doc: "Elementwise sum of `other` and the current tensor (a residual connection).",
  attrs: { other: { type: "tensor", doc: "the tensor added" } },
  shape([x, other]) {
    if (!sameShape(x, other)) return problem("V3106", `residual shapes differ: ${formatShape(other)} + ${formatShape(x)}`, { attr: "other" });
    return x;
  },
  params: none,
  macs: noMacs,
};

export const average: OpDef = {
  doc: "Elementwise mean of `other` and the current tensor (DeiT's two heads).",
  attrs: { other: { type: "tensor", doc: "the tensor averaged with" } },
  shape([x, other]) {
    if (!sameShape(x, other)) return problem("V3106", `averaged shapes differ: ${formatShape(other)} and ${formatShape(x)}`, { attr: "other" });
    return x;
  },
  params: none,
  macs: noMacs,
};

export const concat: OpDef = {
  doc: "Concatenates `first` and the current tensor (in that order) along `axis` (1 = channels of NCHW).",
  attrs: { first: { type: "tensor", doc: "the tensor placed first" }, axis: { type: "int", default: 1, doc: "the axis joined (not 0)" } },
  shape([x, first], attrs) {
    const axis = attrs.axis as number;
    const rank = x.dims.length + 1;
    if (axis < 1 || axis >= rank) return problem("V3110", `cannot concatenate along axis ${axis} of a rank-${rank} tensor`, { attr: "axis" });
    const mismatch = first.batch !== x.batch || first.dims.length !== x.dims.length || first.dims.some((d, i) => i !== axis - 1 && d !== x.dims[i]);
    if (mismatch) return problem("V3107", `cannot concatenate ${formatShape(first)} and ${formatShape(x)} along axis ${axis}: the other axes differ`, { attr: "first" });
    const dims = [...x.dims];
    dims[axis - 1] += first.dims[axis - 1];
    return shape(x.batch, dims);
  },
  params: none,
  macs: noMacs,
};
