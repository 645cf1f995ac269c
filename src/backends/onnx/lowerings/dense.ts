// Linear layers, norms and activations, in the forms ONNX Runtime fuses: LayerNormalization,
// Gemm with its bias, the erf form of GELU (fused into one Gelu), Softmax on the last axis.

import { reshape, type OnnxLowering } from "../lowering";

/**
 * PyTorch's Linear as Gemm(x, W, b, transB=1): the weight stays [out, in] under its timm key, and
 * the bias is part of the Gemm (what ORT's MatMul+Add fusion would make of MatMul and Add). Gemm
 * takes a matrix, so tokens [S, N, in] are viewed as rows [S*N, in] and back; a Reshape moves no data.
 */
export const linearLowering: OnnxLowering = ({ g, inputs: [x], inputShapes: [shape], attrs, weight }) => {
  const inputs = attrs.bias ? [weight("weight"), weight("bias")] : [weight("weight")];
  const features = shape.dims[shape.dims.length - 1];
  if (shape.dims.length === 1) return g.op("Gemm", [x, ...inputs], { transB: 1 });
  const rows = g.op("Gemm", [reshape(g, x, [-1, features]), ...inputs], { transB: 1 });
  return reshape(g, rows, [-1, ...shape.dims.slice(0, -1), attrs.out as number]);
};

export const layerNormLowering: OnnxLowering = ({ g, inputs: [x], attrs, weight }) =>
  g.op("LayerNormalization", [x, weight("weight"), weight("bias")], { axis: -1, epsilon: { float: attrs.eps as number } });

/**
 * GroupNorm: InstanceNormalization over [B, groups, C/groups*H*W] normalises each group of each
 * image (biased variance, as PyTorch); the per-channel affine follows on [B, C, H, W]. ONNX's own
 * GroupNormalization (opset 18) had a per-group scale until opset 21.
 */
export const groupNormLowering: OnnxLowering = ({ g, inputs: [x], inputShapes: [shape], attrs, weight }) => {
  const groups = attrs.groups as number;
  const [c, h, w] = shape.dims;
  const grouped = reshape(g, x, [0, groups, -1]);
  const ones = g.floats(new Array<number>(groups).fill(1), [groups]);
  const zeros = g.floats(new Array<number>(groups).fill(0), [groups]);
  const normalised = reshape(g, g.op("InstanceNormalization", [grouped, ones, zeros], { epsilon: { float: attrs.eps as number } }), [0, c, h, w]);
  const perChannel = (name: string) => reshape(g, weight(name), [c, 1, 1]);
  return g.op("Add", [g.op("Mul", [normalised, perChannel("weight")]), perChannel("bias")]);
};

/** BatchNorm at inference: ORT folds it into the convolution before it. */
export const batchNormLowering: OnnxLowering = ({ g, inputs: [x], attrs, weight }) =>
  g.op("BatchNormalization", [x, weight("weight"), weight("bias"), weight("running_mean"), weight("running_var")], { epsilon: { float: attrs.eps as number } });

/**
 * The exact GELU, 0.5 * x * (1 + erf(x / sqrt(2))), in the op order ORT's GeluFusion matches
 * (Div, Erf, Add, Mul, Mul): it becomes one Gelu kernel.
 */
export const geluLowering: OnnxLowering = ({ g, inputs: [x] }) => {
  const erf = g.op("Erf", [g.op("Div", [x, g.floats([Math.SQRT2])])]);
  return g.op("Mul", [g.op("Mul", [x, g.op("Add", [erf, g.floats([1])])]), g.floats([0.5])]);
};

export const siluLowering: OnnxLowering = ({ g, inputs: [x] }) => g.op("Mul", [x, g.op("Sigmoid", [x])]);

export const reluLowering: OnnxLowering = ({ g, inputs: [x] }) => g.op("Relu", [x]);

export const softmaxLowering: OnnxLowering = ({ g, inputs: [x] }) => g.op("Softmax", [x], { axis: -1 });
