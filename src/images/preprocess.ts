// Turns a decoded picture into the tensor timm's evaluation transform makes
// (timm v0.9.16 `transforms_imagenet_eval`, crop_mode "center"):
//   Resize (PIL, antialiased) → CenterCrop → ToTensor (/255) → Normalize(mean, std).
// Invariants: the resize reproduces Pillow's 8-bit resampler (src/libImaging/Resample.c) in
// integer arithmetic, so it matches PIL bit for bit; the /255 and normalisation are done in
// float32 in torch's order, so the output matches torchvision's float32 tensor exactly.
// The one known source of difference is PIL builds that fuse multiply-adds when computing the
// filter weights (some ARM builds): a weight can then differ in its last bit, and very rarely a
// pixel by one level. x86-64 wheels do not fuse.

import type { RgbImage } from "./decode";

export interface DataConfig {
  /** [H, W] of the model input, which the crop produces. */
  readonly inputSize: readonly [number, number];
  readonly interpolation: "bicubic" | "bilinear";
  readonly cropPct: number;
  readonly mean: readonly [number, number, number];
  readonly std: readonly [number, number, number];
}

/**
 * NCHW float32 values [1, 3, H, W] as timm's transforms produce them:
 * Resize(shorter side to floor(size / crop_pct)) → CenterCrop(size) → ToTensor → Normalize.
 */
export function preprocessImage(image: RgbImage, config: DataConfig): Float32Array {
  const [cropHeight, cropWidth] = config.inputSize;
  if (!(config.cropPct > 0 && config.cropPct <= 1)) throw new Error(`crop_pct ${config.cropPct} is outside (0, 1]`);
  const target = resizeTarget(image.width, image.height, config);
  const resized = resizeImage(image, target.width, target.height, target.filter);
  // torchvision's center_crop: int(round((image_height - crop_height) / 2.0)), and Python's
  // round() goes to the even neighbour on a tie, so an odd difference of 1 gives offset 0, 3 gives 2.
  const top = roundHalfToEven((resized.height - cropHeight) / 2);
  const left = roundHalfToEven((resized.width - cropWidth) / 2);

  // ToTensor computes v / 255 in float32, Normalize (x - mean) / std in float32 with mean and
  // std as float32 tensors; Math.fround after each step gives the same correctly rounded values.
  const out = new Float32Array(3 * cropHeight * cropWidth);
  for (let c = 0; c < 3; c++) {
    const mean = Math.fround(config.mean[c]);
    const std = Math.fround(config.std[c]);
    const plane = c * cropHeight * cropWidth;
    for (let y = 0; y < cropHeight; y++) {
      for (let x = 0; x < cropWidth; x++) {
        const v = resized.data[3 * ((y + top) * resized.width + x + left) + c];
        out[plane + y * cropWidth + x] = Math.fround(Math.fround(v / 255) - mean) / std;
      }
    }
  }
  return out;
}

/** Python's round() on a float: halves go to the even integer. */
function roundHalfToEven(x: number): number {
  const floor = Math.floor(x);
  const fraction = x - floor;
  if (fraction !== 0.5) return Math.round(x);
  return floor % 2 === 0 ? floor : floor + 1;
}

/** The size the picture is resized to before the crop, and the filter used. */
export function resizeTarget(width: number, height: number, config: DataConfig): { width: number; height: number; filter: DataConfig["interpolation"] } {
  const [cropHeight, cropWidth] = config.inputSize;
  const scaleHeight = Math.floor(cropHeight / config.cropPct);
  const scaleWidth = Math.floor(cropWidth / config.cropPct);
  if (scaleHeight === scaleWidth) {
    // timm passes one int to torchvision's Resize, which sets the shorter side to it and the
    // longer to int(size * long / short), truncating.
    const size = scaleHeight;
    if (width <= height) return { width: size, height: Math.trunc((size * height) / width), filter: config.interpolation };
    return { width: Math.trunc((size * width) / height), height: size, filter: config.interpolation };
  }
  // A non-square input goes through timm's ResizeKeepRatio(scale_size), which scales both sides
  // by the smaller of the two ratios and rounds (Python round). timm builds it without passing
  // the interpolation, so it always uses its default, bilinear.
  const ratio = Math.min(height / scaleHeight, width / scaleWidth);
  return { width: roundHalfToEven(width / ratio), height: roundHalfToEven(height / ratio), filter: "bilinear" };
}

interface ResampleFilter {
  /** Half-width of the kernel at scale 1, in input pixels. */
  readonly support: number;
  readonly weight: (x: number) => number;
}

