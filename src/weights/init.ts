// Deterministic initial weights for running a spec without a weight file, in the spirit of
// timm's schemes: truncated normal (std 0.02, cut at 2 std) for Linear weights, position
// embeddings, distillation tokens and relative position bias tables; N(0, 1e-6) for class
// tokens; He normal (fan out) for convolutions; zeros for biases; ones for norm weights and
// running variances. Each tensor draws from its own stream, seeded by the seed and its key, so
// one layer's values do not depend on the rest of the model.

import type { OpKind } from "../ops/kinds";

export interface InitRule {
  readonly kind: "zeros" | "ones" | "normal" | "truncated_normal";
  readonly std?: number;
}

/** The rule for parameter `name` ("" for the node's own path) of a node of kind `op`. */
export function initRule(op: OpKind, name: string, path: string, shape: readonly number[]): InitRule {
  if (name === "bias" || name === "running_mean") return { kind: "zeros" };
  if (name === "running_var") return { kind: "ones" };
  if (op === "layer_norm" || op === "group_norm" || op === "batch_norm") return { kind: "ones" };
  if (op === "conv2d" || op === "std_conv2d") {
    const [out, , kh, kw] = shape;
    return { kind: "normal", std: Math.sqrt(2 / (out * kh * kw)) };
  }
  if (op === "prepend_token" && /(^|\.)cls_token$/.test(path)) return { kind: "normal", std: 1e-6 };
  return { kind: "truncated_normal", std: 0.02 };
}

/** FNV-1a of the key mixed with the seed: a 32-bit stream id. */
function streamSeed(seed: number, key: string): number {
  let h = 0x811c9dc5 ^ (seed >>> 0);
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/** mulberry32: small, fast and good enough for initial weights (not for cryptography). */
function uniformStream(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (((t ^ (t >>> 14)) >>> 0) + 0.5) / 4294967296; // in (0, 1), never 0
  };
}

export function initialValues(rule: InitRule, size: number, seed: number, key: string): Float32Array {
  const values = new Float32Array(size);
  if (rule.kind === "zeros") return values;
  if (rule.kind === "ones") return values.fill(1);
  const uniform = uniformStream(streamSeed(seed, key));
  const std = rule.std ?? 1;
  const limit = rule.kind === "truncated_normal" ? 2 : Infinity;
  // Marsaglia's polar method: two independent normals per accepted pair of uniforms, with no
  // trigonometry (ViT-L draws 300 million of them). Values beyond the truncation are redrawn.
  let i = 0;
  while (i < size) {
    const x = 2 * uniform() - 1;
    const y = 2 * uniform() - 1;
    const s = x * x + y * y;
    if (s >= 1 || s === 0) continue;
    const f = Math.sqrt((-2 * Math.log(s)) / s);
    if (Math.abs(x * f) <= limit) values[i++] = x * f * std;
    if (i < size && Math.abs(y * f) <= limit) values[i++] = y * f * std;
  }
  return values;
}
