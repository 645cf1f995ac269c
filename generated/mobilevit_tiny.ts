// mobilevit_tiny: compiled by vitc 0.1.0 from test/parity/mobilevit_tiny.vit.
// Generated code: change the spec and run `vitc build --emit ts` again rather than editing this file.
// It needs only @tensorflow/tfjs-core; register and select a backend (wasm, webgl, webgpu, cpu) first.

import * as tf from "@tensorflow/tfjs-core";

/** The model: its name, its input [C, H, W] and output without the batch dimension, and its parameter count. */
export const spec: { readonly name: string; readonly input: readonly [number, number, number]; readonly output: readonly number[]; readonly params: number; } = {
  name: "mobilevit_tiny",
  input: [3, 64, 64],
  output: [10],
  params: 95106
};

/** The weights `createModel` takes: timm's state_dict keys with their PyTorch shapes. */
export const weightShapes: { readonly [timmKey: string]: readonly number[]; } = {
  "stem.conv.weight": [8, 3, 3, 3],
  "stem.bn.weight": [8],
  "stem.bn.bias": [8],
  "stem.bn.running_mean": [8],
  "stem.bn.running_var": [8],
  "stages.0.0.conv1_1x1.conv.weight": [16, 8, 1, 1],
  "stages.0.0.conv1_1x1.bn.weight": [16],
  "stages.0.0.conv1_1x1.bn.bias": [16],
  "stages.0.0.conv1_1x1.bn.running_mean": [16],
  "stages.0.0.conv1_1x1.bn.running_var": [16],
  "stages.0.0.conv2_kxk.conv.weight": [16, 1, 3, 3],
  "stages.0.0.conv2_kxk.bn.weight": [16],
  "stages.0.0.conv2_kxk.bn.bias": [16],
  "stages.0.0.conv2_kxk.bn.running_mean": [16],
  "stages.0.0.conv2_kxk.bn.running_var": [16],
  "stages.0.0.conv3_1x1.conv.weight": [8, 16, 1, 1],
  "stages.0.0.conv3_1x1.bn.weight": [8],
  "stages.0.0.conv3_1x1.bn.bias": [8],
  "stages.0.0.conv3_1x1.bn.running_mean": [8],
  "stages.0.0.conv3_1x1.bn.running_var": [8],
  "stages.1.0.conv1_1x1.conv.weight": [16, 8, 1, 1],
  "stages.1.0.conv1_1x1.bn.weight": [16],
  "stages.1.0.conv1_1x1.bn.bias": [16],
  "stages.1.0.conv1_1x1.bn.running_mean": [16],
  "stages.1.0.conv1_1x1.bn.running_var": [16],
  "stages.1.0.conv2_kxk.conv.weight": [16, 1, 3, 3],
  "stages.1.0.conv2_kxk.bn.weight": [16],
  "stages.1.0.conv2_kxk.bn.bias": [16],
  "stages.1.0.conv2_kxk.bn.running_mean": [16],
  "stages.1.0.conv2_kxk.bn.running_var": [16],
  "stages.1.0.conv3_1x1.conv.weight": [16, 16, 1, 1],
  "stages.1.0.conv3_1x1.bn.weight": [16],
  "stages.1.0.conv3_1x1.bn.bias": [16],
  "stages.1.0.conv3_1x1.bn.running_mean": [16],
  "stages.1.0.conv3_1x1.bn.running_var": [16],
  "stages.1.1.conv1_1x1.conv.weight": [32, 16, 1, 1],
  "stages.1.1.conv1_1x1.bn.weight": [32],
  "stages.1.1.conv1_1x1.bn.bias": [32],
  "stages.1.1.conv1_1x1.bn.running_mean": [32],
  "stages.1.1.conv1_1x1.bn.running_var": [32],
  "stages.1.1.conv2_kxk.conv.weight": [32, 1, 3, 3],
  "stages.1.1.conv2_kxk.bn.weight": [32],
  "stages.1.1.conv2_kxk.bn.bias": [32],
  "stages.1.1.conv2_kxk.bn.running_mean": [32],
  "stages.1.1.conv2_kxk.bn.running_var": [32],
  "stages.1.1.conv3_1x1.conv.weight": [16, 32, 1, 1],
  "stages.1.1.conv3_1x1.bn.weight": [16],
  "stages.1.1.conv3_1x1.bn.bias": [16],
  "stages.1.1.conv3_1x1.bn.running_mean": [16],
  "stages.1.1.conv3_1x1.bn.running_var": [16],
  "stages.2.0.conv1_1x1.conv.weight": [32, 16, 1, 1],
  "stages.2.0.conv1_1x1.bn.weight": [32],
  "stages.2.0.conv1_1x1.bn.bias": [32],
  "stages.2.0.conv1_1x1.bn.running_mean": [32],
  "stages.2.0.conv1_1x1.bn.running_var": [32],
  "stages.2.0.conv2_kxk.conv.weight": [32, 1, 3, 3],
  "stages.2.0.conv2_kxk.bn.weight": [32],
  "stages.2.0.conv2_kxk.bn.bias": [32],
  "stages.2.0.conv2_kxk.bn.running_mean": [32],
  "stages.2.0.conv2_kxk.bn.running_var": [32],
  "stages.2.0.conv3_1x1.conv.weight": [24, 32, 1, 1],
  "stages.2.0.conv3_1x1.bn.weight": [24],
  "stages.2.0.conv3_1x1.bn.bias": [24],
  "stages.2.0.conv3_1x1.bn.running_mean": [24],
  "stages.2.0.conv3_1x1.bn.running_var": [24],
  "stages.2.1.conv_kxk.conv.weight": [24, 24, 3, 3],
  "stages.2.1.conv_kxk.bn.weight": [24],
  "stages.2.1.conv_kxk.bn.bias": [24],
  "stages.2.1.conv_kxk.bn.running_mean": [24],
  "stages.2.1.conv_kxk.bn.running_var": [24],
  "stages.2.1.conv_1x1.weight": [32, 24, 1, 1],
  ...repeatShapes("stages.2.1.transformer", 2, {
    "norm1.weight": [32],
    "norm1.bias": [32],
    "attn.qkv.weight": [96, 32],
    "attn.qkv.bias": [96],
    "attn.proj.weight": [32, 32],
    "attn.proj.bias": [32],
    "norm2.weight": [32],
    "norm2.bias": [32],
    "mlp.fc1.weight": [64, 32],
    "mlp.fc1.bias": [64],
    "mlp.fc2.weight": [32, 64],
    "mlp.fc2.bias": [32]
  }),
  "stages.2.1.norm.weight": [32],
  "stages.2.1.norm.bias": [32],
  "stages.2.1.conv_proj.conv.weight": [24, 32, 1, 1],
  "stages.2.1.conv_proj.bn.weight": [24],
  "stages.2.1.conv_proj.bn.bias": [24],
  "stages.2.1.conv_proj.bn.running_mean": [24],
  "stages.2.1.conv_proj.bn.running_var": [24],
  "stages.2.1.conv_fusion.conv.weight": [24, 48, 3, 3],
  "stages.2.1.conv_fusion.bn.weight": [24],
  "stages.2.1.conv_fusion.bn.bias": [24],
  "stages.2.1.conv_fusion.bn.running_mean": [24],
  "stages.2.1.conv_fusion.bn.running_var": [24],
  "stages.3.0.conv1_1x1.conv.weight": [48, 24, 1, 1],
  "stages.3.0.conv1_1x1.bn.weight": [48],
  "stages.3.0.conv1_1x1.bn.bias": [48],
  "stages.3.0.conv1_1x1.bn.running_mean": [48],
  "stages.3.0.conv1_1x1.bn.running_var": [48],
  "stages.3.0.conv2_kxk.conv.weight": [48, 1, 3, 3],
  "stages.3.0.conv2_kxk.bn.weight": [48],
  "stages.3.0.conv2_kxk.bn.bias": [48],
  "stages.3.0.conv2_kxk.bn.running_mean": [48],
  "stages.3.0.conv2_kxk.bn.running_var": [48],
  "stages.3.0.conv3_1x1.conv.weight": [32, 48, 1, 1],
  "stages.3.0.conv3_1x1.bn.weight": [32],
  "stages.3.0.conv3_1x1.bn.bias": [32],
  "stages.3.0.conv3_1x1.bn.running_mean": [32],
  "stages.3.0.conv3_1x1.bn.running_var": [32],
  "stages.3.1.conv_kxk.conv.weight": [32, 32, 3, 3],
  "stages.3.1.conv_kxk.bn.weight": [32],
  "stages.3.1.conv_kxk.bn.bias": [32],
  "stages.3.1.conv_kxk.bn.running_mean": [32],
  "stages.3.1.conv_kxk.bn.running_var": [32],
  "stages.3.1.conv_1x1.weight": [48, 32, 1, 1],
  "stages.3.1.transformer.0.norm1.weight": [48],
  "stages.3.1.transformer.0.norm1.bias": [48],
  "stages.3.1.transformer.0.attn.qkv.weight": [144, 48],
  "stages.3.1.transformer.0.attn.qkv.bias": [144],
  "stages.3.1.transformer.0.attn.proj.weight": [48, 48],
  "stages.3.1.transformer.0.attn.proj.bias": [48],
  "stages.3.1.transformer.0.norm2.weight": [48],
  "stages.3.1.transformer.0.norm2.bias": [48],
  "stages.3.1.transformer.0.mlp.fc1.weight": [96, 48],
  "stages.3.1.transformer.0.mlp.fc1.bias": [96],
  "stages.3.1.transformer.0.mlp.fc2.weight": [48, 96],
  "stages.3.1.transformer.0.mlp.fc2.bias": [48],
  "stages.3.1.norm.weight": [48],
  "stages.3.1.norm.bias": [48],
  "stages.3.1.conv_proj.conv.weight": [32, 48, 1, 1],
  "stages.3.1.conv_proj.bn.weight": [32],
  "stages.3.1.conv_proj.bn.bias": [32],
  "stages.3.1.conv_proj.bn.running_mean": [32],
  "stages.3.1.conv_proj.bn.running_var": [32],
  "stages.3.1.conv_fusion.conv.weight": [32, 64, 3, 3],
  "stages.3.1.conv_fusion.bn.weight": [32],
  "stages.3.1.conv_fusion.bn.bias": [32],
  "stages.3.1.conv_fusion.bn.running_mean": [32],
  "stages.3.1.conv_fusion.bn.running_var": [32],
  "final_conv.conv.weight": [64, 32, 1, 1],
  "final_conv.bn.weight": [64],
  "final_conv.bn.bias": [64],
  "final_conv.bn.running_mean": [64],
  "final_conv.bn.running_var": [64],
  "head.fc.weight": [10, 64],
  "head.fc.bias": [10]
};

