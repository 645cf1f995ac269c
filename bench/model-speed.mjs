// Model speed on tfjs-wasm, the embedded default backend. For ViT-Ti/16, ViT-B/16, Swin-T and
// MobileViT-S at batch 1 and 8: the median forward time (logits read back) against a floor of
// FLOPs ÷ the matMul ceiling, where the ceiling is a plain 1024×1024 matMul timed on the same
// backend in the same run; achieved GFLOP/s; and the peak of tensor memory during one forward.
// Goals (issue 4): ViT-B/16 at batch 1 within 1.15× of its floor; per-image time at batch 8
// no worse than at batch 1; peak tensor memory at batch 1 below weights + 150 MiB.

import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const require = createRequire(import.meta.url);
const dist = (p) => require(path.join(root, "dist", p));

const models = ["vit_tiny_patch16_224", "vit_base_patch16_224", "swin_tiny_patch4_window7_224", "mobilevit_s"];
const batches = [{ batch: 1, runs: 5 }, { batch: 8, runs: 3 }];
const MiB = 1048576;

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/** The fastest of 10 timed 1024×1024 matMuls (after 3 warm-ups): a ceiling is a best case. */
async function matMulCeiling(tf) {
  const a = tf.randomNormal([1024, 1024]);
  const b = tf.randomNormal([1024, 1024]);
  const runs = [];
  for (let i = 0; i < 13; i++) {
    const start = performance.now();
    const c = tf.matMul(a, b);
    await c.data();
    c.dispose();
    if (i >= 3) runs.push(performance.now() - start);
  }
  a.dispose();
  b.dispose();
  const ms = Math.min(...runs);
  return { ms, median_ms: median(runs), gflops: (2 * 1024 ** 3) / (ms * 1e6) };
}

function compile(name) {
  const { compileSource } = dist("pipeline.js");
  const { diskHost } = dist("source/host.js");
  const file = path.join("specs", `${name}.vit`);
  const c = compileSource(file, fs.readFileSync(path.join(root, file), "utf8"), diskHost());
  if (c.diagnostics.length || !c.models.length) throw new Error(`${file} does not compile`);
  return c.models[0];
}

/** Peak engine bytes (weights included) during one forward at batch 1. */
async function peakMemory(ready) {
  const { tf } = ready.backend;
  const input = tf.randomNormal([1, ...ready.inputDims]);
  let outputs;
  const info = await tf.profile(() => {
    outputs = ready.model.forward(input).outputs;
    return outputs.logits;
  });
  for (const t of Object.values(outputs)) t.dispose();
  input.dispose();
  return { peakMiB: info.peakBytes / MiB, weightsMiB: ready.model.weightBytes / MiB };
}

export async function modelSpeed() {
  const { loadBackend } = dist("backends/tfjs/load-backend.js");
  const { benchRunner } = dist("cli/run.js");
  const { openRunner } = dist("backends/runner.js");
  const { initialWeights } = dist("weights/bind.js");
  const { summarize } = dist("reports/summary.js");
  const { tf, device } = await loadBackend("wasm");
  // Measured before and after the models; the better of the two is the ceiling.
  const before = await matMulCeiling(tf);
  console.log(`backend ${device}; 1024×1024 matMul before the models: ${before.ms.toFixed(1)} ms = ${before.gflops.toFixed(1)} GFLOP/s\n`);
  const measured = [];
  for (const name of models) {
    const compiled = compile(name);
    const macs = Number(summarize(compiled).macs); // exact as a bigint; a double is close enough for GFLOP/s
    // Loaded (weights initialised) once, for the memory pass and every batch size.
    const ready = await openRunner(compiled.checked, name, { backend: "wasm", weights: initialWeights(0), batch: Math.max(...batches.map((b) => b.batch)) });
    try {
      const memory = await peakMemory(ready.tfjs);
      for (const { batch, runs } of batches) {
        const r = await benchRunner(ready, compiled, { seed: 0, batch, runs }, {});
        measured.push({ model: name, batch, macs, runs_ms: r.runs_ms, median_ms: r.median_ms, memory: batch === 1 ? memory : undefined });
        console.log(`  ${name} batch ${batch}: median ${r.median_ms.toFixed(1)} ms`);
      }
    } finally {
      await ready.dispose();
    }
  }
  const after = await matMulCeiling(tf);
  const ceiling = after.gflops > before.gflops ? after : before;
  console.log(`\n1024×1024 matMul after the models: ${after.ms.toFixed(1)} ms; ceiling ${ceiling.gflops.toFixed(1)} GFLOP/s\n`);
  console.log("model                          batch   median ms   ms/image   GFLOP/s   × floor   peak MiB (weights)");
  const rows = measured.map((m) => {
    const flops = 2 * m.macs * m.batch;
    const floorMs = flops / (ceiling.gflops * 1e6);
    const row = { ...m, ms_per_image: m.median_ms / m.batch, gflops: flops / (m.median_ms * 1e6), floor_ms: floorMs, times_floor: m.median_ms / floorMs };
    const mem = m.memory ? `${m.memory.peakMiB.toFixed(1)} (${m.memory.weightsMiB.toFixed(1)})` : "";
    console.log(`${m.model.padEnd(30)} ${String(m.batch).padStart(5)} ${row.median_ms.toFixed(1).padStart(11)} ${row.ms_per_image.toFixed(1).padStart(10)} ${row.gflops.toFixed(1).padStart(9)} ${row.times_floor.toFixed(2).padStart(9)}   ${mem}`);
    return row;
  });
  const vitB = rows.filter((r) => r.model === "vit_base_patch16_224");
  const goals = {
    vitBaseWithin115xFloor: vitB[0].times_floor <= 1.15,
    batch8PerImageNoWorse: models.every((m) => {
      const [one, eight] = rows.filter((r) => r.model === m);
      return eight.ms_per_image <= one.ms_per_image;
    }),
    peakBelowWeightsPlus150MiB: rows.filter((r) => r.memory).every((r) => r.memory.peakMiB < r.memory.weightsMiB + 150),
  };
  console.log(`\ngoals: ${Object.entries(goals).map(([k, v]) => `${k} ${v ? "met" : "MISSED"}`).join("; ")}`);
  return {
    machine: { cpu: os.cpus()[0]?.model, cores: os.cpus().length, node: process.version },
    date: new Date().toISOString(),
    backend: { name: "wasm", device },
    matMulCeiling: { before, after, gflops: ceiling.gflops },
    rows,
    goals,
  };
}
