// `vitc build --emit onnx` as users meet it, through the real bin/vitc.js: the file's structure
// is DESIGN.md's ONNX interface (opset, the input `input` with a symbolic batch, the outputs
// `logits` and `features`, timm's keys as initializer names, the metadata), ONNX Runtime loads it
// with every graph optimisation and runs it at any batch, a written file gives the outputs of
// the same model exported in memory, weights past the inline limit go to external data, the
// Triton layout is a model repository entry, and `--ops onnxruntime` fuses each attention into
// one ONNX Runtime Attention node while the default stays within ONNX's own operators.

import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { onnx } from "onnx-proto";
import { afterAll, describe, expect, it } from "vitest";
import { exportOnnx } from "../../src/backends/onnx/export-model";
import { loadOrt } from "../../src/backends/onnx/load-runtime";
import { onnxOpSets } from "../../src/backends/onnx/lowering";
import { fileWeights, weightBytes } from "../../src/weights/bind";
import { openSafetensors } from "../../src/weights/safetensors";
import { compileFile, fixturesDir, repoRoot } from "../helpers/compile";
import { maxAbsDiff } from "../helpers/parity-cases";
import { stackLine, vitc } from "../helpers/vitc-process";

const ort = loadOrt();
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "vitc-onnx-"));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

const vitTinySpec = path.join(repoRoot, "test", "parity", "vit_tiny.vit");
const vitTinyWeights = path.join(fixturesDir, "vit_tiny", "weights.safetensors");

function readModel(file: string): onnx.ModelProto {
  return onnx.ModelProto.decode(fs.readFileSync(file));
}

function dims(v: onnx.IValueInfoProto): Array<string | number> {
  return v.type!.tensorType!.shape!.dim!.map((d) => (d.dimParam ? d.dimParam : Number(d.dimValue)));
}

async function run(model: string | Uint8Array, input: Float32Array, shape: number[]): Promise<Record<string, { data: Float32Array; dims: readonly number[] }>> {
  const session = await (typeof model === "string"
    ? ort.InferenceSession.create(model, { graphOptimizationLevel: "all" })
    : ort.InferenceSession.create(model, { graphOptimizationLevel: "all" }));
  try {
    const out = await session.run({ input: new ort.Tensor("float32", input, shape) });
    return Object.fromEntries(Object.entries(out).map(([k, t]) => [k, { data: t.data as Float32Array, dims: t.dims }]));
  } finally {
    await session.release();
  }
}

function noise(size: number): Float32Array {
  return Float32Array.from({ length: size }, (_, i) => Math.sin(i * 0.37) * 1.5);
}