export interface VitModel {
  /**
   * timm's forward() as `logits` and forward_features() as `features`, of NCHW float32 images [B, C, H, W].
   * Leaves no tensor behind but these two, which the caller disposes.
   */
  predict(input: tf.Tensor4D): { logits: tf.Tensor; features: tf.Tensor; };
  /** Frees the model's weights. */
  dispose(): void;
}

/**
 * The model with timm's float32 weights, by state_dict key in PyTorch layouts (`weightShapes`).
 * They are converted here, once; the caller keeps (and disposes) its tensors. Throws an error
 * naming every missing, unexpected or mis-shaped weight.
 */
export function createModel(weights: Record<string, tf.Tensor>): VitModel {
  checkWeights(weights, weightShapes, spec.name);
  const layers = loadMobilevit(layerReader(weights), ""); // every weight converted to the layout tfjs wants, once
  return {
    predict(input: tf.Tensor4D): { logits: tf.Tensor; features: tf.Tensor; } {
      checkInput(input, spec.input, spec.name);
      const [logits, features] = forwardInSlices(input, imagesPerPass(true), x => tf.tidy(() => mobilevit(x, layers))); // on wasm, image by image (see imagesPerPass)
      return { logits, features };
    },
    dispose(): void {
      tf.dispose(tensorsIn(layers));
    }
  };
}

/**
 * timm `ByobNet` with a MobileViT v1 config. The lists give one entry per stage; stage `i` has
 * `depths[i]` inverted residuals (only the first strides) and, when `transformer_dims[i]` > 0,
 * then one MobileViT block. The defaults are `mobilevit_xxs`.
 * `mobilevit` (std/mobilevit.vit:59) at `(root)`.
 */