const filters: Record<DataConfig["interpolation"], ResampleFilter> = {
  bilinear: { support: 1, weight: (x) => { const t = Math.abs(x); return t < 1 ? 1 - t : 0; } },
  // Keys' cubic convolution with a = -0.5, written term for term as Pillow does so that the
  // doubles round identically.
  bicubic: {
    support: 2,
    weight: (x) => {
      const a = -0.5;
      const t = Math.abs(x);
      if (t < 1) return ((a + 2) * t - (a + 3)) * t * t + 1;
      if (t < 2) return (((t - 5) * t + 8) * t - 4) * a;
      return 0;
    },
  },
};

/** Pillow keeps 8-bit resampling weights as integers with this many fractional bits. */
const precisionBits = 32 - 8 - 2;

/** For each output pixel along one axis: the first input pixel it reads, how many, and their weights. */
interface AxisWeights {
  readonly first: Int32Array;
  readonly count: Int32Array;
  /** count[i] integer weights for output i, at offset i * stride. */
  readonly weights: Int32Array;
  readonly stride: number;
}

/**
 * Pillow's precompute_coeffs + normalize_coeffs_8bpc: when shrinking, the kernel is stretched by
 * the scale factor (the antialiasing), the weights of each output pixel are divided by their sum,
 * then rounded half away from zero to fixed point.
 */
function axisWeights(inSize: number, outSize: number, filter: ResampleFilter): AxisWeights {
  const scale = inSize / outSize;
  const filterScale = Math.max(scale, 1);
  const support = filter.support * filterScale;
  const stride = Math.ceil(support) * 2 + 1;
  const first = new Int32Array(outSize);
  const count = new Int32Array(outSize);
  const weights = new Int32Array(outSize * stride);
  const exact = new Float64Array(stride);
  const inverseFilterScale = 1 / filterScale;
  for (let i = 0; i < outSize; i++) {
    const center = (i + 0.5) * scale;
    // C's (int) truncates toward zero; the clamps then keep the window inside the image.
    const start = Math.max(0, Math.trunc(center - support + 0.5));
    const end = Math.min(inSize, Math.trunc(center + support + 0.5));
    let sum = 0;
    for (let j = 0; j < end - start; j++) {
      exact[j] = filter.weight((j + start - center + 0.5) * inverseFilterScale);
      sum += exact[j];
    }
    for (let j = 0; j < end - start; j++) {
      const w = sum !== 0 ? exact[j] / sum : exact[j];
      weights[i * stride + j] = w < 0 ? Math.trunc(-0.5 + w * (1 << precisionBits)) : Math.trunc(0.5 + w * (1 << precisionBits));
    }
    first[i] = start;
    count[i] = end - start;
  }
  return { first, count, weights, stride };
}

/**
 * Weighted sum in Pillow's fixed point: start from one half for rounding, then shift back and
 * clip to 0..255 (Pillow's clip8 table; `>>` floors like C's arithmetic shift). The sums stay far
 * inside int32, as in Pillow.
 */
function clip8(sum: number): number {
  const v = sum >> precisionBits;
  return v < 0 ? 0 : v > 255 ? 255 : v;
}

/**
 * PIL's `Image.resize((width, height), BICUBIC | BILINEAR)` on an RGB image: a horizontal pass
 * then a vertical pass, each rounded and clipped to 8 bits. A pass whose size does not change is
 * skipped, as in Pillow (it would be the identity anyway).
 */
export function resizeImage(image: RgbImage, width: number, height: number, filterName: DataConfig["interpolation"]): RgbImage {
  const filter = filters[filterName];
  let current = image;
  if (width !== current.width) {
    const w = axisWeights(current.width, width, filter);
    const out = new Uint8Array(width * current.height * 3);
    for (let y = 0; y < current.height; y++) {
      const row = y * current.width * 3;
      for (let x = 0; x < width; x++) {
        let r = 1 << (precisionBits - 1), g = r, b = r;
        for (let j = 0; j < w.count[x]; j++) {
          const k = w.weights[x * w.stride + j];
          const p = row + (w.first[x] + j) * 3;
          r += current.data[p] * k;
          g += current.data[p + 1] * k;
          b += current.data[p + 2] * k;
        }
        const q = (y * width + x) * 3;
        out[q] = clip8(r);
        out[q + 1] = clip8(g);
        out[q + 2] = clip8(b);
      }
    }
    current = { width, height: current.height, data: out };
  }
  if (height !== current.height) {
    const w = axisWeights(current.height, height, filter);
    const rowBytes = current.width * 3;
    const out = new Uint8Array(height * rowBytes);
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < rowBytes; x++) {
        let sum = 1 << (precisionBits - 1);
        for (let j = 0; j < w.count[y]; j++) sum += current.data[(w.first[y] + j) * rowBytes + x] * w.weights[y * w.stride + j];
        out[y * rowBytes + x] = clip8(sum);
      }
    }
    current = { width: current.width, height, data: out };
  }
  return current === image ? { width, height, data: image.data.slice() } : current;
}

