// Running a batch: in slices of images where that is faster, and freeing prepared weights.

import type * as tfc from "@tensorflow/tfjs-core";
import type { Tf } from "./tensors";

/**
 * On wasm a model with global attention runs a batch image by image. Single-threaded XNNPACK
 * is as fast per row at 197 rows as at 1576, so batching gains nothing there, while attention
 * must cut the batch into sequences and every wasm Slice copies its whole input (8 slices of a
 * ViT-B batch of 8 per block). Image by image, a batch costs what its images cost alone.
 * Swin (whose windows attend in one batched matMul) and GPU backends keep the whole batch.
 */
export function imagesPerPass(tf: Tf, globalAttention: boolean): number | undefined {
  return tf.getBackend() === "wasm" && globalAttention ? 1 : undefined;
}

/**
 * Runs `pass` on slices of at most `perPass` images and joins its outputs along dimension 0.
 * The whole input is one slice when `perPass` is undefined. Every output's dimension 0 is a
 * multiple of the batch, image-major, so slices concatenate. The slices' outputs are disposed.
 */
export function forwardInSlices(tf: Tf, input: tfc.Tensor, perPass: number | undefined, pass: (x: tfc.Tensor) => tfc.Tensor[]): tfc.Tensor[] {
  const images = input.shape[0];
  if (perPass === undefined || images <= perPass) return pass(input);
  const parts: tfc.Tensor[][] = [];
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
export function tensorsIn(tf: Tf, value: unknown): tfc.Tensor[] {
  if (value instanceof tf.Tensor) return [value];
  if (Array.isArray(value)) return value.flatMap((v: unknown) => tensorsIn(tf, v));
  if (typeof value === "object" && value !== null) return Object.values(value).flatMap((v: unknown) => tensorsIn(tf, v));
  return [];
}
