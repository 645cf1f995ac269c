// The ONNX Runtime runner's two ways to load a model: from bytes encoded in memory (small models)
// and streamed tensor by tensor through a temporary folder as a model file with external data
// (large ones, for memory; past 2 GB, of necessity). Both must compute the same outputs, refuse
// non-finite weights before ONNX Runtime loads anything, and leave no temporary files behind.

import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { openRunner } from "../../src/backends/runner";
import { isToolError } from "../../src/diagnostics/tool-error";
import { fileWeights, type WeightSource } from "../../src/weights/bind";
import { openSafetensors } from "../../src/weights/safetensors";
import { compileFile, fixturesDir, repoRoot } from "../helpers/compile";

const checked = compileFile(path.join(repoRoot, "test", "parity", "vit_tiny.vit")).models[0].checked;
const fixture = (file: string) => path.join(fixturesDir, "vit_tiny", file);
const ortTemp = () => fs.readdirSync(os.tmpdir()).filter((f) => f.startsWith("vitc-ort-")).sort();

async function logits(weights: WeightSource, streamAboveBytes: number): Promise<Float32Array> {
  const runner = await openRunner(checked, "vit_tiny", { backend: "onnxruntime", weights, batch: 2, streamAboveBytes });
  try {
    const input = openSafetensors(fixture("input.safetensors"));
    const out = await runner.run({ values: input.read("input"), shape: [2, 3, 32, 32] });
    input.close();
    return out.logits.values;
  } finally {
    await runner.dispose();
  }
}

describe("the ONNX Runtime runner", () => {
  it("computes the same outputs from memory and streamed through external data, and leaves no folder behind", async () => {
    const before = ortTemp();
    const file = openSafetensors(fixture("weights.safetensors"));
    const [inMemory, streamed] = [await logits(fileWeights(file), Infinity), await logits(fileWeights(file), 0)];
    file.close();
    expect(Array.from(streamed)).toEqual(Array.from(inMemory));
    expect(ortTemp()).toEqual(before);
  });

  it("refuses NaN weights (V4006) before ONNX Runtime loads them, on both paths", async () => {
    const file = openSafetensors(fixture("weights.safetensors"));
    const poisoned: WeightSource = { description: "poisoned", read: (t) => {
      const values = file.read(t.key);
      if (t.key === "blocks.0.mlp.fc1.weight") values[3] = NaN;
      return values;
    } };
    for (const stream of [Infinity, 0]) {
      let err: unknown;
      try {
        await logits(poisoned, stream);
      } catch (e) {
        err = e;
      }
      expect(isToolError(err) && err.code).toBe("V4006");
      expect(String((err as Error).message)).toContain("has a tensor with NaN or infinite values");
    }
    file.close();
  });
});
