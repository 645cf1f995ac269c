// Emitted modules of the specs in cases/ (each a corner of the emitter, said in its header):
// emitted, compiled by tsc --strict as a user's project would, run with seeded weights on cpu
// and wasm, and compared with `vitc run`'s model on the same weights and backend (1e-6), with no
// tensor left behind. Each case adds its own checks of the emitted text in `textChecks`.

import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type * as tfc from "@tensorflow/tfjs-core";
import { ts } from "ts-morph";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadBackend, type BackendName } from "../../../src/backends/tfjs/load-backend";
import { TfjsModel } from "../../../src/backends/tfjs/model";
import { emitTypeScript } from "../../../src/backends/typescript/emit-module";
import { expectedTensors, initialWeights } from "../../../src/weights/bind";
import { compileFile, repoRoot } from "../../helpers/compile";
import { maxAbsDiff } from "../../helpers/parity-cases";
import { compileEmitted } from "../../helpers/compile-emitted";

interface EmittedModule {
  readonly spec: { readonly name: string; readonly input: readonly [number, number, number] };
  readonly weightShapes: { readonly [key: string]: readonly number[] };
  createModel(weights: Record<string, tfc.Tensor>): { predict(input: tfc.Tensor4D): { logits: tfc.Tensor; features: tfc.Tensor }; dispose(): void };
}

const casesDir = path.join(repoRoot, "test", "backends", "typescript", "cases");
const caseFiles = fs.readdirSync(casesDir).filter((f) => f.endsWith(".vit")).sort();
const compiled = caseFiles.flatMap((file) => {
  const compilation = compileFile(path.join(casesDir, file));
  return compilation.models.map((model) => ({ file, model, compilation }));
});

/** What the emitted text of a case must (not) hold, beyond running as `vitc run` does. */
const textChecks: Record<string, (text: string) => void> = {
  "optional-steps.vit": (text) => {
    // One function for calls that differ by steps they skip; a roll whose shift differs says by its shift whether it runs.
    expect(text.match(/^function rolled\(/gm)).toHaveLength(1);
    expect(text).toContain("w.settings.rollShift !== null ? roll(norm, w.settings.rollShift) : norm");
    expect(text).toContain("w.settings.add ? addTensors(fc, x) : fc");
    expect(text).toContain("w.settings.gelu ? gelu(x) : x");
  },
  "hostile-names.vit": (text) => {
    // What the spec tried to run is text in comments and strings only: no code names it.
    const source = ts.createSourceFile("m.ts", text, ts.ScriptTarget.ES2022, true, ts.ScriptKind.TS);
    const names = new Set<string>();
    const visit = (node: ts.Node): void => {
      if (ts.isIdentifier(node)) names.add(node.text);
      ts.forEachChild(node, visit);
    };
    visit(source);
    expect(names.has("globalThis") || names.has("__pwned")).toBe(false);
    // `__proto__` as a key is an own property, never the prototype.
    expect(text).toContain('["__proto__"]: [1, 4, 4]');
  },
};

/** Cases whose emitted module must equal `vitc run` bit for bit (the default allows 1e-6). */
const exact = new Set(["split-blocks.vit"]);

/**
 * Seeded weights are small (timm's init), which makes attention nearly uniform and blind to how
 * its scores are rounded; a case about attention's numerics scales its weights up.
 */
const weightScale: Record<string, number> = { "split-blocks.vit": 8 };

/** The spec's path as the module's header names it: a hostile one for the hostile names. */
const specPaths: Record<string, string> = {
  "hostile-names.vit": "cases/hostile */ globalThis.__pwned = \"path\"; /* ${globalThis.__pwned} \u2028\n.vit",
};

const work = fs.mkdtempSync(path.join(os.tmpdir(), "vitc-emit-cases-"));
const modules = new Map<string, EmittedModule>();
const texts = new Map<string, string>();

beforeAll(() => {
  const src = path.join(work, "src");
  fs.mkdirSync(src);
  compiled.forEach(({ file, model, compilation }, i) => {
    const specPath = specPaths[file] ?? `test/backends/typescript/cases/${file}`;
    const text = emitTypeScript(model, { files: compilation.files, specPath, version: "test" });
    texts.set(model.name, text);
    fs.writeFileSync(path.join(src, `m${i}.ts`), text);
  });
  const load = compileEmitted(work, src);
  compiled.forEach(({ model }, i) => modules.set(model.name, load(`m${i}`) as EmittedModule));
}, 120_000);

afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

describe("emitted cases", () => {
  it.for(compiled.map(({ file, model }) => ({ file, name: model.name })))("$file ($name): the emitted text", ({ file, name }) => {
    textChecks[file]?.(texts.get(name)!);
  });

  describe.each(["cpu", "wasm"] as BackendName[])("on %s", (backend) => {
    it.for(compiled.map(({ file, model }) => ({ file, name: model.name, model })))("$file ($name) computes what `vitc run` computes", async ({ file, name, model }, ctx) => {
      const { tf } = await loadBackend(backend);
      const seeded = initialWeights(0);
      const scale = weightScale[file] ?? 1;
      const source = { ...seeded, read: (t: Parameters<typeof seeded.read>[0]) => seeded.read(t).map((v) => v * scale) };
      // fromEntries defines own properties, so a key `__proto__` is a key as it is in a file.
      const weights: Record<string, tfc.Tensor> = Object.fromEntries(expectedTensors(model.checked).map((t) => [t.key, tf.tensor(source.read(t), [...t.shape])]));
      const emitted = modules.get(name)!;
      expect(emitted.spec.name).toBe(name);
      expect(Object.keys(emitted.weightShapes).sort()).toEqual(Object.keys(weights).sort());
      const input = tf.randomNormal([2, ...emitted.spec.input], 0, 1, "float32", 7) as tfc.Tensor4D;
      const created = emitted.createModel(weights);
      const reference = TfjsModel.load(tf, model.checked, source);
      const before = tf.memory().numTensors;
      const { logits, features } = created.predict(input);
      expect(tf.memory().numTensors, "tensors left by predict besides its two outputs").toBe(before + 2);
      const ran = reference.forward(input).outputs;
      const ranFeatures = Object.hasOwn(ran, "features") ? ran.features : ran.logits;
      // Freed whatever the checks below find, so that one failure does not fail the next case's count.
      ctx.onTestFinished(() => {
        for (const t of [logits, features, ...Object.values(ran), input, ...Object.values(weights)]) t.dispose();
        created.dispose();
        reference.dispose();
        expect(tf.memory().numTensors, "tensors left after every model is disposed").toBe(0);
      });
      const atol = exact.has(file) ? 0 : 1e-6;
      expect(logits.shape, "logits' shape").toEqual(ran.logits.shape);
      expect(features.shape, "features' shape").toEqual(ranFeatures.shape);
      expect(maxAbsDiff(await logits.data(), await ran.logits.data()), "logits").toBeLessThanOrEqual(atol);
      expect(maxAbsDiff(await features.data(), await ranFeatures.data()), "features").toBeLessThanOrEqual(atol);
      expect(Reflect.get(globalThis, "__pwned"), "a name of the spec ran as code").toBeUndefined();
    });
  });
});