function mobilevit(x: tf.Tensor, w: ReturnType<typeof loadMobilevit>): tf.Tensor[] {
  const stem = tf.tidy(() => convBnAct(x, w.stem)); // [B, 8, 32, 32], held channels-last
  const stages = tf.tidy(() => invertedResidual(stem, w["stages.0.0"])); // [B, 8, 32, 32], held channels-last
  tf.dispose([stem]);
  const stagesOut = tf.tidy(() => repeatBlock(stages, w["stages.1"], invertedResidual)); // [B, 16, 16, 16], held channels-last
  tf.dispose([stages]);
  const stages2 = tf.tidy(() => invertedResidual(stagesOut, w["stages.2.0"])); // [B, 24, 8, 8], held channels-last
  tf.dispose([stagesOut]);
  const stages3 = tf.tidy(() => mobilevitBlock(stages2, w["stages.2.1"])); // [B, 24, 8, 8], held channels-last
  tf.dispose([stages2]);
  const stages4 = tf.tidy(() => invertedResidual(stages3, w["stages.3.0"])); // [B, 32, 4, 4], held channels-last
  tf.dispose([stages3]);
  const stages5 = tf.tidy(() => mobilevitBlock2(stages4, w["stages.3.1"])); // [B, 32, 4, 4], held channels-last
  tf.dispose([stages4]);
  const features = tf.tidy(() => convBnAct2(stages5, w.final_conv)); // [B, 64, 4, 4], held channels-last
  tf.dispose([stages5]);
  const pooled = globalAvgPool(features); // [B, 64]
  const logits = tf.tidy(() => mobilevitClassifier(pooled, w.head)); // [B, 10]
  tf.dispose([pooled]);
  return [logits, toChannelsFirst(features)];
}
const loadMobilevit = (layer: LayerReader, p: string) => ({
  stem: loadConvBnAct(layer, weightPath(p, "stem")),
  "stages.0.0": loadInvertedResidual(layer, weightPath(p, "stages.0.0")),
  "stages.1": Array.from({ length: 2 }, (_, i) => loadInvertedResidual(layer, weightPath(p, "stages.1", i))),
  "stages.2.0": loadInvertedResidual(layer, weightPath(p, "stages.2.0")),
  "stages.2.1": loadMobilevitBlock(layer, weightPath(p, "stages.2.1")),
  "stages.3.0": loadInvertedResidual(layer, weightPath(p, "stages.3.0")),
  "stages.3.1": loadMobilevitBlock2(layer, weightPath(p, "stages.3.1")),
  final_conv: loadConvBnAct2(layer, weightPath(p, "final_conv")),
  head: loadMobilevitClassifier(layer, weightPath(p, "head"))
});

/**
 * timm `ConvNormAct`: conv without bias (`conv`), BatchNorm (`bn`), SiLU unless `act` is false.
 * Padding is PyTorch's symmetric ((stride - 1) + dilation * (kernel - 1)) // 2.
 * `conv_bn_act` (std/mobilevit.vit:11) at `stem`.
 */
function convBnAct(x: tf.Tensor, w: ReturnType<typeof loadConvBnAct>): tf.Tensor {
  const conv = conv2d(toChannelsLast(x), w.conv, { strides: [2, 2], dilations: [1, 1], pad: [[0, 0], [1, 1], [1, 1], [0, 0]], groups: 1 }); // [B, 8, 32, 32], held channels-last
  const bn = batchNorm(conv, w.bn); // [B, 8, 32, 32], held channels-last
  return silu(bn); // [B, 8, 32, 32], held channels-last
}
const loadConvBnAct = (layer: LayerReader, p: string) => ({
  conv: prepareConv(layer(p, "conv"), { strides: [2, 2], dilations: [1, 1], pad: [[0, 0], [1, 1], [1, 1], [0, 0]], groups: 1 }),
  bn: prepareBatchNorm(layer(p, "bn"), 1e-5)
});

/**
 * timm `BottleneckBlock` with `bottle_in` and `linear_out` (a MobileNetV2 inverted residual):
 * 1x1 expansion to make_divisible(in_chs * expansion), depthwise 3x3 with the stride, 1x1
 * projection without activation; the input is added back only when the shapes match.
 * `dilation` is timm's pair (this block's, the stage's): the 3x3 conv takes the first, and a
 * block whose two differ has no shortcut either.
 * `inverted_residual` (std/mobilevit.vit:23) at `stages.0.0` … `stages.3.0` (5 calls); shapes as at `stages.0.0`.
 */
function invertedResidual(x: tf.Tensor, w: ReturnType<typeof loadInvertedResidual>): tf.Tensor {
  const conv11x1 = tf.tidy(() => convBnAct2(x, w.conv1_1x1)); // [B, 16, 32, 32], held channels-last
  const conv2Kxk = tf.tidy(() => convBnAct2(conv11x1, w.conv2_kxk)); // [B, 16, 32, 32], held channels-last
  tf.dispose([conv11x1]);
  const conv31x1 = tf.tidy(() => convBnAct2(conv2Kxk, w.conv3_1x1)); // [B, 8, 32, 32], held channels-last
  tf.dispose([conv2Kxk]);
  return w.settings.add ? addTensors(conv31x1, x) : conv31x1; // [B, 8, 32, 32], held channels-last
}
const loadInvertedResidual = (layer: LayerReader, p: string) => {
  const s = invertedResidualSettings[p];
  return {
    settings: s,
    conv1_1x1: loadConvBnAct2(layer, weightPath(p, "conv1_1x1")),
    conv2_kxk: loadConvBnAct2(layer, weightPath(p, "conv2_kxk")),
    conv3_1x1: loadConvBnAct2(layer, weightPath(p, "conv3_1x1"))
  };
};

/** What differs between the `inverted_residual` calls, by the weight path of each. */
const invertedResidualSettings: Readonly<Record<string, {
  readonly add: boolean;
}>> = {
  "stages.0.0": { add: true },
  "stages.1.0": { add: false },
  "stages.1.1": { add: true },
  "stages.2.0": { add: false },
  "stages.3.0": { add: false }
};

/**
 * timm `ConvNormAct`: conv without bias (`conv`), BatchNorm (`bn`), SiLU unless `act` is false.
 * Padding is PyTorch's symmetric ((stride - 1) + dilation * (kernel - 1)) // 2.
 * `conv_bn_act` (std/mobilevit.vit:11) at `stages.0.0.conv1_1x1` … `final_conv` (22 calls); shapes as at `stages.0.0.conv1_1x1`.
 */
