// Linear layers, norms and activations, in the forms ONNX Runtime fuses: LayerNormalization,
// MatMul then Add (a following erf GELU makes them one BiasGelu), Softmax on the last axis.

import { reshape, transpose, type OnnxLowering } from "../lowering";

/**
 * PyTorch's Linear as MatMul(x, Wᵀ) + b, the form timm's own export has: the weight stays
 * [out, in] under its timm key and its Transpose is folded into a constant by ORT at load, so the
 * MatMul's B is constant and prepacked; MatMul takes tokens [S, N, in] as they are (no Reshape),
 * and an Add of the bias followed by GELU becomes ORT's BiasGelu. Against `Gemm(x, W, b,
 * transB=1)` between Reshapes (the first form), measured with `npm run bench -- onnx` (one session
 * alive at a time, two runs each): the ViTs and MobileViT-S the same within the machine's noise,
 * Swin-T 0.62–0.95x timm's export against 0.99–1.40x with Gemm, for ~90 MiB more peak RSS on
 * ViT-B/16 (549–602 against 477–486 MiB: the transposed copies ORT keeps).
 */
export const linearLowering: OnnxLowering = ({ g, inputs: [x], attrs, weight }) => {
  const product = g.op("MatMul", [x, transpose(g, weight("weight"), [1, 0])]);
  return attrs.bias ? g.op("Add", [product, weight("bias")]) : product;
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
