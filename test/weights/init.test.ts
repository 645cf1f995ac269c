// Seeded initial weights: the same seed gives the same values, each tensor follows timm's
// scheme for its kind, and one tensor's values do not depend on the rest of the model.

import { describe, expect, it } from "vitest";
import { expectedTensors, initialWeights } from "../../src/weights/bind";
import { compileText } from "../helpers/compile";

const spec = "use std.vit\nmodel m = vit(img_size: 32, patch_size: 8, embed_dim: 64, depth: 2, num_heads: 4, num_classes: 10)\n";
const deeper = spec.replace("depth: 2", "depth: 3");

function tensors(text: string) {
  return expectedTensors(compileText(text).models[0].checked);
}

function stats(values: Float32Array) {
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  const std = Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / values.length);
  return { mean, std, maxAbs: values.reduce((m, v) => Math.max(m, Math.abs(v)), 0) };
}

describe("initialWeights", () => {
  const all = tensors(spec);
  const byKey = new Map(all.map((t) => [t.key, t]));
  const read = (key: string, seed = 0) => initialWeights(seed).read(byKey.get(key)!);

  it("is deterministic per seed and differs between seeds", () => {
    expect(read("blocks.0.attn.qkv.weight")).toEqual(read("blocks.0.attn.qkv.weight"));
    expect(read("blocks.0.attn.qkv.weight", 1)).not.toEqual(read("blocks.0.attn.qkv.weight", 0));
  });

  it("gives a tensor the same values whatever else the model holds", () => {
    const other = new Map(tensors(deeper).map((t) => [t.key, t]));
    expect(initialWeights(0).read(other.get("blocks.1.mlp.fc1.weight")!)).toEqual(read("blocks.1.mlp.fc1.weight"));
  });

  it("follows timm's scheme: trunc normal 0.02, zeros, ones, tiny class token, He convs", () => {
    const linear = stats(read("blocks.0.mlp.fc1.weight"));
    expect(linear.std).toBeGreaterThan(0.017);
    expect(linear.std).toBeLessThan(0.02);
    expect(linear.maxAbs).toBeLessThanOrEqual(0.04 + 1e-7);
    expect(stats(read("pos_embed")).std).toBeGreaterThan(0.015);
    expect(read("blocks.0.mlp.fc1.bias").every((v) => v === 0)).toBe(true);
    expect(read("blocks.0.norm1.weight").every((v) => v === 1)).toBe(true);
    expect(read("blocks.0.norm1.bias").every((v) => v === 0)).toBe(true);
    expect(stats(read("cls_token")).maxAbs).toBeLessThan(1e-5);
    const conv = stats(read("patch_embed.proj.weight"));
    expect(conv.std).toBeGreaterThan(0.8 * Math.sqrt(2 / (64 * 8 * 8)));
    expect(conv.std).toBeLessThan(1.2 * Math.sqrt(2 / (64 * 8 * 8)));
  });
});
