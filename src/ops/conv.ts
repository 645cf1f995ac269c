// Convolutions and max pooling on NCHW tensors, with PyTorch's symmetric padding or TF "SAME".

import { shape, type Shape } from "../ir/shape";
import { none, noMacs, pairAttr, problem, requireRank, type Attrs, type OpDef, type ShapeProblem, type TensorShapes } from "./op-def";

/** Output size, leading padding and total padding of a convolution or pooling along one axis. */
export interface ConvAxis {
  readonly out: number;
  readonly before: number;
  readonly total: number;
}

/** Output size and leading padding along one axis. */
export function convAxis(size: number, kernel: number, stride: number, padding: number | "same"): ConvAxis {
  if (padding === "same") {
    const out = Math.ceil(size / stride);
    const total = Math.max((out - 1) * stride + kernel - size, 0);
    return { out, before: Math.floor(total / 2), total };
  }
  return { out: Math.floor((size + 2 * padding - kernel) / stride) + 1, before: padding, total: 2 * padding };
}

/**
 * The span of the kernel on the input: `dilation * (kernel - 1) + 1` per axis (PyTorch's
 * dilation; max pooling has none).
 */
function kernelExtent(attrs: Attrs): [number, number] {
  const [kh, kw] = pairAttr(attrs, "kernel");
  const [dh, dw] = dilationPair(attrs);
  return [dh * (kh - 1) + 1, dw * (kw - 1) + 1];
}

/** The dilation per axis: 1 where the op has none (max pooling). */
export function dilationPair(attrs: Attrs): [number, number] {
  return attrs.dilation === undefined ? [1, 1] : pairAttr(attrs, "dilation");
}

function paddingPair(attrs: Attrs): [number | "same", number | "same"] {
  const p = attrs.padding;
  if (p === "same") return ["same", "same"];
  const [ph, pw] = pairAttr(attrs, "padding");
  return [ph, pw];
}

/**
 * Rows and columns of a convolution or pooling node on an NCHW input [C, H, W] (no batch): the
 * one computation of output size and padding that the shape rule and every backend share.
 */
export function convAxes(input: readonly number[], attrs: Attrs): [rows: ConvAxis, cols: ConvAxis] {
  const [kh, kw] = kernelExtent(attrs);
  const [sh, sw] = pairAttr(attrs, "stride");
  const [ph, pw] = paddingPair(attrs);
  const [, h, w] = input;
  return [convAxis(h, kh, sh, ph), convAxis(w, kw, sw, pw)];
}

function spatialOut(input: Shape, attrs: Attrs, op: string): [number, number] | ShapeProblem {
  const [{ out: oh }, { out: ow }] = convAxes(input.dims, attrs);
  if (oh <= 0 || ow <= 0) {
    const [kh, kw] = kernelExtent(attrs);
    const [, h, w] = input.dims;
    const [dh, dw] = dilationPair(attrs);
    const dilated = dh > 1 || dw > 1 ? ` (spanning ${kh}x${kw} with dilation ${dh === dw ? dh : `${dh}x${dw}`})` : "";
    return problem("V3112", `\`${op}\` with kernel ${pairAttr(attrs, "kernel").join("x")}${dilated} leaves no output on a ${h}x${w} input`, {
      attr: "kernel", notes: [`the output would be ${oh}x${ow}`],
    });
  }
  return [oh, ow];
}

const convAttrs = {
  out: { type: "int", min: 1, doc: "output channels" },
  kernel: { type: "pair", min: 1, doc: "kernel size" },
  stride: { type: "pair", default: 1, min: 1, doc: "stride" },
  padding: { type: "padding", default: 0, min: 0, doc: "zero padding per side, or \"same\" for TensorFlow SAME padding" },
  groups: { type: "int", default: 1, min: 1, doc: "channel groups (equal to the channels for a depthwise conv)" },
  dilation: { type: "pair", default: 1, min: 1, doc: "spacing between kernel taps (PyTorch dilation)" },
  bias: { type: "bool", default: true, doc: "whether the conv has a bias" },
} as const;

function convShape(op: string) {
  return (inputs: readonly Shape[], attrs: Attrs) => {
    const [x] = inputs;
    const bad = requireRank(x, 4, op, "[B, C, H, W]");
    if (bad) return bad;
    const groups = attrs.groups as number;
    const out = attrs.out as number;
    const cin = x.dims[0];
    if (cin % groups !== 0 || out % groups !== 0) {
      const what = cin % groups !== 0 ? `input channels ${cin}` : `output channels ${out}`;
      return problem("V3114", `\`${op}\` ${what} not divisible by \`groups\` ${groups}`, { attr: "groups" });
    }
    const spatial = spatialOut(x, attrs, op);
    if (!Array.isArray(spatial)) return spatial;
    return shape(x.batch, [out, spatial[0], spatial[1]]);
  };
}

function convParams(inputs: readonly Shape[], attrs: Attrs): TensorShapes {
  const [kh, kw] = pairAttr(attrs, "kernel");
  const out = attrs.out as number;
  const weight = [out, inputs[0].dims[0] / (attrs.groups as number), kh, kw];
  return attrs.bias ? { weight, bias: [out] } : { weight };
}

function convMacs(inputs: readonly Shape[], attrs: Attrs, out: Shape): bigint {
  const [kh, kw] = pairAttr(attrs, "kernel");
  // Channels per group: groups divides the input channels (checked by the shape rule).
  const perOutput = BigInt(inputs[0].dims[0] / (attrs.groups as number)) * BigInt(kh) * BigInt(kw);
  return BigInt(out.batch) * BigInt(out.dims[0]) * BigInt(out.dims[1]) * BigInt(out.dims[2]) * perOutput;
}

export const conv2d: OpDef = {
  doc: "2-D convolution on `[B, C, H, W]` (PyTorch Conv2d; weight `[out, in/groups, kh, kw]`).",
  attrs: convAttrs,
  shape: convShape("conv2d"),
  params: convParams,
  macs: convMacs,
};

export const stdConv2d: OpDef = {
  doc: "Weight-standardised 2-D convolution (timm StdConv2d/StdConv2dSame): each output channel's weights are normalised to zero mean and unit variance at every forward.",
  attrs: { ...convAttrs, bias: { type: "bool", default: false, doc: "whether the conv has a bias" }, eps: { type: "float", default: 1e-8, min: 0, doc: "added to the variance" } },
  shape: convShape("std_conv2d"),
  params: convParams,
  macs: convMacs,
};

export const maxPool: OpDef = {
  doc: "Max pooling on `[B, C, H, W]`; \"same\" padding pads with -inf like TensorFlow.",
  attrs: {
    kernel: { type: "pair", min: 1, doc: "window size" },
    stride: { type: "pair", default: 1, min: 1, doc: "stride" },
    padding: { type: "padding", default: 0, min: 0, doc: "padding per side, or \"same\"" },
  },
  shape(inputs, attrs) {
    const [x] = inputs;
    const bad = requireRank(x, 4, "max_pool", "[B, C, H, W]");
    if (bad) return bad;
    const spatial = spatialOut(x, attrs, "max_pool");
    if (!Array.isArray(spatial)) return spatial;
    return shape(x.batch, [x.dims[0], spatial[0], spatial[1]]);
  },
  params: none,
  macs: noMacs,
};

