// The numbers must be timm's: each fixture saved from timm 0.9.16 (test/fixtures/timm) is run
// with its own weights and input on cpu and wasm, and every module output it recorded
// (`act.*`), then features, pre_logits and logits, must agree within the fixture's
// suggested_atol. Checking in graph order names the first layer that disagrees. On webgpu
// (Dawn; Mesa's llvmpipe through OpenGL ES where there is no GPU) the same holds within
// loose_atol, the fixtures' allowance for GPU arithmetic; without an adapter it is skipped with
// the reason printed.

import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { forceGpuKernels, loadBackend, type BackendName, type LoadedBackend } from "../../src/backends/tfjs/load-backend";
import { ToolError } from "../../src/diagnostics/tool-error";
import { TfjsModel } from "../../src/backends/tfjs/model";
import { moduleOutputNode } from "../../src/ir/graph";
import { checkWeightFile, expectedTensors, fileWeights } from "../../src/weights/bind";
import { openSafetensors } from "../../src/weights/safetensors";
import { compileFile, fixturesDir } from "../helpers/compile";

interface TensorConfig { readonly shape: number[]; readonly suggested_atol: number; readonly loose_atol: number }
interface FixtureConfig { readonly output: { readonly tensors: Record<string, TensorConfig> } }

// timm's `pos_drop` is a Dropout: an identity at inference, right after the position embedding.
const aliases: Record<string, string> = { pos_drop: "pos_embed" };

// The shared fixtures, then the extra cases saved from timm by scripts/make-parity-cases.py
// (test/parity/extra/<name>/, same layout). Each has its spec at test/parity/<name>.vit.
const extraDir = path.join(__dirname, "extra");
const fixtures: Array<{ name: string; dir: string }> = [
  ...["vit_tiny", "swin_tiny", "mobilevit_tiny"].map((name) => ({ name, dir: path.join(fixturesDir, name) })),
  ...(fs.existsSync(extraDir) ? fs.readdirSync(extraDir).filter((n) => fs.existsSync(path.join(extraDir, n, "config.json"))).sort() : [])
    .map((name) => ({ name, dir: path.join(extraDir, name) })),
];
const backends: BackendName[] = ["cpu", "wasm", "webgpu"];

// Mesa reads EGL_PLATFORM when Dawn opens a display; flags set by whoever runs the tests win.
process.env.EGL_PLATFORM ??= "surfaceless";
const webgpuEnv = { ...process.env, VITC_WEBGPU_FLAGS: process.env.VITC_WEBGPU_FLAGS ?? "backend=opengles" };

/** The backend, or the reason it cannot load here (only webgpu may be missing). */
async function load(backend: BackendName): Promise<LoadedBackend | string> {
  if (backend !== "webgpu") return loadBackend(backend);
  try {
    const loaded = await loadBackend("webgpu", { env: webgpuEnv });
    // Small ops would otherwise run on the CPU, and the test would not exercise the GPU.
    forceGpuKernels(loaded.tf);
    return loaded;
  } catch (err) {
    if (err instanceof ToolError) return err.message;
    throw err;
  }
}

/** The largest |a - b|, or Infinity when the sizes differ. */
function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) return Infinity;
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i] - b[i]));
  return Number.isNaN(max) ? Infinity : max;
}

describe.each(backends)("timm parity on %s", (backend) => {
  afterAll(async () => {
    // Nothing may stay behind once each model is disposed.
    const loaded = await load(backend);
    if (typeof loaded !== "string") expect(loaded.tf.memory().numTensors).toBe(0);
  });

  it.for(fixtures)("$name: every recorded module output, features and logits match timm", async ({ name, dir }, ctx) => {
    const loaded = await load(backend);
    if (typeof loaded === "string") {
      console.log(`timm parity on webgpu skipped: ${loaded}`);
      ctx.skip();
      return;
    }
    const { tf } = loaded;
    const tolerance = backend === "webgpu" ? "loose_atol" : "suggested_atol";
    const config = JSON.parse(fs.readFileSync(path.join(dir, "config.json"), "utf8")) as FixtureConfig;
    const compiled = compileFile(path.join(__dirname, `${name}.vit`));
    expect(compiled.diagnostics).toEqual([]);
    const checked = compiled.models[0].checked;
    const weights = openSafetensors(path.join(dir, "weights.safetensors"));
    checkWeightFile(expectedTensors(checked), weights, name);
    const model = TfjsModel.load(tf, checked, fileWeights(weights));
    weights.close();

    const inputs = openSafetensors(path.join(dir, "input.safetensors"));
    const input = tf.tensor(inputs.read("input"), [...inputs.tensors.get("input")!.shape]);
    inputs.close();
    const expected = openSafetensors(path.join(dir, "output.safetensors"));

    const modules = Object.keys(config.output.tensors).filter((t) => t.startsWith("act.")).map((t) => {
      const modulePath = t.slice(4);
      const node = moduleOutputNode(checked.graph, aliases[modulePath] ?? modulePath);
      expect(node, `no node of the graph is the output of \`${modulePath}\``).toBeDefined();
      return { tensor: t, node: node! };
    }).sort((a, b) => a.node - b.node);

    const before = tf.memory().numTensors;
    const result = model.forward(input, { capture: modules.map((m) => m.node) });
    const actual: Array<{ tensor: string; value: (typeof result.outputs)[string] }> = [
      ...modules.map((m) => ({ tensor: m.tensor, value: result.captured.get(m.node)! })),
      ...["features", "pre_logits", "logits"].map((t) => ({ tensor: t, value: result.outputs[t] })),
    ];
    const report: string[] = [];
    for (const { tensor, value } of actual) {
      const { shape, [tolerance]: atol } = config.output.tensors[tensor];
      expect(value, `the model has no output \`${tensor}\``).toBeDefined();
      expect(value.shape, `${tensor} shape`).toEqual(shape);
      const diff = maxAbsDiff((await value.data()) as Float32Array, expected.read(tensor));
      if (diff > atol && report.length === 0) report.push(`first disagreement: \`${tensor}\` differs by ${diff.toExponential(2)} (atol ${atol})`);
    }
    expected.close();
    expect(report).toEqual([]);

    for (const { value } of actual) value.dispose();
    expect(tf.memory().numTensors, "tensors leaked by one forward").toBe(before);
    input.dispose();
    model.dispose();
  });
});
