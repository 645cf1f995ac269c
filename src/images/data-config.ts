// timm's default data config for each model vitc knows: the interpolation, crop_pct, mean and
// std of the model's default pretrained cfg in timm v0.9.16 (the `_cfg` of its model file, with
// the overrides of its default tag). docs/preprocessing.md lists the sources.
// Invariant: a name vitc does not know still gets a config (its family's, or timm's fallback),
// and `origin` says which.

import type { Interpolation } from "./resample";

export interface DataConfig {
  /** [H, W] of the model input, which the crop produces. */
  readonly inputSize: readonly [number, number];
  readonly interpolation: Interpolation;
  readonly cropPct: number;
  readonly mean: readonly [number, number, number];
  readonly std: readonly [number, number, number];
}

/**
 * Whether timm resizes through ResizeKeepRatio: when floor(size / crop_pct) differs between
 * height and width, `transforms_imagenet_eval` uses it instead of torchvision's Resize, and builds
 * it without the interpolation, so it is always bilinear.
 */
export function resizesKeepingRatio(config: Pick<DataConfig, "inputSize" | "cropPct">): boolean {
  const [height, width] = config.inputSize;
  return Math.floor(height / config.cropPct) !== Math.floor(width / config.cropPct);
}

/** timm's default data config for a model, and where it comes from. */
export interface DefaultDataConfig extends DataConfig {
  /** Where the values come from: "timm default for vit_base_patch16_224.augreg2_in21k_ft_in1k". */
  readonly origin: string;
  /** `origin` and the values: "timm default for …: bicubic, crop_pct 0.9, mean 0.5, std 0.5". */
  readonly source: string;
}

interface TimmCfg {
  /** Where the numbers come from, for the `source` string. */
  readonly origin: string;
  readonly interpolation: Interpolation;
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
export function dataConfigFor(family: string, modelName: string, inputSize: readonly [number, number]): DefaultDataConfig {
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
  return { inputSize: [inputSize[0], inputSize[1]], interpolation: cfg.interpolation, cropPct: cfg.cropPct, mean: cfg.mean, std: cfg.std, origin, source };
}

/** Numbers as timm's Python source writes them: 1.0, 0.9, 0.485. */
export function formatNumber(value: number): string {
  return Number.isInteger(value) ? value.toFixed(1) : String(value);
}

/** Per-channel values: one number when all three are equal, as timm's constants read. */
export function formatTriple(values: readonly number[]): string {
  return values.every((v) => v === values[0]) ? formatNumber(values[0]) : `(${values.map(formatNumber).join(", ")})`;
}