function convBnAct2(x: tf.Tensor, w: ReturnType<typeof loadConvBnAct2>): tf.Tensor {
  const conv = anyConv2d(x, w.conv, w.settings.conv); // [B, 16, 32, 32], held channels-last
  const bn = batchNorm(conv, w.bn); // [B, 16, 32, 32], held channels-last
  return w.settings.silu ? silu(bn) : bn; // [B, 16, 32, 32], held channels-last
}
const loadConvBnAct2 = (layer: LayerReader, p: string) => {
  const s = convBnAct2Settings[p];
  return {
    settings: s,
    conv: prepareConv(layer(p, "conv"), s.conv),
    bn: prepareBatchNorm(layer(p, "bn"), 1e-5)
  };
};

/** What differs between the `conv_bn_act` calls, by the weight path of each. */
const convBnAct2Settings: Readonly<Record<string, {
  readonly conv: Parameters<typeof prepareConv>[1];
  readonly silu: boolean;
}>> = {
  "stages.0.0.conv1_1x1": { conv: { strides: [1, 1], dilations: [1, 1], pad: [[0, 0], [0, 0], [0, 0], [0, 0]], groups: 1 }, silu: true },
  "stages.0.0.conv2_kxk": { conv: { strides: [1, 1], dilations: [1, 1], pad: [[0, 0], [1, 1], [1, 1], [0, 0]], groups: 16 }, silu: true },
  "stages.0.0.conv3_1x1": { conv: { strides: [1, 1], dilations: [1, 1], pad: [[0, 0], [0, 0], [0, 0], [0, 0]], groups: 1 }, silu: false },
  "stages.1.0.conv1_1x1": { conv: { strides: [1, 1], dilations: [1, 1], pad: [[0, 0], [0, 0], [0, 0], [0, 0]], groups: 1 }, silu: true },
  "stages.1.0.conv2_kxk": { conv: { strides: [2, 2], dilations: [1, 1], pad: [[0, 0], [1, 1], [1, 1], [0, 0]], groups: 16 }, silu: true },
  "stages.1.0.conv3_1x1": { conv: { strides: [1, 1], dilations: [1, 1], pad: [[0, 0], [0, 0], [0, 0], [0, 0]], groups: 1 }, silu: false },
  "stages.1.1.conv1_1x1": { conv: { strides: [1, 1], dilations: [1, 1], pad: [[0, 0], [0, 0], [0, 0], [0, 0]], groups: 1 }, silu: true },
  "stages.1.1.conv2_kxk": { conv: { strides: [1, 1], dilations: [1, 1], pad: [[0, 0], [1, 1], [1, 1], [0, 0]], groups: 32 }, silu: true },
  "stages.1.1.conv3_1x1": { conv: { strides: [1, 1], dilations: [1, 1], pad: [[0, 0], [0, 0], [0, 0], [0, 0]], groups: 1 }, silu: false },
  "stages.2.0.conv1_1x1": { conv: { strides: [1, 1], dilations: [1, 1], pad: [[0, 0], [0, 0], [0, 0], [0, 0]], groups: 1 }, silu: true },
  "stages.2.0.conv2_kxk": { conv: { strides: [2, 2], dilations: [1, 1], pad: [[0, 0], [1, 1], [1, 1], [0, 0]], groups: 32 }, silu: true },
  "stages.2.0.conv3_1x1": { conv: { strides: [1, 1], dilations: [1, 1], pad: [[0, 0], [0, 0], [0, 0], [0, 0]], groups: 1 }, silu: false },
  "stages.2.1.conv_kxk": { conv: { strides: [1, 1], dilations: [1, 1], pad: [[0, 0], [1, 1], [1, 1], [0, 0]], groups: 1 }, silu: true },
  "stages.2.1.conv_proj": { conv: { strides: [1, 1], dilations: [1, 1], pad: [[0, 0], [0, 0], [0, 0], [0, 0]], groups: 1 }, silu: true },
  "stages.2.1.conv_fusion": { conv: { strides: [1, 1], dilations: [1, 1], pad: [[0, 0], [1, 1], [1, 1], [0, 0]], groups: 1 }, silu: true },
  "stages.3.0.conv1_1x1": { conv: { strides: [1, 1], dilations: [1, 1], pad: [[0, 0], [0, 0], [0, 0], [0, 0]], groups: 1 }, silu: true },
  "stages.3.0.conv2_kxk": { conv: { strides: [2, 2], dilations: [1, 1], pad: [[0, 0], [1, 1], [1, 1], [0, 0]], groups: 48 }, silu: true },
  "stages.3.0.conv3_1x1": { conv: { strides: [1, 1], dilations: [1, 1], pad: [[0, 0], [0, 0], [0, 0], [0, 0]], groups: 1 }, silu: false },
  "stages.3.1.conv_kxk": { conv: { strides: [1, 1], dilations: [1, 1], pad: [[0, 0], [1, 1], [1, 1], [0, 0]], groups: 1 }, silu: true },
  "stages.3.1.conv_proj": { conv: { strides: [1, 1], dilations: [1, 1], pad: [[0, 0], [0, 0], [0, 0], [0, 0]], groups: 1 }, silu: true },
  "stages.3.1.conv_fusion": { conv: { strides: [1, 1], dilations: [1, 1], pad: [[0, 0], [1, 1], [1, 1], [0, 0]], groups: 1 }, silu: true },
  final_conv: { conv: { strides: [1, 1], dilations: [1, 1], pad: [[0, 0], [0, 0], [0, 0], [0, 0]], groups: 1 }, silu: true }
};

/**
 * timm `MobileVitBlock` on a `grid` feature map of `chs` channels: local 3x3 conv, plain 1x1
 * conv to `dim`, unfold into `[B*P, N, dim]` sequences (one per pixel offset inside a patch),
 * `depth` pre-norm transformer blocks (SiLU MLP, LayerNorm eps 1e-5), LayerNorm, fold back,
 * 1x1 conv to `chs`, then a 3x3 fusion of [block input, result]. No residual around it.
 * `mobilevit_block` (std/mobilevit.vit:36) at `stages.2.1`.
 */