// Per-model data configs: each model's default pretrained cfg in timm v0.9.16 (the `_cfg` of its
// model file, with the overrides of its default tag). docs/preprocessing.md lists the sources.

interface TimmCfg {
  /** Where the numbers come from, for the `source` string. */
  readonly origin: string;
  readonly interpolation: DataConfig["interpolation"];
  readonly cropPct: number;
  readonly mean: DataConfig["mean"];
  readonly std: DataConfig["std"];
}

const imagenetMean = [0.485, 0.456, 0.406] as const; // IMAGENET_DEFAULT_MEAN
const imagenetStd = [0.229, 0.224, 0.225] as const; // IMAGENET_DEFAULT_STD
const half = [0.5, 0.5, 0.5] as const; // IMAGENET_INCEPTION_MEAN and _STD

const vitCfg: TimmCfg = { origin: "vision_transformer.py _cfg", interpolation: "bicubic", cropPct: 0.9, mean: half, std: half };
const deitCfg: TimmCfg = { origin: "deit.py _cfg", interpolation: "bicubic", cropPct: 0.9, mean: imagenetMean, std: imagenetStd };
const hybridCfg: TimmCfg = { origin: "vision_transformer_hybrid.py _cfg", interpolation: "bicubic", cropPct: 0.9, mean: half, std: half };
const hybridResnetCfg: TimmCfg = { ...hybridCfg, mean: imagenetMean, std: imagenetStd };
const swinCfg: TimmCfg = { origin: "swin_transformer.py _cfg", interpolation: "bicubic", cropPct: 0.9, mean: imagenetMean, std: imagenetStd };
const mobilevitCfg: TimmCfg = { origin: "mobilevit.py _cfg", interpolation: "bicubic", cropPct: 0.9, mean: [0, 0, 0], std: [1, 1, 1] };
/** What resolve_data_config (timm/data/config.py) uses when a model has no pretrained cfg. */
const noCfg: TimmCfg = { origin: "timm/data/config.py resolve_data_config", interpolation: "bicubic", cropPct: 0.875, mean: imagenetMean, std: imagenetStd };

/** The 384-pixel weights are evaluated without cropping: their tags set crop_pct=1.0. */
const uncropped = (cfg: TimmCfg): TimmCfg => ({ ...cfg, cropPct: 1 });

