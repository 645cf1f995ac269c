// The emitted modules, compiled by tsc and run with timm's weights, reproduce every parity case
// (the shared fixtures and test/parity/extra) within suggested_atol on cpu and wasm, the module
// outputs `act.*` aside, and equal `vitc run`'s model on the same backend to 1e-6.

import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type * as tfc from "@tensorflow/tfjs-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadBackend, type BackendName } from "../../../src/backends/tfjs/load-backend";
import { TfjsModel } from "../../../src/backends/tfjs/model";
import { fileWeights } from "../../../src/weights/bind";
import { openSafetensors } from "../../../src/weights/safetensors";
import { compileFile, fixturesDir, repoRoot } from "../../helpers/compile";
import { vitc } from "../../helpers/vitc-process";
import { maxAbsDiff } from "../../helpers/parity-cases";
import { compileEmitted } from "../../helpers/compile-emitted";

interface EmittedModule {
  readonly spec: { readonly name: string; readonly input: readonly number[]; readonly output: readonly number[]; readonly params: number };
  readonly weightShapes: { readonly [key: string]: readonly number[] };
  createModel(weights: Record<string, tfc.Tensor>): { predict(input: tfc.Tensor4D): { logits: tfc.Tensor; features: tfc.Tensor }; dispose(): void };
}
interface TensorConfig { readonly shape: number[]; readonly suggested_atol: number }

const extraDir = path.join(repoRoot, "test", "parity", "extra");
const allCases = [
  ...["vit_tiny", "swin_tiny", "mobilevit_tiny"].map((name) => ({ name, dir: path.join(fixturesDir, name) })),
  ...fs.readdirSync(extraDir).filter((n) => fs.existsSync(path.join(extraDir, n, "config.json"))).sort().map((name) => ({ name, dir: path.join(extraDir, name) })),
];

const only = process.env.VITC_EMIT_CASES?.split(",");
const cases = allCases.filter((c) => (only ? only.includes(c.name) : true));

const work = fs.mkdtempSync(path.join(os.tmpdir(), "vitc-emit-parity-"));
const modules = new Map<string, EmittedModule>();

beforeAll(() => {
  const src = path.join(work, "src");
  for (const { name } of cases) {
    const r = vitc(["build", `test/parity/${name}.vit`, "--emit", "ts", "-o", src]);
    if (r.code !== 0) throw new Error(r.err);
  }
  const load = compileEmitted(work, src);
  for (const { name } of cases) modules.set(name, load(name) as EmittedModule);
}, 120_000);

afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

describe.each(["cpu", "wasm"] as BackendName[])("emitted modules on %s", (backend) => {
  it.for(cases)("$name: logits and features match timm's and `vitc run`'s", async ({ name, dir }) => {
    const { tf } = await loadBackend(backend);
    const emitted = modules.get(name)!;
    const config = JSON.parse(fs.readFileSync(path.join(dir, "config.json"), "utf8")) as { output: { tensors: Record<string, TensorConfig> } };
    const file = openSafetensors(path.join(dir, "weights.safetensors"));
    const weights: Record<string, tfc.Tensor> = {};
    for (const [key, info] of file.tensors) weights[key] = tf.tensor(file.read(key), [...info.shape]);
    const inputs = openSafetensors(path.join(dir, "input.safetensors"));
    const input = tf.tensor4d(inputs.read("input"), [...inputs.tensors.get("input")!.shape] as [number, number, number, number]);
    inputs.close();
    const expected = openSafetensors(path.join(dir, "output.safetensors"));

    const model = emitted.createModel(weights);
    const before = tf.memory().numTensors;
    const { logits, features } = model.predict(input);
    expect(tf.memory().numTensors, "tensors left by predict besides its two outputs").toBe(before + 2);

    const checked = compileFile(path.join(repoRoot, "test", "parity", `${name}.vit`)).models[0].checked;
    const reference = TfjsModel.load(tf, checked, fileWeights(file));
    const ran = reference.forward(input).outputs;
    for (const [tensor, value] of [["logits", logits], ["features", features]] as const) {
      const { shape, suggested_atol: atol } = config.output.tensors[tensor];
      expect(value.shape, `${tensor} shape`).toEqual(shape);
      const got = await value.data();
      expect(maxAbsDiff(got, expected.read(tensor)), `${tensor} against timm`).toBeLessThanOrEqual(atol);
      expect(maxAbsDiff(got, await ran[tensor].data()), `${tensor} against vitc run`).toBeLessThanOrEqual(1e-6);
    }
    for (const t of [logits, features, ...Object.values(ran), input, ...Object.values(weights)]) t.dispose();
    model.dispose();
    reference.dispose();
    file.close();
    expected.close();
    expect(tf.memory().numTensors, "tensors left after every model is disposed").toBe(0);
  });
});