function mobilevitBlock(x: tf.Tensor, w: ReturnType<typeof loadMobilevitBlock>): tf.Tensor {
  const convKxk = tf.tidy(() => convBnAct2(x, w.conv_kxk)); // [B, 24, 8, 8], held channels-last
  const conv1x1 = conv2d(convKxk, w.conv_1x1, { strides: [1, 1], dilations: [1, 1], pad: [[0, 0], [0, 0], [0, 0], [0, 0]], groups: 1 }); // [B, 32, 8, 8], held channels-last
  tf.dispose([convKxk]);
  const patches = unfold(conv1x1, [2, 2]); // [B*4, 16, 32]
  tf.dispose([conv1x1]);
  const transformer = tf.tidy(() => repeatBlock(patches, w.transformer, encoderBlock)); // [B*4, 16, 32]
  tf.dispose([patches]);
  const norm = layerNorm(transformer, w.norm, 1e-5); // [B*4, 16, 32]
  tf.dispose([transformer]);
  const folded = fold(norm, [2, 2], [8, 8]); // [B, 32, 8, 8], held channels-last
  tf.dispose([norm]);
  const convProj = tf.tidy(() => convBnAct2(folded, w.conv_proj)); // [B, 24, 8, 8], held channels-last
  tf.dispose([folded]);
  const joined = concatTensors(convProj, x, 3); // [B, 48, 8, 8], held channels-last
  tf.dispose([convProj]);
  const convFusion = tf.tidy(() => convBnAct2(joined, w.conv_fusion)); // [B, 24, 8, 8], held channels-last
  tf.dispose([joined]);
  return convFusion;
}
const loadMobilevitBlock = (layer: LayerReader, p: string) => ({
  conv_kxk: loadConvBnAct2(layer, weightPath(p, "conv_kxk")),
  conv_1x1: prepareConv(layer(p, "conv_1x1"), { strides: [1, 1], dilations: [1, 1], pad: [[0, 0], [0, 0], [0, 0], [0, 0]], groups: 1 }),
  transformer: Array.from({ length: 2 }, (_, i) => loadEncoderBlock(layer, weightPath(p, "transformer", i))),
  norm: prepareNorm(layer(p, "norm")),
  conv_proj: loadConvBnAct2(layer, weightPath(p, "conv_proj")),
  conv_fusion: loadConvBnAct2(layer, weightPath(p, "conv_fusion"))
});

/**
 * timm `Block`: pre-norm attention and MLP, each in a residual. The MLP is int(dim * mlp_ratio)
 * wide; where that is 0, timm's `Mlp` falls back to `dim` (`hidden_features or in_features`).
 * `encoder_block` (std/layers.vit:31) at `stages.2.1.transformer.0`, `stages.2.1.transformer.1`, `stages.3.1.transformer.0`; shapes as at `stages.2.1.transformer.0`.
 */
function encoderBlock(x: tf.Tensor, w: ReturnType<typeof loadEncoderBlock>): tf.Tensor {
  const norm1 = layerNorm(x, w.norm1, 1e-5); // [B*4, 16, 32]
  const attn = tf.tidy(() => mhAttention(norm1, w.attn)); // [B*4, 16, 32]
  tf.dispose([norm1]);
  const sum = addTensors(attn, x); // [B*4, 16, 32]
  tf.dispose([attn]);
  const norm2 = layerNorm(sum, w.norm2, 1e-5); // [B*4, 16, 32]
  const mlpOut = tf.tidy(() => mlp(norm2, w.mlp)); // [B*4, 16, 32]
  tf.dispose([norm2]);
  const sumOut = addTensors(mlpOut, sum); // [B*4, 16, 32]
  tf.dispose([sum, mlpOut]);
  return sumOut;
}
const loadEncoderBlock = (layer: LayerReader, p: string) => ({
  norm1: prepareNorm(layer(p, "norm1")),
  attn: loadMhAttention(layer, weightPath(p, "attn")),
  norm2: prepareNorm(layer(p, "norm2")),
  mlp: loadMlp(layer, weightPath(p, "mlp"))
});

/**
 * timm `Attention`: fused qkv projection, multi-head scaled dot-product attention, proj.
 * `mh_attention` (std/layers.vit:18) at `stages.2.1.transformer.0.attn`, `stages.2.1.transformer.1.attn`, `stages.3.1.transformer.0.attn`; shapes as at `stages.2.1.transformer.0.attn`.
 */
function mhAttention(x: tf.Tensor, w: ReturnType<typeof loadMhAttention>): tf.Tensor {
  const attended = qkvAttention(x, w.qkv); // [B*4, 16, 32]
  return linear(attended, w.proj); // [B*4, 16, 32]
}
const loadMhAttention = (layer: LayerReader, p: string) => ({ qkv: prepareQkvAttention(layer(p, "qkv"), 4), proj: prepareLinear(layer(p, "proj")) });

/**
 * timm `Mlp`: fc1 → activation → fc2.
 * `mlp` (std/layers.vit:4) at `stages.2.1.transformer.0.mlp`, `stages.2.1.transformer.1.mlp`, `stages.3.1.transformer.0.mlp`; shapes as at `stages.2.1.transformer.0.mlp`.
 */
function mlp(x: tf.Tensor, w: ReturnType<typeof loadMlp>): tf.Tensor {
  const fc1 = linear(x, w.fc1); // [B*4, 16, 64]
  const act = silu(fc1); // [B*4, 16, 64]
  return linear(act, w.fc2); // [B*4, 16, 32]
}
const loadMlp = (layer: LayerReader, p: string) => ({ fc1: prepareLinear(layer(p, "fc1")), fc2: prepareLinear(layer(p, "fc2")) });

/**
 * timm `MobileVitBlock` on a `grid` feature map of `chs` channels: local 3x3 conv, plain 1x1
 * conv to `dim`, unfold into `[B*P, N, dim]` sequences (one per pixel offset inside a patch),
 * `depth` pre-norm transformer blocks (SiLU MLP, LayerNorm eps 1e-5), LayerNorm, fold back,
 * 1x1 conv to `chs`, then a 3x3 fusion of [block input, result]. No residual around it.
 * `mobilevit_block` (std/mobilevit.vit:36) at `stages.3.1`.
 */