/** timm model name → its default pretrained tag (the first tag with weights) and that tag's cfg. */
const knownModels: Readonly<Record<string, readonly [tag: string, cfg: TimmCfg]>> = {
  vit_tiny_patch16_224: ["augreg_in21k_ft_in1k", vitCfg],
  vit_tiny_patch16_384: ["augreg_in21k_ft_in1k", uncropped(vitCfg)],
  vit_small_patch16_224: ["augreg_in21k_ft_in1k", vitCfg],
  vit_small_patch16_384: ["augreg_in21k_ft_in1k", uncropped(vitCfg)],
  vit_small_patch32_224: ["augreg_in21k_ft_in1k", vitCfg],
  vit_small_patch32_384: ["augreg_in21k_ft_in1k", uncropped(vitCfg)],
  vit_base_patch16_224: ["augreg2_in21k_ft_in1k", vitCfg],
  // The augreg2 384 entry has no weights, so the default tag is the augreg one.
  vit_base_patch16_384: ["augreg_in21k_ft_in1k", uncropped(vitCfg)],
  vit_base_patch32_224: ["augreg_in21k_ft_in1k", vitCfg],
  vit_base_patch32_384: ["augreg_in21k_ft_in1k", uncropped(vitCfg)],
  vit_large_patch16_224: ["augreg_in21k_ft_in1k", vitCfg],
  vit_large_patch16_384: ["augreg_in21k_ft_in1k", uncropped(vitCfg)],
  deit_tiny_patch16_224: ["fb_in1k", deitCfg],
  deit_small_patch16_224: ["fb_in1k", deitCfg],
  deit_base_patch16_224: ["fb_in1k", deitCfg],
  deit_base_patch16_384: ["fb_in1k", uncropped(deitCfg)],
  deit_tiny_distilled_patch16_224: ["fb_in1k", deitCfg],
  deit_small_distilled_patch16_224: ["fb_in1k", deitCfg],
  deit_base_distilled_patch16_224: ["fb_in1k", deitCfg],
  deit_base_distilled_patch16_384: ["fb_in1k", uncropped(deitCfg)],
  vit_tiny_r_s16_p8_224: ["augreg_in21k_ft_in1k", hybridCfg],
  vit_tiny_r_s16_p8_384: ["augreg_in21k_ft_in1k", uncropped(hybridCfg)],
  vit_small_r26_s32_224: ["augreg_in21k_ft_in1k", hybridCfg],
  vit_small_r26_s32_384: ["augreg_in21k_ft_in1k", uncropped(hybridCfg)],
  vit_base_r26_s32_224: ["untrained", hybridCfg],
  vit_base_r50_s16_224: ["orig_in21k", hybridCfg],
  vit_base_r50_s16_384: ["orig_in21k_ft_in1k", uncropped(hybridCfg)],
  vit_large_r50_s32_224: ["augreg_in21k_ft_in1k", hybridCfg],
  vit_large_r50_s32_384: ["augreg_in21k_ft_in1k", uncropped(hybridCfg)],
  vit_small_resnet26d_224: ["untrained", hybridResnetCfg],
  vit_small_resnet50d_s16_224: ["untrained", hybridResnetCfg],
  vit_base_resnet26d_224: ["untrained", hybridResnetCfg],
  vit_base_resnet50d_224: ["untrained", hybridResnetCfg],
  swin_tiny_patch4_window7_224: ["ms_in1k", swinCfg],
  swin_small_patch4_window7_224: ["ms_in22k_ft_in1k", swinCfg],
  swin_base_patch4_window7_224: ["ms_in22k_ft_in1k", swinCfg],
  swin_base_patch4_window12_384: ["ms_in22k_ft_in1k", uncropped(swinCfg)],
  swin_large_patch4_window7_224: ["ms_in22k_ft_in1k", swinCfg],
  swin_large_patch4_window12_384: ["ms_in22k_ft_in1k", uncropped(swinCfg)],
  mobilevit_xxs: ["cvnets_in1k", mobilevitCfg],
  mobilevit_xs: ["cvnets_in1k", mobilevitCfg],
  mobilevit_s: ["cvnets_in1k", mobilevitCfg],
};

const familyCfgs: Readonly<Record<string, TimmCfg>> = {
  vit: vitCfg,
  deit_distilled: deitCfg,
  vit_hybrid: hybridCfg,
  swin: swinCfg,
  mobilevit: mobilevitCfg,
};

/**
 * The data config timm uses for `modelName`, at the caller's input size [H, W]. Names vitc does
 * not know get their family's `_cfg` defaults (DeiT names in the `vit` family get deit.py's), and
 * unknown families timm's own fallbacks; `source` says which.
 */
export function dataConfigFor(family: string, modelName: string, inputSize: readonly [number, number]): DataConfig & { readonly source: string } {
  const known = Object.hasOwn(knownModels, modelName) ? knownModels[modelName] : undefined;
  let cfg: TimmCfg;
  let origin: string;
  if (known) {
    cfg = known[1];
    origin = `timm default for ${modelName}.${known[0]}`;
  } else if (family === "vit" && modelName.startsWith("deit")) {
    cfg = deitCfg;
    origin = `\`${modelName}\` is not a timm model vitc knows; DeiT default (timm ${cfg.origin})`;
  } else if (Object.hasOwn(familyCfgs, family)) {
    cfg = familyCfgs[family];
    origin = `\`${modelName}\` is not a timm model vitc knows; \`${family}\` family default (timm ${cfg.origin})`;
  } else {
    cfg = noCfg;
    origin = `no timm config for family \`${family}\`; timm's fallback (${cfg.origin})`;
  }
  const source = `${origin}: ${cfg.interpolation}, crop_pct ${formatNumber(cfg.cropPct)}, mean ${formatTriple(cfg.mean)}, std ${formatTriple(cfg.std)}`;
  return { inputSize: [inputSize[0], inputSize[1]], interpolation: cfg.interpolation, cropPct: cfg.cropPct, mean: cfg.mean, std: cfg.std, source };
}

/** Numbers as timm's Python source writes them: 1.0, 0.9, 0.485. */
function formatNumber(value: number): string {
  return Number.isInteger(value) ? value.toFixed(1) : String(value);
}

function formatTriple(values: readonly number[]): string {
  return values.every((v) => v === values[0]) ? formatNumber(values[0]) : `(${values.map(formatNumber).join(", ")})`;
}
