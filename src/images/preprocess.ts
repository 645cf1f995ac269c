// Turns a picture into the tensor timm's evaluation transform makes
// (timm v0.9.16 `transforms_imagenet_eval`, crop_mode "center"):
//   Resize (PIL, antialiased) → CenterCrop → ToTensor (/255) → Normalize(mean, std).
// This is the module `vitc run --image` calls: it also re-exports the data config API
// (data-config.ts: timm's defaults; data-config-overrides.ts: the user's flags on top).
// Invariants: the resize and crop are Pillow's bit for bit (resample.ts), computed only over the
// crop, so the work is bounded by the input size plus the crop whatever the aspect ratio; the
// /255 and normalisation are done in float32 in torch's order, so the output matches
// torchvision's float32 tensor exactly; each picture gives its own [3, H, W] values.

import { decodeImage } from "./decode";
import type { DataConfig } from "./data-config";
import { preprocessImage } from "./eval-transform";

export { type DataConfig, type DefaultDataConfig, dataConfigFor } from "./data-config";
export {
  type OverrideProblem, type PreprocessFlag, type PreprocessOverrides, type ResolvedDataConfig, type ResolvedOverrides, type ValueSource,
  describeDataConfig, describeSource, resolveDataConfig,
} from "./data-config-overrides";
export { type Interpolation, interpolations } from "./resample";
export { preprocessImage, resizeTarget } from "./eval-transform";

/** One picture, ready to be stacked into a batch. */
export interface ImageInput {
  readonly file: string;
  /** The picture's own size, before preprocessing. */
  readonly width: number;
  readonly height: number;
  /** CHW float32 values [3, H, W], H and W the config's input size. */
  readonly values: Float32Array;
}

/**
 * Reads and preprocesses one picture file; a batch is the concatenation of several. Throws a
 * V4004 ToolError when the file cannot be decoded (decode.ts).
 */
export function readImageInput(file: string, config: DataConfig): ImageInput {
  const image = decodeImage(file);
  return { file, width: image.width, height: image.height, values: preprocessImage(image, config) };
}

/** Several pictures as one NCHW batch [N, 3, H, W], in the order given. Throws V4004 like readImageInput. */
export function readImageBatch(files: readonly string[], config: DataConfig): Float32Array {
  const per = 3 * config.inputSize[0] * config.inputSize[1];
  const batch = new Float32Array(per * files.length);
  files.forEach((file, i) => batch.set(readImageInput(file, config).values, i * per));
  return batch;
}
