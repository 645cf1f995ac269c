// checkWeightFile names every missing, unexpected and mis-shaped tensor, with a similar key of
// the model for the unexpected ones it lists, and stays quick on a hostile file.

import { describe, expect, it } from "vitest";
import { isToolError, type ToolError } from "../../src/diagnostics/tool-error";
import { checkWeightFile, type ExpectedTensor } from "../../src/weights/bind";
import type { SafetensorsFile, TensorInfo } from "../../src/weights/safetensors";

function fileWith(keys: readonly string[]): SafetensorsFile {
  const tensors = new Map<string, TensorInfo>(keys.map((name) => [name, { name, dtype: "F32", shape: [4], begin: 0, end: 16 }]));
  return { path: "w.safetensors", tensors, metadata: {}, read: () => new Float32Array(4), close: () => undefined };
}

function expected(keys: readonly string[]): ExpectedTensor[] {
  return keys.map((key) => ({ key, shape: [4], op: "linear", path: key.replace(/\.weight$/, ""), name: "weight" }));
}

function errorOf(f: () => void): ToolError {
  try {
    f();
  } catch (err) {
    if (isToolError(err)) return err;
    throw err;
  }
  throw new Error("no error");
}

describe("checkWeightFile", () => {
  it("suggests the model's key for a misspelled one", () => {
    const err = errorOf(() => checkWeightFile(expected(["blocks.0.attn.qkv.weight", "head.weight"]), fileWith(["blocks.0.attn.qvk.weight", "head.weight"]), "m"));
    expect(err.code).toBe("V4002");
    expect(err.details.notes).toContain("unexpected `blocks.0.attn.qvk.weight` [4]: no layer of `m` has this key (the model has `blocks.0.attn.qkv.weight`)");
  });

  it("lists 2 000 unexpected 1 000-character keys against 2 000 missing ones, 12 of each", () => {
    const long = (tag: string, i: number) => `${tag}.${String(i).padStart(4, "0")}.${"w".repeat(990)}`;
    const missing = Array.from({ length: 2_000 }, (_, i) => long("model", i));
    const unexpected = Array.from({ length: 2_000 }, (_, i) => long("other", i));
    const err = errorOf(() => checkWeightFile(expected(missing), fileWith(unexpected), "m"));
    expect(err.message).toBe("`w.safetensors` does not fit model `m`: 2000 missing, 2000 unexpected tensors");
    const notes = err.details.notes ?? [];
    expect(notes.filter((n) => n.startsWith("unexpected "))).toHaveLength(12);
    expect(notes).toContain("… and 1988 more");
  });
});
