// `--backend onnxruntime` for `vitc run`, `vitc bench` and the API, through the real bin/vitc.js:
// timm's numbers on ONNX Runtime, the same outputs as the `.onnx` file `vitc build` writes,
// `auto` choosing ONNX Runtime before tfjs on the CPU and saying so, and the checks made before
// anything loads holding for it as for tfjs.

import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { loadOrt } from "../../src/backends/onnx/load-runtime";
import { compileFile, fixturesDir, repoRoot } from "../helpers/compile";
import { maxAbsDiff, readFixtureConfig } from "../helpers/parity-cases";
import { stackLine, vitc } from "../helpers/vitc-process";
import { openSafetensors } from "../../src/weights/safetensors";
import { isToolError, loadModel } from "../../src/index";

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "vitc-ort-run-"));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

const fixture = (file: string) => path.join(fixturesDir, "vit_tiny", file);
const vitTinySpec = path.join(repoRoot, "test", "parity", "vit_tiny.vit");
const small = path.join(tmp, "small.vit");
fs.writeFileSync(small, "use std.vit\nmodel small = vit(img_size: 32, patch_size: 8, embed_dim: 32, depth: 1, num_heads: 2)\n");

describe("vitc run --backend onnxruntime", () => {
  const output = path.join(tmp, "out.safetensors");
  const r = vitc(["run", vitTinySpec, "--weights", fixture("weights.safetensors"), "--input", fixture("input.safetensors"), "--output", output, "--backend", "onnxruntime"]);

  it("runs timm's weights on ONNX Runtime and writes timm's logits and features", () => {
    expect(r.err).toBe("");
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^backend\s+onnxruntime 1\.\d+\.\d+ \(CPU, \d+ threads?\)$/m);
    const config = readFixtureConfig(path.join(fixturesDir, "vit_tiny"));
    const got = openSafetensors(output);
    const expected = openSafetensors(fixture("output.safetensors"));
    for (const name of ["logits", "features"]) expect(maxAbsDiff(got.read(name), expected.read(name)), name).toBeLessThanOrEqual(config.output.tensors[name].suggested_atol);
    got.close();
    expected.close();
  });

  it("gives exactly the outputs of the .onnx file `vitc build --ops onnxruntime` writes, and the standard file's within atol", async () => {
    const ort = loadOrt();
    const got = openSafetensors(output);
    for (const ops of ["onnxruntime", "standard"]) {
      const dir = path.join(tmp, `built-${ops}`);
      expect(vitc(["build", vitTinySpec, "--emit", "onnx", "-o", dir, "--weights", fixture("weights.safetensors"), "--ops", ops]).code).toBe(0);
      const session = await ort.InferenceSession.create(path.join(dir, "vit_tiny.onnx"), { graphOptimizationLevel: "all" });
      const input = openSafetensors(fixture("input.safetensors"));
      const result = await session.run({ input: new ort.Tensor("float32", input.read("input"), [2, 3, 32, 32]) });
      input.close();
      await session.release();
      for (const name of ["logits", "features"] as const) {
        const [fromFile, fromRun] = [result[name].data as Float32Array, got.read(name)];
        if (ops === "onnxruntime") expect(Array.from(fromFile), name).toEqual(Array.from(fromRun));
        else expect(maxAbsDiff(fromFile, fromRun), name).toBeLessThanOrEqual(1e-5);
      }
    }
    got.close();
  });

  it("runs a model without qkv bias (ONNX Runtime's fused Attention gets zeros) and agrees with tfjs", () => {
    const spec = path.join(tmp, "no-bias.vit");
    fs.writeFileSync(spec, "use std.vit\nmodel no_bias = vit(img_size: 32, patch_size: 8, embed_dim: 32, depth: 2, num_heads: 2, num_classes: 5, qkv_bias: false)\n");
    const outputs = ["onnxruntime", "cpu"].map((backend) => {
      const file = path.join(tmp, `no-bias-${backend}.safetensors`);
      const run = vitc(["run", spec, "--backend", backend, "--seed", "4", "--output", file]);
      expect(run.err, backend).toBe("");
      expect(run.code, backend).toBe(0);
      return openSafetensors(file);
    });
    for (const name of ["logits", "features"]) expect(maxAbsDiff(outputs[0].read(name), outputs[1].read(name)), name).toBeLessThan(1e-5);
    for (const o of outputs) o.close();
  });

  it("is what `auto` chooses before tfjs on the CPU, and `auto` says so", () => {
    const auto = vitc(["run", small]);
    expect(auto.err).toBe("");
    expect(auto.out).toMatch(/^backend\s+onnxruntime .*, chosen by --backend auto$/m);
    expect(auto.out).toMatch(/skipped tensorflow: .+/);
  });

  it("is left out of `auto` when TFJS_BACKENDS names a tfjs order", () => {
    const wasm = vitc(["run", small], { env: { TFJS_BACKENDS: "wasm" } });
    expect(wasm.err).toBe("");
    expect(wasm.out).toMatch(/^backend\s+wasm/m);
    expect(wasm.out).not.toContain("onnxruntime");
  });

  it("benchmarks with --json", () => {
    const bench = vitc(["bench", small, "--backend", "onnxruntime", "--runs", "3", "--batch", "2", "--json"]);
    expect(bench.err).toBe("");
    const json = JSON.parse(bench.out) as { backend: string; batch: number; runs_ms: number[]; median_ms: number };
    expect(json).toMatchObject({ backend: "onnxruntime", batch: 2 });
    expect(json.runs_ms).toHaveLength(3);
    expect(json.median_ms).toBeGreaterThan(0);
  });

  it("refuses a run past --max-memory before ONNX Runtime loads (V5003)", () => {
    const refused = vitc(["run", small, "--backend", "onnxruntime", "--max-memory", "100K"]);
    expect(refused.err).toContain("error[V5003]");
    expect(refused.code).toBe(1);
    expect(refused.err).not.toMatch(stackLine);
  });
});

describe("loadModel with { backend: \"onnxruntime\" }", () => {
  it("runs host values; tf and predict say they belong to tfjs backends", async () => {
    const model = compileFile(vitTinySpec).models[0];
    const loaded = await loadModel(model, { backend: "onnxruntime", weights: fixture("weights.safetensors"), batch: 2 });
    try {
      expect(loaded.backend.name).toBe("onnxruntime");
      const input = openSafetensors(fixture("input.safetensors"));
      const { logits, features } = await loaded.run(input.read("input"), 2);
      input.close();
      const expected = openSafetensors(fixture("output.safetensors"));
      expect(logits.shape).toEqual([2, 10]);
      expect(features?.shape).toEqual([2, 17, 64]);
      expect(maxAbsDiff(logits.values, expected.read("logits"))).toBeLessThan(1e-3);
      expected.close();
      let err: unknown;
      try {
        loaded.predict({} as never);
      } catch (e) {
        err = e;
      }
      expect(isToolError(err) && err.code).toBe("V5001");
      expect(String((err as Error).message)).toContain("`tf` and `predict` work on tfjs backends");
    } finally {
      loaded.dispose();
    }
  });
});