function mobilevitBlock2(x: tf.Tensor, w: ReturnType<typeof loadMobilevitBlock2>): tf.Tensor {
  const convKxk = tf.tidy(() => convBnAct2(x, w.conv_kxk)); // [B, 32, 4, 4], held channels-last
  const conv1x1 = conv2d(convKxk, w.conv_1x1, { strides: [1, 1], dilations: [1, 1], pad: [[0, 0], [0, 0], [0, 0], [0, 0]], groups: 1 }); // [B, 48, 4, 4], held channels-last
  tf.dispose([convKxk]);
  const patches = unfold(conv1x1, [2, 2]); // [B*4, 4, 48]
  tf.dispose([conv1x1]);
  const transformer = tf.tidy(() => encoderBlock(patches, w["transformer.0"])); // [B*4, 4, 48]
  tf.dispose([patches]);
  const norm = layerNorm(transformer, w.norm, 1e-5); // [B*4, 4, 48]
  tf.dispose([transformer]);
  const folded = fold(norm, [2, 2], [4, 4]); // [B, 48, 4, 4], held channels-last
  tf.dispose([norm]);
  const convProj = tf.tidy(() => convBnAct2(folded, w.conv_proj)); // [B, 32, 4, 4], held channels-last
  tf.dispose([folded]);
  const joined = concatTensors(convProj, x, 3); // [B, 64, 4, 4], held channels-last
  tf.dispose([convProj]);
  const convFusion = tf.tidy(() => convBnAct2(joined, w.conv_fusion)); // [B, 32, 4, 4], held channels-last
  tf.dispose([joined]);
  return convFusion;
}
const loadMobilevitBlock2 = (layer: LayerReader, p: string) => ({
  conv_kxk: loadConvBnAct2(layer, weightPath(p, "conv_kxk")),
  conv_1x1: prepareConv(layer(p, "conv_1x1"), { strides: [1, 1], dilations: [1, 1], pad: [[0, 0], [0, 0], [0, 0], [0, 0]], groups: 1 }),
  "transformer.0": loadEncoderBlock(layer, weightPath(p, "transformer.0")),
  norm: prepareNorm(layer(p, "norm")),
  conv_proj: loadConvBnAct2(layer, weightPath(p, "conv_proj")),
  conv_fusion: loadConvBnAct2(layer, weightPath(p, "conv_fusion"))
});

/**
 * timm `ClassifierHead`'s linear layer (`head.fc`).
 * `mobilevit_classifier` (std/mobilevit.vit:52) at `head`.
 */
function mobilevitClassifier(x: tf.Tensor, w: ReturnType<typeof loadMobilevitClassifier>): tf.Tensor {
  return linear(x, w.fc); // [B, 10]
}
const loadMobilevitClassifier = (layer: LayerReader, p: string) => ({ fc: prepareLinear(layer(p, "fc")) });

// ---- Runtime ---------------------------------------------------------------------------------
// Copied from vitc's src/backends/tfjs/runtime/, the code that `vitc run` executes, so that this
// module computes what `vitc run` computes.

/** Output channels [first, first + count) of a PyTorch Linear, as tfjs reads them. */
function linearSlice(w: HostWeights, first: number, count: number, scale: number): LinearWeights {
  const inputs = w.weight.shape[1];
  const weight = new Float32Array(inputs * count);
  for (let j = 0; j < count; j++) {
    const row = (first + j) * inputs;
    for (let i = 0; i < inputs; i++) weight[i * count + j] = w.weight.values[row + i] * scale;
  }
  return {
    weight: tf.tensor2d(weight, [inputs, count]),
    ...(w.bias ? { bias: tf.tensor1d(w.bias.values.slice(first, first + count).map((v) => v * scale)) } : {}),
  };
}

/** Each head's q, k and v projections, cut from a qkv Linear at load. */
interface QkvAttentionWeights {
  readonly q: readonly LinearWeights[];
  readonly k: readonly LinearWeights[];
  readonly v: readonly LinearWeights[];
}

/** A qkv Linear and the global attention that reads it, as one step. */
function prepareQkvAttention(w: HostWeights, heads: number): QkvAttentionWeights {
  const dim = w.weight.shape[0] / 3;
  const headDim = dim / heads;
  const part = (p: number) => Array.from({ length: heads }, (_, h) => linearSlice(w, p * dim + h * headDim, headDim, p === 0 ? headDim ** -0.5 : 1));
  return { q: part(0), k: part(1), v: part(2) };
}

/** x [S, N, in] → [S, N, D]: the qkv projection and global attention, per sequence and head. */
function qkvAttention(x: tf.Tensor, w: QkvAttentionWeights): tf.Tensor {
  const heads = w.q.length;
  const [s, n, features] = x.shape;
  const sequences = Array.from({ length: s }, (_, i) => tf.tidy(() => {
    const rows = tf.reshape(s === 1 ? x : tf.slice(x, [i, 0, 0], [1, n, features]), [n, features]) as tf.Tensor2D;
    const outputs = Array.from({ length: heads }, (_, h) => {
      const scores = tf.matMul(linear(rows, w.q[h]), tf.transpose(linear(rows, w.k[h])));
      return tf.matMul(tf.softmax(scores), linear(rows, w.v[h]));
    });
    return tf.concat(outputs, 1);
  }));
  return s === 1 ? tf.expandDims(sequences[0], 0) : tf.stack(sequences);
}

/** On wasm a model with global attention runs a batch image by image. */
function imagesPerPass(globalAttention: boolean): number | undefined {
  return tf.getBackend() === "wasm" && globalAttention ? 1 : undefined;
}

/** Runs `pass` on slices of at most `perPass` images and joins its outputs along dimension 0. */
function forwardInSlices(input: tf.Tensor, perPass: number | undefined, pass: (x: tf.Tensor) => tf.Tensor[]): tf.Tensor[] {
  const images = input.shape[0];
  if (perPass === undefined || images <= perPass) return pass(input);
  const parts: tf.Tensor[][] = [];
  try {
    for (let first = 0; first < images; first += perPass) {
      // A number as begin and size slices dimension 0 and keeps the others whole.
      const chunk = tf.slice(input, first, Math.min(perPass, images - first));
      try {
        parts.push(pass(chunk));
      } finally {
        chunk.dispose();
      }
    }
    return parts[0].map((_, i) => tf.concat(parts.map((p) => p[i]), 0));
  } finally {
    for (const t of new Set(parts.flat())) t.dispose();
  }
}

/** Every tensor in `value` (a tensor, or objects and arrays holding tensors and other values). */
function tensorsIn(value: unknown): tf.Tensor[] {
  if (value instanceof tf.Tensor) return [value];
  if (Array.isArray(value)) return value.flatMap((v: unknown) => tensorsIn(v));
  if (typeof value === "object" && value !== null) return Object.values(value).flatMap((v: unknown) => tensorsIn(v));
  return [];
}

/** How one convolution runs: what the spec says, resolved against its input's size. */
interface ConvSettings {
  readonly strides: [number, number];
  readonly dilations: [number, number];
  readonly pad: Padding4;
  readonly groups: number;
}

interface ConvWeights {
  readonly weight: tf.Tensor4D;
  readonly bias?: tf.Tensor1D;
}

