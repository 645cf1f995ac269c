// The numbers must be timm's: each fixture saved from timm 0.9.16 (test/fixtures/timm) is run
// with its own weights and input on cpu and wasm, and every module output it recorded
// (`act.*`), then features, pre_logits and logits, must agree within the fixture's
// suggested_atol. Checking in graph order names the first layer that disagrees. On webgpu
// (Dawn; Mesa's llvmpipe through OpenGL ES where there is no GPU) the same holds within
// loose_atol, the fixtures' allowance for GPU arithmetic; without an adapter it is skipped with
// the reason printed.

import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { forceGpuKernels, loadBackend, type BackendName, type LoadedBackend } from "../../src/backends/tfjs/load-backend";
import { ToolError } from "../../src/diagnostics/tool-error";
import { TfjsModel } from "../../src/backends/tfjs/model";
import { moduleOutputNode } from "../../src/ir/graph";
import { checkWeightFile, expectedTensors, fileWeights } from "../../src/weights/bind";
import { openSafetensors } from "../../src/weights/safetensors";
import { compileFile } from "../helpers/compile";
import { maxAbsDiff, moduleAliases as aliases, parityCases as fixtures, readFixtureConfig } from "../helpers/parity-cases";

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

describe.each(backends)("timm parity on %s", (backend) => {
  afterAll(async () => {
    // Nothing may stay behind once each model is disposed.
    const loaded = await load(backend);
    if (typeof loaded !== "string") expect(loaded.tf.memory().numTensors).toBe(0);
  });

  it.for(fixtures)("$name: every recorded module output, features and logits match timm", async ({ name, dir, spec }, ctx) => {
    const loaded = await load(backend);
    if (typeof loaded === "string") {
      console.log(`timm parity on webgpu skipped: ${loaded}`);
      ctx.skip();
      return;
    }
    const { tf } = loaded;
    const tolerance = backend === "webgpu" ? "loose_atol" : "suggested_atol";
    const config = readFixtureConfig(dir);
    const compiled = compileFile(spec);
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
