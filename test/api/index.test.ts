// The programmatic API (src/index.ts) gives what the CLI gives: the same diagnostics, summaries
// and timm's numbers, with problems thrown as ToolErrors carrying the CLI's codes.

import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { compileFile, compileText, diagnosticsJson, estimateRunMemory, formatDiagnostics, hasErrors, isToolError, loadModel, memoryHost, readImages, summarize, weightShapes, type LoadedModel } from "../../src/index";
import { openSafetensors } from "../../src/weights/safetensors";
import { fixturesDir, repoRoot } from "../helpers/compile";
import { vitc } from "../helpers/vitc-process";

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "vitc-api-"));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

async function thrown(promise: Promise<unknown> | (() => unknown)): Promise<unknown> {
  try {
    await (typeof promise === "function" ? promise() : promise);
  } catch (err) {
    return err;
  }
  throw new Error("expected a ToolError");
}

describe("compiling", () => {
  it("compileText and formatDiagnostics give what `vitc check` prints", () => {
    const file = path.join(tmp, "bad.vit");
    const text = "use std.vit\nmodel m = vit(img_size: 32, patch_size: 6)\n";
    fs.writeFileSync(file, text);
    const c = compileText(text, { path: file });
    expect(hasErrors(c.diagnostics)).toBe(true);
    const cli = vitc(["check", file]);
    expect(`${formatDiagnostics(c)}\n\n`).toBe(cli.out);
    expect(JSON.stringify(diagnosticsJson(c), null, 2)).toBe(vitc(["check", "--format", "json", file]).out.trimEnd());
    expect(formatDiagnostics(c, { format: "json" })).toBe(JSON.stringify(diagnosticsJson(c), null, 2));
  });

  it("compileFile reads a file and summarize matches `vitc summary --json`", () => {
    const c = compileFile(path.join(repoRoot, "specs", "swin_tiny_patch4_window7_224.vit"));
    expect(c.diagnostics).toEqual([]);
    const s = summarize(c.models[0]);
    const cli = JSON.parse(vitc(["summary", "specs/swin_tiny_patch4_window7_224.vit", "--json"]).out) as { models: Array<{ params: number; macs: number }> };
    expect([Number(s.params), Number(s.macs)]).toEqual([cli.models[0].params, cli.models[0].macs]);
    expect(weightShapes(c.models[0])["layers.0.blocks.0.attn.relative_position_bias_table"]).toEqual([169, 3]);
  });

  it("compileFile of a missing file is a ToolError V1000", async () => {
    const err = await thrown(() => compileFile(path.join(tmp, "missing.vit")));
    expect(isToolError(err) && err.code).toBe("V1000");
  });

  it("works on in-memory files", () => {
    const host = memoryHost({ "a.vit": "use std.vit\nmodel a = vit(img_size: 32, patch_size: 8, embed_dim: 32, depth: 1, num_heads: 2)\n" });
    expect(compileFile("a.vit", { host }).models.map((m) => m.name)).toEqual(["a"]);
  });
});

describe("running", () => {
  const spec = compileFile(path.join(repoRoot, "test", "parity", "vit_tiny.vit"));
  const model = spec.models[0];

  it("loads timm's weights and reproduces timm's logits", async () => {
    const loaded = await loadModel(model, { backend: "cpu", weights: path.join(fixturesDir, "vit_tiny", "weights.safetensors"), batch: 2 });
    try {
      const input = openSafetensors(path.join(fixturesDir, "vit_tiny", "input.safetensors"));
      const expected = openSafetensors(path.join(fixturesDir, "vit_tiny", "output.safetensors"));
      const { logits, features } = await loaded.run(input.read("input"), 2);
      expect(logits.shape).toEqual([2, 10]);
      expect(features?.shape).toEqual([2, 17, 64]);
      const want = expected.read("logits");
      expect(Math.max(...logits.values.map((v, i) => Math.abs(v - want[i])))).toBeLessThan(2e-4);
      input.close();
      expected.close();
    } finally {
      loaded.dispose();
    }
  });

  it("predict leaves behind only the tensors it returns", async () => {
    const loaded: LoadedModel = await loadModel(model, { backend: "cpu", seed: 1 });
    try {
      const { tf } = loaded;
      const input = tf.zeros([1, ...loaded.inputShape]);
      const before = tf.memory().numTensors;
      const outputs = loaded.predict(input as never);
      expect(Object.keys(outputs).sort()).toEqual(["features", "logits", "pre_logits"]);
      for (const t of Object.values(outputs)) t.dispose();
      expect(tf.memory().numTensors).toBe(before);
      input.dispose();
    } finally {
      loaded.dispose();
    }
  });

  it("throws the CLI's coded errors: V4003 a wrong input size, V4001 a missing file, V5003 too little memory", async () => {
    const loaded = await loadModel(model, { backend: "cpu" });
    try {
      const err = await thrown(loaded.run(new Float32Array(5)));
      expect(isToolError(err) && err.code).toBe("V4003");
    } finally {
      loaded.dispose();
    }
    const missing = await thrown(loadModel(model, { weights: path.join(tmp, "none.safetensors") }));
    expect(isToolError(missing) && missing.code).toBe("V4001");
    const small = await thrown(loadModel(model, { backend: "cpu", maxMemoryBytes: 1000 }));
    expect(isToolError(small) && small.code).toBe("V5003");
    expect(estimateRunMemory(model).weightBytes).toBe(4 * Number(summarize(model).params));
  });

  it("V5002 a backend that fails in the forward pass names the backend and the model", async () => {
    const loaded = await loadModel(model, { backend: "cpu" });
    try {
      // No spec makes tfjs fail once V5003 has refused what cannot fit: a tensor the backend
      // rejects (of another engine's backend) stands in for a device that gives up.
      const foreign = { shape: [1, 3, 32, 32], dtype: "float32", dataId: {}, id: -1, rank: 4, size: 3072 } as never;
      const err = await thrown(() => loaded.predict(foreign));
      expect(isToolError(err) && err.code).toBe("V5002");
      expect(String((err as Error).message)).toMatch(/^backend `cpu` failed while running `vit_tiny`: /);
    } finally {
      loaded.dispose();
    }
  });
});

describe("pictures", () => {
  it("readImages preprocesses as `vitc run --image` does and says how", async () => {
    const picture = path.join(repoRoot, "test", "images", "fixtures", "progressive.jpg");
    const model = compileText("use std.vit\nmodel m = vit(img_size: 32, patch_size: 8, embed_dim: 32, depth: 1, num_heads: 2)\n").models[0];
    const batch = readImages(model, [picture, picture], { cropPct: 1 });
    expect(batch.batch).toBe(2);
    expect(batch.values.length).toBe(2 * 3 * 32 * 32);
    expect(batch.values.subarray(0, 3072)).toEqual(batch.values.subarray(3072));
    expect(batch.preprocessing.join("\n")).toContain("crop_pct 1.0 (--crop-pct)");
    expect(() => readImages(model, [picture], { std: 0 })).toThrow(RangeError);
    const missing = await thrown(() => readImages(model, [path.join(tmp, "none.png")]));
    expect(isToolError(missing) && missing.code).toBe("V4004");
  });
});
