// What only emitted modules need: checking the weights and the input they are given, and reading
// timm-keyed tensors as the host values the prepare functions take. (`vitc run` checks its
// weight file and input with coded errors before anything loads; see src/weights/bind.ts.)

import type * as tfc from "@tensorflow/tfjs-core";
import { tensorsIn } from "./batch";
import type { HostTensor, HostWeights, Tf } from "./tensors";

function formatShape(shape: readonly number[]): string {
  return `[${shape.join(", ")}]`;
}

/**
 * Throws one error naming every missing, unexpected and mis-shaped weight (with both shapes),
 * or a weight that is not float32; returns when `weights` has exactly the `expected` keys.
 */
export function checkWeights(weights: Readonly<Record<string, tfc.Tensor>>, expected: { readonly [key: string]: readonly number[] }, model: string): void {
  const problems: string[] = [];
  for (const [key, shape] of Object.entries(expected)) {
    const given = Object.hasOwn(weights, key) ? weights[key] : undefined;
    if (given === undefined) problems.push(`missing \`${key}\` ${formatShape(shape)}`);
    else if (given.shape.length !== shape.length || given.shape.some((d, i) => d !== shape[i])) {
      problems.push(`\`${key}\` is ${formatShape(given.shape)}, expected ${formatShape(shape)}`);
    } else if (given.dtype !== "float32") problems.push(`\`${key}\` is ${given.dtype}, expected float32`);
  }
  for (const key of Object.keys(weights)) {
    if (!Object.hasOwn(expected, key)) problems.push(`unexpected \`${key}\` ${formatShape(weights[key].shape)}`);
  }
  if (problems.length > 0) throw new Error(`the weights do not fit \`${model}\`: ${problems.join("; ")}`);
}

/** Throws unless `input` is [B, ...dims] with B of at least 1. */
export function checkInput(input: tfc.Tensor, dims: readonly number[], model: string): void {
  const fits = input.rank === dims.length + 1 && input.shape[0] >= 1 && dims.every((d, i) => input.shape[i + 1] === d);
  if (!fits) throw new Error(`the input of \`${model}\` must be [B, ${dims.join(", ")}], got ${formatShape(input.shape)}`);
}

/** Reads one layer's weights, by the segments of its path (empty ones skipped). */
export type LayerReader = (...path: ReadonlyArray<string | number>) => HostWeights;

/** A weight path from segments: `weightPath("", "blocks", 3)` is `blocks.3`. */
export function weightPath(...segments: ReadonlyArray<string | number>): string {
  return segments.filter((segment) => segment !== "").join(".");
}

/**
 * A reader of one layer's weights at a time: `layer("blocks", 3, "attn.qkv")` gives the host values
 * of `blocks.3.attn.qkv.weight` and `.bias` by parameter name, and a key that is the path itself
 * (`cls_token`) under the name "". Values are copied, so the caller's tensors stay theirs.
 */
export function layerReader(weights: Readonly<Record<string, tfc.Tensor>>): LayerReader {
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

/** Frees every tensor of a loaded model. */
export function disposeWeights(tf: Tf, weights: unknown): void {
  tf.dispose(tensorsIn(tf, weights));
}

/**
 * Runs `block` once per entry of `layers`, each on the result of the one before and in a tidy of
 * its own, disposing each intermediate as soon as the next exists (one tidy around all of them
 * would keep every block's tensors alive). Returns a new tensor: `x` stays the caller's.
 */
export function repeatBlock<W>(tf: Tf, x: tfc.Tensor, layers: readonly W[], block: (x: tfc.Tensor, w: W) => tfc.Tensor): tfc.Tensor {
  let y = x;
  for (const w of layers) {
    const input = y;
    y = tf.tidy(() => block(input, w));
    if (input !== x) input.dispose();
  }
  return y === x ? tf.clone(x) : y;
}

/** `shapes` (keys relative to one repeated block) for each of `count` blocks at `prefix.0`, `prefix.1`, …. */
export function repeatShapes(prefix: string, count: number, shapes: { readonly [key: string]: readonly number[] }): Record<string, readonly number[]> {
  const entries: Array<[string, readonly number[]]> = [];
  for (let i = 0; i < count; i++) for (const [key, shape] of Object.entries(shapes)) entries.push([weightPath(prefix, i, key), shape]);
  return Object.fromEntries(entries);
}