/** PyTorch [out, in/g, kh, kw] to the filter tfjs reads for this convolution. */
function toTfjsFilter(weight: tf.Tensor, s: ConvSettings): tf.Tensor4D {
  const [out, perGroup, kh, kw] = weight.shape;
  // Depthwise (one input channel per group): output channel i*mult + m reads input channel i,
  // in PyTorch and in tfjs alike.
  if (s.groups > 1 && perGroup === 1) return tf.transpose(tf.reshape(weight, [s.groups, out / s.groups, kh, kw]), [2, 3, 0, 1]) as tf.Tensor4D;
  return tf.transpose(weight, [2, 3, 1, 0]) as tf.Tensor4D;
}

/** The filter and bias tensors of a conv from its PyTorch weights. */
function prepareConv(w: HostWeights, s: ConvSettings): ConvWeights {
  return tf.tidy(() => ({
    weight: toTfjsFilter(upload(w.weight), s),
    ...(w.bias ? { bias: upload(w.bias) as tf.Tensor1D } : {}),
  }));
}

/** x [B, H, W, C] → [B, H', W', out] (one group). */
function conv2d(x: tf.Tensor, w: ConvWeights, s: ConvSettings): tf.Tensor {
  return tf.fused.conv2d({ x: x as tf.Tensor4D, filter: w.weight, strides: s.strides, pad: s.pad, dilations: s.dilations, bias: w.bias });
}

/** A conv with one group per input channel. */
function depthwiseConv2d(x: tf.Tensor, w: ConvWeights, s: ConvSettings): tf.Tensor {
  // tfjs's fused depthwise conv takes one padding for all sides: pad unequal sides first.
  const [, [top, bottom], [left, right]] = s.pad;
  const even = top === bottom && left === right && top === left;
  const input = (even ? x : tf.pad(x, s.pad)) as tf.Tensor4D;
  return tf.fused.depthwiseConv2d({ x: input, filter: w.weight, strides: s.strides, pad: even ? top : 0, dilations: s.dilations, bias: w.bias });
}

/** A grouped conv (not depthwise): one convolution per group of channels, joined again. */
function groupedConv2d(x: tf.Tensor, w: ConvWeights, s: ConvSettings): tf.Tensor {
  const cin = x.shape[3]! / s.groups;
  const cout = w.weight.shape[3] / s.groups;
  const parts = Array.from({ length: s.groups }, (_, g) => {
    const xs = tf.slice(x as tf.Tensor4D, [0, 0, 0, g * cin], [-1, -1, -1, cin]);
    const ws = tf.slice(w.weight, [0, 0, 0, g * cout], [-1, -1, -1, cout]);
    return tf.conv2d(xs, ws, s.strides, s.pad, "NHWC", s.dilations);
  });
  const y = tf.concat(parts, 3);
  return w.bias ? tf.add(y, w.bias) : y;
}

/** Any conv, by its groups and input channels. */
function anyConv2d(x: tf.Tensor, w: ConvWeights, s: ConvSettings): tf.Tensor {
  if (s.groups === 1) return conv2d(x, w, s);
  return x.shape[3] === s.groups ? depthwiseConv2d(x, w, s) : groupedConv2d(x, w, s);
}

interface LinearWeights {
  /** [in, out]: PyTorch's [out, in] transposed once, at load. */
  readonly weight: tf.Tensor2D;
  readonly bias?: tf.Tensor1D;
}

/** A Linear's weight as [in, out], transposed once at load. */
function prepareLinear(w: HostWeights): LinearWeights {
  return tf.tidy(() => ({
    weight: tf.transpose(upload(w.weight)) as tf.Tensor2D,
    ...(w.bias ? { bias: upload(w.bias) as tf.Tensor1D } : {}),
  }));
}

/** x [..., in] → [..., out]. */
function linear(x: tf.Tensor, w: LinearWeights): tf.Tensor {
  const features = x.shape[x.shape.length - 1];
  const rows = tf.reshape(x, [-1, features]) as tf.Tensor2D;
  const y = tf.fused.matMul({ a: rows, b: w.weight, bias: w.bias });
  return tf.reshape(y, [...x.shape.slice(0, -1), w.weight.shape[1]]);
}

/** (x - mean) / sqrt(var + eps) over `axes`, with the biased variance as PyTorch uses. */
function normalise(x: tf.Tensor, axes: number | number[], eps: number): tf.Tensor {
  const { mean, variance } = tf.moments(x, axes, true);
  return tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, eps)));
}

interface NormWeights {
  readonly weight: tf.Tensor;
  readonly bias: tf.Tensor;
}

function prepareNorm(w: HostWeights): NormWeights {
  return { weight: upload(w.weight), bias: upload(w.bias) };
}

function layerNorm(x: tf.Tensor, w: NormWeights, eps: number): tf.Tensor {
  return tf.add(tf.mul(normalise(x, -1, eps), w.weight), w.bias);
}

interface BatchNormWeights {
  readonly scale: tf.Tensor1D;
  readonly shift: tf.Tensor1D;
}

/** An inference BatchNorm as one multiply-add per channel. */
function prepareBatchNorm(w: HostWeights, eps: number): BatchNormWeights {
  const channels = w.weight.values.length;
  const scale = new Float32Array(channels);
  const shift = new Float32Array(channels);
  for (let c = 0; c < channels; c++) {
    scale[c] = w.weight.values[c] / Math.sqrt(w.running_var.values[c] + eps);
    shift[c] = w.bias.values[c] - w.running_mean.values[c] * scale[c];
  }
  return { scale: tf.tensor1d(scale), shift: tf.tensor1d(shift) };
}

function batchNorm(x: tf.Tensor, w: BatchNormWeights): tf.Tensor {
  return tf.add(tf.mul(x, w.scale), w.shift);
}

function silu(x: tf.Tensor): tf.Tensor {
  return tf.mul(x, tf.sigmoid(x));
}

/** Swaps axes 1 and 2 of x viewed as [a, b, c, d]. */
function swapMiddle(x: tf.Tensor, a: number, b: number, c: number, d: number): tf.Tensor {
  return tf.transpose(tf.reshape(x, [a, b, c, d]), [0, 2, 1, 3]);
}

/** [B, C, H, W] as the spec says, held [B, H, W, C] where convs, norms and pools want it. */
function toChannelsLast(x: tf.Tensor): tf.Tensor {
  return tf.transpose(x, [0, 2, 3, 1]);
}

