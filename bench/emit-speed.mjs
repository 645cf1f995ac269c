// The emitted module's speed against `vitc bench`'s (issue 11): ViT-B/16 at batch 1 on tfjs-wasm.
// The module is emitted with `--emit ts`'s code, compiled by tsc as a user's project would, and
// given the same seeded weights as vitc's session; both run in this process, in alternating
// rounds (so that the shared machine's drift hits both), each pass timed with its logits read
// back after a warm-up. Goal: the emitted median within 1.05× of vitc's.

import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const require = createRequire(import.meta.url);
const dist = (p) => require(path.join(root, "dist", p));

const spec = "specs/vit_base_patch16_224.vit";
const rounds = 4;
const runsPerRound = 4;

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/** The spec's model emitted, compiled with tsc --strict to CommonJS, and loaded. */
function emittedModule(compilation, model, work) {
  const { emitTypeScript } = dist("backends/typescript/emit-module.js");
  const src = path.join(work, "src");
  fs.mkdirSync(src, { recursive: true });
  fs.writeFileSync(path.join(src, `${model.name}.ts`), emitTypeScript(model, { files: compilation.files, specPath: spec, version: "bench" }));
  fs.symlinkSync(path.join(root, "node_modules"), path.join(work, "node_modules"), "dir");
  const tsc = path.join(root, "node_modules", "typescript", "bin", "tsc");
  execFileSync(process.execPath, [tsc, "--strict", "--target", "es2022", "--module", "commonjs", "--moduleResolution", "node", "--skipLibCheck", "--outDir", path.join(work, "out"), path.join(src, `${model.name}.ts`)]);
  return require(path.join(work, "out", `${model.name}.js`));
}

export async function emitSpeed() {
  const { compileSource } = dist("pipeline.js");
  const { diskHost } = dist("source/host.js");
  const { benchSession } = dist("cli/run.js");
  const { openSession } = dist("backends/tfjs/session.js");
  const { expectedTensors, initialWeights } = dist("weights/bind.js");
  const { initialValues } = dist("weights/init.js");
  const compilation = compileSource(spec, fs.readFileSync(path.join(root, spec), "utf8"), diskHost());
  const [model] = compilation.models;
  const work = fs.mkdtempSync(path.join(os.tmpdir(), "vitc-emit-bench-"));
  try {
    const emitted = emittedModule(compilation, model, work);
    const session = await openSession(model.checked, model.name, { backend: "wasm", weights: initialWeights(0), batch: 1 });
    const { tf, device } = session.backend;
    const source = initialWeights(0);
    const weights = Object.fromEntries(expectedTensors(model.checked).map((t) => [t.key, tf.tensor(source.read(t), [...t.shape])]));
    const created = emitted.createModel(weights);
    tf.dispose(Object.values(weights));
    // The input `vitc bench` makes (seed 0).
    const input = tf.tensor(initialValues({ kind: "normal", std: 1 }, 3 * 224 * 224, 0, "input"), [1, 3, 224, 224], "float32");
    const emittedPass = async () => {
      const start = performance.now();
      const { logits, features } = created.predict(input);
      await logits.data();
      tf.dispose([logits, features]);
      return performance.now() - start;
    };
    console.log(`backend ${device}; ${model.name} at batch 1, ${rounds} rounds of ${runsPerRound} passes each\n`);
    const vitc = [];
    const mine = [];
    await emittedPass();
    for (let round = 0; round < rounds; round++) {
      const r = await benchSession(session, model, { seed: 0, batch: 1, runs: runsPerRound }, {});
      vitc.push(...r.runs_ms);
      for (let i = 0; i < runsPerRound; i++) mine.push(await emittedPass());
      console.log(`  round ${round + 1}: vitc bench median ${r.median_ms.toFixed(1)} ms, emitted median ${median(mine.slice(-runsPerRound)).toFixed(1)} ms`);
    }
    input.dispose();
    created.dispose();
    session.model.dispose();
    const ratio = median(mine) / median(vitc);
    console.log(`\nvitc bench  median ${median(vitc).toFixed(1)} ms (${vitc.length} passes)`);
    console.log(`emitted     median ${median(mine).toFixed(1)} ms (${mine.length} passes)`);
    console.log(`ratio ${ratio.toFixed(3)}; goal within 1.05×: ${ratio <= 1.05 ? "met" : "MISSED"}`);
    return {
      machine: { cpu: os.cpus()[0]?.model, cores: os.cpus().length, node: process.version },
      date: new Date().toISOString(),
      backend: { name: "wasm", device },
      model: model.name,
      batch: 1,
      vitc_runs_ms: vitc,
      emitted_runs_ms: mine,
      vitc_median_ms: median(vitc),
      emitted_median_ms: median(mine),
      ratio,
      goals: { emittedWithin105x: ratio <= 1.05 },
    };
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}