describe("vitc build --emit onnx", () => {
  const out = path.join(tmp, "flat");
  const built = vitc(["build", vitTinySpec, "--emit", "onnx", "-o", out, "--weights", vitTinyWeights]);
  const file = path.join(out, "vit_tiny.onnx");

  it("writes <model>.onnx and says so", () => {
    expect(built.err).toBe("");
    expect(built.code).toBe(0);
    expect(built.out).toContain(`wrote ${file}`);
    expect(fs.existsSync(file)).toBe(true);
  });

  it("has DESIGN.md's structure: opset, named input and outputs with a symbolic batch, timm keys, metadata", () => {
    const model = readModel(file);
    expect(Number(model.irVersion)).toBeGreaterThanOrEqual(8);
    const opset = model.opsetImport.find((o) => (o.domain ?? "") === "");
    expect(Number(opset!.version)).toBeGreaterThanOrEqual(17);
    const graph = model.graph as onnx.GraphProto;
    expect(graph.input.map((i) => i.name)).toEqual(["input"]);
    expect(graph.input[0].type!.tensorType!.elemType).toBe(onnx.TensorProto.DataType.FLOAT);
    expect(dims(graph.input[0])).toEqual(["batch", 3, 32, 32]);
    expect(graph.output.map((o) => [o.name, dims(o)])).toEqual([["logits", ["batch", 10]], ["features", ["batch", 17, 64]]]);
    const initializers = new Map(graph.initializer.map((t) => [t.name, t.dims!.map(Number)]));
    const weights = openSafetensors(vitTinyWeights);
    // Every tensor of timm's state_dict is an initializer of that name and shape: stored as timm stores it.
    for (const [key, info] of weights.tensors) expect(initializers.get(key), key).toEqual(info.shape);
    weights.close();
    const metadata = Object.fromEntries(model.metadataProps.map((p) => [p.key, p.value]));
    const version = (JSON.parse(fs.readFileSync(path.join(repoRoot, "package.json"), "utf8")) as { version: string }).version;
    expect(metadata).toMatchObject({
      "vitc.model": "vit_tiny", "vitc.version": version,
      "preprocess.crop_pct": "0.9", "preprocess.mean": "0.5,0.5,0.5", "preprocess.std": "0.5,0.5,0.5", "preprocess.interpolation": "bicubic",
    });
  });

  it("computes timm's logits, and the same outputs as the model exported in memory, at batch 1 and 3", async () => {
    const inputs = openSafetensors(path.join(fixturesDir, "vit_tiny", "input.safetensors"));
    const expected = openSafetensors(path.join(fixturesDir, "vit_tiny", "output.safetensors"));
    const fromFile = await run(file, inputs.read("input"), [2, 3, 32, 32]);
    expect(maxAbsDiff(fromFile.logits.data, expected.read("logits"))).toBeLessThan(1e-3);
    inputs.close();
    expected.close();

    const compiled = compileFile(vitTinySpec);
    const weights = openSafetensors(vitTinyWeights);
    const inMemory = exportOnnx(compiled.models[0].checked, fileWeights(weights), { version: "test" }).model;
    weights.close();
    for (const batch of [1, 3]) {
      const input = noise(batch * 3 * 32 * 32);
      const [a, b] = [await run(file, input, [batch, 3, 32, 32]), await run(inMemory, input, [batch, 3, 32, 32])];
      expect(a.logits.dims).toEqual([batch, 10]);
      expect(a.features.dims).toEqual([batch, 17, 64]);
      expect(Array.from(a.logits.data)).toEqual(Array.from(b.logits.data));
      expect(Array.from(a.features.data)).toEqual(Array.from(b.features.data));
    }
  });

  it("puts weights past the inline limit into external data that ONNX Runtime reads", async () => {
    const dir = path.join(tmp, "external");
    const r = vitc(["build", vitTinySpec, "--emit", "onnx", "-o", dir, "--weights", vitTinyWeights], { env: { VITC_ONNX_MAX_INLINE_BYTES: "100000" } });
    expect(r.err).toBe("");
    expect(r.out).toContain(`wrote ${path.join(dir, "vit_tiny.onnx.data")}`);
    const model = readModel(path.join(dir, "vit_tiny.onnx"));
    const external = (model.graph as onnx.GraphProto).initializer.filter((t) => t.dataLocation === onnx.TensorProto.DataLocation.EXTERNAL);
    expect(external.length).toBeGreaterThan(10);
    for (const t of external) {
      const entries = Object.fromEntries(t.externalData!.map((e) => [e.key, e.value]));
      expect(entries.location).toBe("vit_tiny.onnx.data");
      expect(Number(entries.offset) % 4096).toBe(0);
    }
    expect(fs.statSync(path.join(dir, "vit_tiny.onnx")).size).toBeLessThan(100_000);
    const input = noise(2 * 3 * 32 * 32);
    const [a, b] = [await run(path.join(dir, "vit_tiny.onnx"), input, [2, 3, 32, 32]), await run(file, input, [2, 3, 32, 32])];
    expect(Array.from(a.logits.data)).toEqual(Array.from(b.logits.data));
  });

  it("writes the external data whenever the encoder makes it, also where the weights alone would fit inline", async () => {
    // The encoder counts every initializer (shape constants too), so at exactly the weights'
    // size the model still spills; the build must write what the encoder made, not a guess.
    const limit = weightBytes(compileFile(vitTinySpec).models[0].checked);
    for (const [name, max, spilled] of [["at-limit", limit, true], ["roomy", limit * 2, false]] as const) {
      const dir = path.join(tmp, name);
      const r = vitc(["build", vitTinySpec, "--emit", "onnx", "-o", dir, "--weights", vitTinyWeights], { env: { VITC_ONNX_MAX_INLINE_BYTES: String(max) } });
      expect(r.err).toBe("");
      expect(fs.readdirSync(dir).sort()).toEqual(spilled ? ["vit_tiny.onnx", "vit_tiny.onnx.data"] : ["vit_tiny.onnx"]);
      const input = noise(3 * 32 * 32);
      const [a, b] = [await run(path.join(dir, "vit_tiny.onnx"), input, [1, 3, 32, 32]), await run(file, input, [1, 3, 32, 32])];
      expect(Array.from(a.logits.data)).toEqual(Array.from(b.logits.data));
    }
  });

  it("writes a Triton model repository entry with --layout triton", async () => {
    const dir = path.join(tmp, "repository");
    const r = vitc(["build", vitTinySpec, "--emit", "onnx", "-o", dir, "--layout", "triton", "--seed", "3"]);
    expect(r.err).toBe("");
    expect(fs.readdirSync(dir)).toEqual(["vit_tiny"]);
    expect(fs.readdirSync(path.join(dir, "vit_tiny")).sort()).toEqual(["1", "config.pbtxt"]);
    expect(fs.readdirSync(path.join(dir, "vit_tiny", "1"))).toEqual(["model.onnx"]);
    const config = fs.readFileSync(path.join(dir, "vit_tiny", "config.pbtxt"), "utf8");
    expect(config).toContain('name: "vit_tiny"');
    expect(config).toContain('backend: "onnxruntime"');
    expect(config).toMatch(/max_batch_size: \d+/);
    expect(config).toMatch(/input \[\s*\{\s*name: "input"\s*data_type: TYPE_FP32\s*dims: \[ 3, 32, 32 \]/);
    expect(config).toMatch(/name: "logits"\s*data_type: TYPE_FP32\s*dims: \[ 10 \]/);
    expect(config).toMatch(/name: "features"\s*data_type: TYPE_FP32\s*dims: \[ 17, 64 \]/);
    expect(config).toMatch(/dynamic_batching \{[^}]*preferred_batch_size/);
    const outputs = await run(path.join(dir, "vit_tiny", "1", "model.onnx"), noise(4 * 3 * 32 * 32), [4, 3, 32, 32]);
    expect(outputs.logits.dims).toEqual([4, 10]);
  });

  it("--ops onnxruntime makes each block's attention one com.microsoft Attention node; the default uses ONNX's operators only", async () => {
    const dir = path.join(tmp, "ort-ops");
    const r = vitc(["build", vitTinySpec, "--emit", "onnx", "-o", dir, "--weights", vitTinyWeights, "--ops", "onnxruntime"]);
    expect(r.err).toBe("");
    const fused = readModel(path.join(dir, "vit_tiny.onnx"));
    const standard = readModel(file);
    const opsets = (m: onnx.ModelProto) => m.opsetImport.map((o) => [o.domain ?? "", Number(o.version)]);
    const metadata = (m: onnx.ModelProto) => Object.fromEntries(m.metadataProps.map((p) => [p.key, p.value]));
    expect(opsets(standard)).toEqual([["", 17]]);
    expect(standard.graph!.node!.every((n) => (n.domain ?? "") === "")).toBe(true);
    expect(metadata(standard)["vitc.ops"]).toBe("standard");
    expect(opsets(fused)).toEqual([["", 17], ["com.microsoft", 1]]);
    expect(metadata(fused)["vitc.ops"]).toBe("onnxruntime");
    const nodes = fused.graph!.node!;
    const attention = nodes.filter((n) => n.domain === "com.microsoft");
    expect(attention.map((n) => n.opType)).toEqual(["Attention", "Attention"]); // depth 2
    // Each reads its block's qkv Linear directly (weight transposed to [in, 3*D], timm's bias);
    // the Linear's own MatMul and the heads' Transpose/Split are gone.
    for (const [block, node] of attention.entries()) {
      const weightsFrom = nodes.find((n) => n.output!.includes(node.input![1]))!;
      expect([weightsFrom.opType, weightsFrom.input]).toEqual(["Transpose", [`blocks.${block}.attn.qkv.weight`]]);
      expect(node.input![2]).toBe(`blocks.${block}.attn.qkv.bias`);
      expect(nodes.filter((n) => n.input!.includes(`blocks.${block}.attn.qkv.weight`))).toHaveLength(1);
    }
    expect(nodes.filter((n) => n.opType === "Split" || n.opType === "Softmax")).toEqual([]);
    const inputs = openSafetensors(path.join(fixturesDir, "vit_tiny", "input.safetensors"));
    const expected = openSafetensors(path.join(fixturesDir, "vit_tiny", "output.safetensors"));
    const outputs = await run(path.join(dir, "vit_tiny.onnx"), inputs.read("input"), [2, 3, 32, 32]);
    expect(maxAbsDiff(outputs.logits.data, expected.read("logits"))).toBeLessThan(1e-3);
    inputs.close();
    expected.close();
  });

  it.each([
    ["--weights with --emit ts", ["--emit", "ts", "--weights", vitTinyWeights], /`--weights` is a flag of `--emit onnx`/],
    ["--seed with --emit ts", ["--emit", "ts", "--seed", "1"], /`--seed` is a flag of `--emit onnx`/],
    ["--weights and --seed together", ["--emit", "onnx", "--weights", vitTinyWeights, "--seed", "1"], /give either `--weights` or `--seed`, not both/],
    ["an unknown layout", ["--emit", "onnx", "--layout", "tritn"], /flag `--layout` must be one of `flat`, `triton`, got `tritn`/],
    ["an unknown op set", ["--emit", "onnx", "--ops", "ort"], /flag `--ops` must be one of `standard`, `onnxruntime`, got `ort`/],
    ["--ops with --emit ts", ["--emit", "ts", "--ops", "onnxruntime"], /`--ops` is a flag of `--emit onnx`/],
  ])("%s is a usage error (exit 2)", (_what, flags, message) => {
    const r = vitc(["build", vitTinySpec, "-o", path.join(tmp, "never"), ...flags]);
    expect(r.err).toMatch(message);
    expect(r.code).toBe(2);
    expect(fs.existsSync(path.join(tmp, "never", "vit_tiny.onnx"))).toBe(false);
  });

  it("weights of another model are refused before anything is written (V4002)", () => {
    const r = vitc(["build", path.join(repoRoot, "test", "parity", "swin_tiny.vit"), "--emit", "onnx", "-o", path.join(tmp, "wrong"), "--weights", vitTinyWeights]);
    expect(r.err).toContain("error[V4002]");
    expect(r.code).toBe(1);
    expect(r.err).not.toMatch(stackLine);
    expect(fs.existsSync(path.join(tmp, "wrong", "swin_tiny.onnx"))).toBe(false);
  });
});

describe("the standard specs export to ONNX that ONNX Runtime loads with every optimisation", () => {
  // The smallest model of each family (a ViT-L would take a minute): seeded weights, batch 2.
  const names = ["vit_tiny_patch16_224", "deit_tiny_distilled_patch16_224", "vit_tiny_r_s16_p8_224", "swin_tiny_patch4_window7_224", "mobilevit_xxs"];
  it.each(names.flatMap((name) => onnxOpSets.map((ops) => [name, ops] as const)))("%s, %s ops", async (name, ops) => {
    const compiled = compileFile(path.join(repoRoot, "specs", `${name}.vit`));
    const { checked } = compiled.models[0];
    const { initialWeights } = await import("../../src/weights/bind");
    const bytes = exportOnnx(checked, initialWeights(0), { version: "test", ops }).model;
    const input = checked.nodes[0].shape!.dims;
    const outputs = await run(bytes, noise(2 * input.reduce((a, b) => a * b, 1)), [2, ...input]);
    for (const key of ["logits", "features"]) {
      const spec = checked.nodes[checked.graph.outputs[key]].shape!;
      expect(outputs[key].dims).toEqual([2, ...spec.dims]);
      expect(outputs[key].data.every(Number.isFinite)).toBe(true);
    }
  });
});