/** A channels-last [B, H, W, C] back to the spec's [B, C, H, W]. */
function toChannelsFirst(x: tf.Tensor): tf.Tensor {
  return tf.transpose(x, [0, 3, 1, 2]);
}

/** MobileViT's unfold: T[b*P + py*pw + px, iy*nw + ix, c] = x[b, iy*ph + py, ix*pw + px, c]. */
function unfold(x: tf.Tensor, patch: [number, number]): tf.Tensor {
  const [b, h, w, c] = x.shape;
  const [ph, pw] = patch;
  const nh = h / ph;
  const nw = w / pw;
  const byRowOffset = swapMiddle(x, b, nh, ph, nw * pw * c); // [B, ph, nh, nw*pw*C]
  const byOffset = swapMiddle(byRowOffset, b * ph, nh * nw, pw, c); // [B*ph, pw, N, C]
  return tf.reshape(byOffset, [b * ph * pw, nh * nw, c]);
}

/** The inverse of `unfold`: [B*P, N, C] → channels-last [B, H, W, C] for a `grid` of H x W. */
function fold(x: tf.Tensor, patch: [number, number], grid: [number, number]): tf.Tensor {
  const [ph, pw] = patch;
  const [h, w] = grid;
  const [bp, n, c] = x.shape;
  const b = bp / (ph * pw);
  const byRowOffset = swapMiddle(x, b * ph, pw, n, c); // [B*ph, N, pw, C]
  const image = swapMiddle(byRowOffset, b, ph, h / ph, (w / pw) * pw * c); // [B, nh, ph, W*C]
  return tf.reshape(image, [b, h, w, c]);
}

function formatShape(shape: readonly number[]): string {
  return `[${shape.join(", ")}]`;
}

/** Throws one error naming every missing, unexpected, mis-shaped or non-float32 weight. */
function checkWeights(weights: Readonly<Record<string, tf.Tensor>>, expected: { readonly [key: string]: readonly number[] }, model: string): void {
  const problems: string[] = [];
  for (const [key, shape] of Object.entries(expected)) {
    const given = Object.hasOwn(weights, key) ? weights[key] : undefined;
    if (given === undefined) problems.push(`missing \`${key}\` ${formatShape(shape)}`);
    else if (formatShape(given.shape) !== formatShape(shape)) problems.push(`\`${key}\` is ${formatShape(given.shape)}, expected ${formatShape(shape)}`);
    else if (given.dtype !== "float32") problems.push(`\`${key}\` is ${given.dtype}, expected float32`);
  }
  for (const key of Object.keys(weights)) if (!Object.hasOwn(expected, key)) problems.push(`unexpected \`${key}\` ${formatShape(weights[key].shape)}`);
  if (problems.length > 0) throw new Error(`the weights do not fit \`${model}\`: ${problems.join("; ")}`);
}

/** Throws unless `input` is [B, ...dims] with B of at least 1. */
function checkInput(input: tf.Tensor, dims: readonly number[], model: string): void {
  const fits = input.rank === dims.length + 1 && input.shape[0] >= 1 && dims.every((d, i) => input.shape[i + 1] === d);
  if (!fits) throw new Error(`the input of \`${model}\` must be [B, ${dims.join(", ")}], got ${formatShape(input.shape)}`);
}

/** Reads one layer's weights, by the segments of its path (empty ones skipped). */
type LayerReader = (...path: ReadonlyArray<string | number>) => HostWeights;

/** A weight path from segments: `weightPath("", "blocks", 3)` is `blocks.3`. */
function weightPath(...segments: ReadonlyArray<string | number>): string {
  return segments.filter((segment) => segment !== "").join(".");
}

/** A reader of one layer's host weights at a time, by parameter name. */
function layerReader(weights: Readonly<Record<string, tf.Tensor>>): LayerReader {
  return (...path) => {
    const prefix = weightPath(...path);
    const layer: Array<[string, HostTensor]> = [];
    for (const [key, tensor] of Object.entries(weights)) {
      const name = key === prefix ? "" : prefix === "" ? key : key.startsWith(`${prefix}.`) ? key.slice(prefix.length + 1) : undefined;
      if (name !== undefined && !name.includes(".")) layer.push([name, { values: new Float32Array(tensor.dataSync()), shape: tensor.shape }]);
    }
    // fromEntries defines own properties: a key named `__proto__` stays a key.
    return Object.fromEntries(layer);
  };
}

/** Runs `block` once per entry of `layers`, each on the result of the one before. */
function repeatBlock<W>(x: tf.Tensor, layers: readonly W[], block: (x: tf.Tensor, w: W) => tf.Tensor): tf.Tensor {
  let y = x;
  for (const w of layers) {
    const input = y;
    y = tf.tidy(() => block(input, w));
    // A block whose optional steps were all skipped may return its input.
    if (input !== x && input !== y) input.dispose();
  }
  return y === x ? tf.clone(x) : y;
}

/** `shapes` (keys relative to one block) for `count` blocks at `prefix.0` to `prefix.{count-1}`. */
function repeatShapes(prefix: string, count: number, shapes: { readonly [key: string]: readonly number[] }): Record<string, readonly number[]> {
  const entries: Array<[string, readonly number[]]> = [];
  for (let i = 0; i < count; i++) for (const [key, shape] of Object.entries(shapes)) entries.push([weightPath(prefix, i, key), shape]);
  return Object.fromEntries(entries);
}

/** A weight as loaded, on the host: float32 values in PyTorch layout. */
interface HostTensor {
  readonly values: Float32Array;
  readonly shape: readonly number[];
}

/** One layer's weights by parameter name ("" for the layer's own path, as in `cls_token`). */
type HostWeights = Readonly<Record<string, HostTensor>>;

/** Explicit NHWC padding: [[0, 0], [top, bottom], [left, right], [0, 0]]. */
type Padding4 = [[number, number], [number, number], [number, number], [number, number]];

function upload(weight: HostTensor): tf.Tensor {
  return tf.tensor(weight.values, [...weight.shape], "float32");
}

/** [B, H, W, C] → [B, C]. */
function globalAvgPool(x: tf.Tensor): tf.Tensor {
  return tf.mean(x, [1, 2]);
}

/** A residual sum: `x` (the branch) added to `other`. */
function addTensors(x: tf.Tensor, other: tf.Tensor): tf.Tensor {
  return tf.add(other, x);
}

/** `first` then `x` along `axis`. */
function concatTensors(x: tf.Tensor, first: tf.Tensor, axis: number): tf.Tensor {
  return tf.concat([first, x], axis);
}
