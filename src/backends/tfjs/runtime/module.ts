// What only emitted modules need: checking the weights and the input they are given, and reading
// timm-keyed tensors as the host values the prepare functions take. (`vitc run` checks its
// weight file and input with coded errors before anything loads; see src/weights/bind.ts.)

import type * as tfc from "@tensorflow/tfjs-core";
import type { HostTensor, HostWeights, Tf } from "./tensors";

function formatShape(shape: readonly number[]): string {
  return `[${shape.join(", ")}]`;
}

/**
 * Throws one error naming every missing, unexpected, mis-shaped or non-float32 weight. Shapes
 * are given as found and as expected.
 */
export function checkWeights(weights: Readonly<Record<string, tfc.Tensor>>, expected: { readonly [key: string]: readonly number[] }, model: string): void {
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
 * A reader of one layer's host weights at a time, by parameter name. `layer("blocks", 3, "attn.qkv")`
 * gives `blocks.3.attn.qkv.weight` and `.bias` as `weight` and `bias`, and a key that is the path
 * itself (`cls_token`) as "". Values are copied, so the caller's tensors stay theirs.
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

/**
 * Runs `block` once per entry of `layers`, each on the result of the one before. Each runs in a
 * tidy of its own and its input is freed as soon as its output exists (one tidy around all of
 * them would keep every block's tensors alive). Returns a new tensor: `x` stays the caller's.
 */
export function repeatBlock<W>(tf: Tf, x: tfc.Tensor, layers: readonly W[], block: (x: tfc.Tensor, w: W) => tfc.Tensor): tfc.Tensor {
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
export function repeatShapes(prefix: string, count: number, shapes: { readonly [key: string]: readonly number[] }): Record<string, readonly number[]> {
  const entries: Array<[string, readonly number[]]> = [];
  for (let i = 0; i < count; i++) for (const [key, shape] of Object.entries(shapes)) entries.push([weightPath(prefix, i, key), shape]);
  return Object.fromEntries(entries);
}
