// timm's evaluation transform on decoded pixels (timm v0.9.16 `transforms_imagenet_eval`, crop
// mode "center"): Resize (PIL, antialiased) → CenterCrop → ToTensor (/255) → Normalize(mean, std).
// preprocess.ts reads files with it for `vitc run --image`; it touches no file and no Node
// module, so a web page bundles the same code (examples/web/).
// Invariants: the resize and crop are Pillow's bit for bit (resample.ts), computed only over the
// crop, so the work is bounded by the input size plus the crop whatever the aspect ratio; the
// /255 and normalisation are done in float32 in torch's order, so the output matches
// torchvision's float32 tensor exactly.

import type { RgbImage } from "./rgb-image";
import { type DataConfig, resizesKeepingRatio } from "./data-config";
import { type Interpolation, resizeWindow } from "./resample";

/**
 * CHW float32 values [3, H, W] as timm's transforms produce them:
 * Resize(shorter side to floor(size / crop_pct)) → CenterCrop(size) → ToTensor → Normalize.
 */
export function preprocessImage(image: RgbImage, config: DataConfig): Float32Array {
  const [cropHeight, cropWidth] = config.inputSize;
  // resolveDataConfig refuses these; a config built by hand must hold them too.
  if (!(config.cropPct > 0 && config.cropPct <= 1)) throw new Error(`crop_pct ${config.cropPct} is outside (0, 1]`);
  const target = resizeTarget(image.width, image.height, config);
  // torchvision's center_crop: int(round((image_height - crop_height) / 2.0)), and Python's
  // round() goes to the even neighbour on a tie, so an odd difference of 1 gives offset 0, 3 gives 2.
  // With crop_pct <= 1 the resized picture is never smaller than the crop, so it needs no padding.
  const top = roundHalfToEven((target.height - cropHeight) / 2);
  const left = roundHalfToEven((target.width - cropWidth) / 2);
  const crop = resizeWindow(image, target.width, target.height, target.filter, { left, top, width: cropWidth, height: cropHeight });

  // ToTensor computes v / 255 in float32, Normalize (x - mean) / std in float32 with mean and
  // std as float32 tensors; Math.fround after each step gives the same correctly rounded values.
  const out = new Float32Array(3 * cropHeight * cropWidth);
  for (let c = 0; c < 3; c++) {
    const mean = Math.fround(config.mean[c]);
    const std = Math.fround(config.std[c]);
    const plane = c * cropHeight * cropWidth;
    for (let p = 0; p < cropHeight * cropWidth; p++) {
      out[plane + p] = Math.fround(Math.fround(crop.data[3 * p + c] / 255) - mean) / std;
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
export function resizeTarget(width: number, height: number, config: DataConfig): { width: number; height: number; filter: Interpolation } {
  const [cropHeight, cropWidth] = config.inputSize;
  if (!resizesKeepingRatio(config)) {
    // timm passes one int to torchvision's Resize, which sets the shorter side to it and the
    // longer to int(size * long / short), truncating.
    const size = Math.floor(cropHeight / config.cropPct);
    if (width <= height) return { width: size, height: Math.trunc((size * height) / width), filter: config.interpolation };
    return { width: Math.trunc((size * width) / height), height: size, filter: config.interpolation };
  }
  // A non-square input goes through timm's ResizeKeepRatio(scale_size), which scales both sides
  // by the smaller of the two ratios and rounds (Python round). timm builds it without passing
  // the interpolation, so it always uses its default, bilinear.
  const ratio = Math.min(height / Math.floor(cropHeight / config.cropPct), width / Math.floor(cropWidth / config.cropPct));
  return { width: roundHalfToEven(width / ratio), height: roundHalfToEven(height / ratio), filter: "bilinear" };
}
