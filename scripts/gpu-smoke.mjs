// The GPU smoke test of the team notes (shared/notes/gpu-backends.md), for a lent NVIDIA machine: which adapter
// Dawn finds, timm parity of the fixtures on webgpu, and ViT-B/16 timings at batch 1 and 32.
// Runs from the bundle that scripts/make-gpu-carry.sh stages (dist/, node_modules/, specs/,
// test/parity/, fixtures/); prints a report and writes it to $OUT/gpu-smoke.json when set.
//   node scripts/gpu-smoke.mjs

import * as fs from "node:fs";
import * as path from "node:path";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const require = createRequire(import.meta.url);
const dist = (p) => require(path.join(root, "dist", p));
const { loadBackend, readTensor } = dist("backends/tfjs/load-backend.js");
const { TfjsModel } = dist("backends/tfjs/model.js");
const { compileSource } = dist("pipeline.js");
const { diskHost } = dist("source/host.js");
const { moduleOutputNode } = dist("ir/graph.js");
const { checkWeightFile, expectedTensors, fileWeights } = dist("weights/bind.js");
const { openSafetensors } = dist("weights/safetensors.js");
const { benchModel } = dist("cli/run.js");

function compile(file) {
  const c = compileSource(file, fs.readFileSync(path.join(root, file), "utf8"), diskHost());
  if (c.diagnostics.length) throw new Error(`${file} does not compile`);
  return c.models[0];
}

const report = { date: new Date().toISOString(), parity: [], timings: [] };
const backend = await loadBackend("webgpu");
report.device = backend.device;
console.log(`${backend.device} (gpu: ${backend.gpu})`);
const { tf } = backend;

// Parity: every case with a spec in test/parity and its data in fixtures/ or test/parity/extra/.
const casesIn = (dir) => fs.readdirSync(path.join(root, dir)).filter((n) => fs.existsSync(path.join(root, dir, n, "config.json"))).map((n) => [n, path.join(root, dir, n)]);
const caseDirs = [...casesIn("fixtures"), ...casesIn("test/parity/extra")];
for (const [name, dir] of caseDirs) {
  const compiled = compile(`test/parity/${name}.vit`);
  const config = JSON.parse(fs.readFileSync(path.join(dir, "config.json"), "utf8"));
  const weights = openSafetensors(path.join(dir, "weights.safetensors"));
  checkWeightFile(expectedTensors(compiled.checked), weights, name);
  const model = TfjsModel.load(tf, compiled.checked, fileWeights(weights));
  weights.close();
  const inputs = openSafetensors(path.join(dir, "input.safetensors"));
  const input = tf.tensor(inputs.read("input"), inputs.tensors.get("input").shape);
  const expected = openSafetensors(path.join(dir, "output.safetensors"));
  const acts = Object.keys(config.output.tensors).filter((t) => t.startsWith("act."))
    .map((t) => ({ t, node: moduleOutputNode(compiled.checked.graph, t.slice(4) === "pos_drop" ? "pos_embed" : t.slice(4)) }));
  const result = model.forward(input, { capture: acts.map((a) => a.node) });
  let worst = { ratio: 0 };
  for (const [t, value] of [...acts.map((a) => [a.t, result.captured.get(a.node)]), ...["features", "pre_logits", "logits"].map((t) => [t, result.outputs[t]])]) {
    const got = await readTensor(value);
    const want = expected.read(t);
    let diff = 0;
    for (let i = 0; i < want.length; i++) diff = Math.max(diff, Math.abs(got[i] - want[i]));
    const { suggested_atol: atol, loose_atol: loose } = config.output.tensors[t];
    if (diff / atol > worst.ratio) worst = { tensor: t, diff, atol, loose, ratio: diff / atol };
  }
  const row = { case: name, worst: worst.tensor, maxAbsDiff: worst.diff, suggestedAtol: worst.atol, looseAtol: worst.loose, withinSuggested: worst.diff <= worst.atol, withinLoose: worst.diff <= worst.loose };
  report.parity.push(row);
  console.log(`${name.padEnd(22)} worst ${String(worst.tensor).padEnd(34)} ${worst.diff.toExponential(2)} (suggested ${worst.atol}, loose ${worst.loose}) ${row.withinLoose ? "ok" : "FAIL"}`);
  for (const t of new Set([...Object.values(result.outputs), ...result.captured.values()])) t.dispose();
  input.dispose();
  expected.close();
  inputs.close();
  model.dispose();
}

const vitB = compile("specs/vit_base_patch16_224.vit");
// VITC_SMOKE_BATCHES="" skips the timings (a dry run on llvmpipe would take hours).
const batches = (process.env.VITC_SMOKE_BATCHES ?? "1,32").split(",").filter(Boolean).map(Number);
for (const batch of batches) {
  const r = await benchModel(vitB, { backend: "webgpu", seed: 0, batch, runs: 5 }, { out() {} });
  report.timings.push(r);
  console.log(`vit_base_patch16_224 batch ${batch}: median ${r.median_ms} ms (${(r.median_ms / batch).toFixed(1)} ms/image), runs ${r.runs_ms.join(", ")}`);
}
if (process.env.OUT) fs.writeFileSync(path.join(process.env.OUT, "gpu-smoke.json"), `${JSON.stringify(report, null, 2)}\n`);
