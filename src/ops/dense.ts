// Linear layers and norms: ops on the channel axis.

import { elementsPerImage, shape } from "../ir/shape";
import { none, noMacs, problem, requireRank, type OpDef, type TensorShapes } from "./op-def";

export const linear: OpDef = {
  doc: "Linear layer on the last axis (PyTorch Linear; weight `[out, in]`).",
  attrs: {
    out: { type: "int", min: 1, doc: "output features" },
    bias: { type: "bool", default: true, doc: "whether the layer has a bias" },
  },
  shape(inputs, attrs) {
    const [x] = inputs;
    if (x.dims.length === 0) return problem("V3110", "`linear` needs a feature axis, got a tensor of shape [B]");
    return shape(x.batch, [...x.dims.slice(0, -1), attrs.out as number]);
  },
  params(inputs, attrs): TensorShapes {
    const [x] = inputs;
    const out = attrs.out as number;
    const weight = [out, x.dims[x.dims.length - 1]];
    return attrs.bias ? { weight, bias: [out] } : { weight };
  },
  macs(inputs, _attrs, out) {
    const x = inputs[0];
    return BigInt(elementsPerImage(out)) * BigInt(x.dims[x.dims.length - 1]);
  },
};

export const layerNorm: OpDef = {
  doc: "LayerNorm over the last axis (biased variance).",
  attrs: { eps: { type: "float", default: 1e-5, min: 0, doc: "added to the variance" } },
  shape: ([x]) => x.dims.length === 0 ? problem("V3110", "`layer_norm` needs a feature axis, got a tensor of shape [B]") : x,
  params: ([x]) => ({ weight: [x.dims[x.dims.length - 1]], bias: [x.dims[x.dims.length - 1]] }),
  macs: noMacs,
};

export const groupNorm: OpDef = {
  doc: "GroupNorm over `[B, C, H, W]`: statistics per image and group of C/groups channels.",
  attrs: {
    groups: { type: "int", min: 1, doc: "number of channel groups" },
    eps: { type: "float", default: 1e-5, min: 0, doc: "added to the variance" },
  },
  shape(inputs, attrs) {
    const [x] = inputs;
    const bad = requireRank(x, 4, "group_norm", "[B, C, H, W]");
    if (bad) return bad;
    const groups = attrs.groups as number;
    if (x.dims[0] % groups !== 0) return problem("V3114", `\`group_norm\` channels ${x.dims[0]} not divisible by \`groups\` ${groups}`, { attr: "groups" });
    return x;
  },
  params: ([x]) => ({ weight: [x.dims[0]], bias: [x.dims[0]] }),
  macs: noMacs,
};

export const batchNorm: OpDef = {
  doc: "BatchNorm at inference over `[B, C, H, W]`, with running statistics.",
  attrs: { eps: { type: "float", default: 1e-5, min: 0, doc: "added to the running variance" } },
  shape: ([x]) => requireRank(x, 4, "batch_norm", "[B, C, H, W]") ?? x,
  params: ([x]) => ({ weight: [x.dims[0]], bias: [x.dims[0]] }),
  buffers: ([x]) => ({ running_mean: [x.dims[0]], running_var: [x.dims[0]] }),
  macs: noMacs,
};

function elementwise(doc: string): OpDef {
  return { doc, attrs: {}, shape: ([x]) => x, params: none, macs: noMacs };
}

export const gelu = elementwise("GELU, the exact form `0.5 * x * (1 + erf(x / sqrt(2)))`.");
export const silu = elementwise("SiLU: `x * sigmoid(x)`.");
export const relu = elementwise("ReLU: `max(x, 0)`.");
export const softmax: OpDef = {
  doc: "Softmax over the last axis.",
  attrs: {},
  shape: ([x]) => x,
  params: none,
  macs: noMacs,
};
