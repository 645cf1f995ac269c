// `npm run bench -- onnx`: vitc's ONNX export against timm's own (torch.onnx), all run by the
// same ONNX Runtime in this process with the same options (every graph optimisation, one
// intra-op thread per core), in rounds of one session each that alternate between the graphs, so
// that the shared machine's load falls on all alike and only one session is ever alive.
// ViT-Ti/16, ViT-B/16, Swin-T and MobileViT-S at batch 1 and 8, with seeded weights (speed does
// not depend on the values). vitc's graph is timed twice: as `--backend onnxruntime` runs it (the
// `onnxruntime` op set, with ONNX Runtime's fused Attention) and as `vitc build --emit onnx`
// writes it by default (standard ONNX, for any runtime).
//
// Also: which fusions ONNX Runtime applied to each graph (its optimised model, op by op),
// PyTorch eager on the same machine (from scripts/export-timm-onnx.py), vitc on wasm for ViT-B/16
// at batch 1, and the peak RSS of `vitc run --backend onnxruntime` on ViT-B/16.
//
// timm's exports are made by scripts/export-timm-onnx.py into bench/timm-onnx/ (git-ignored);
// without them only vitc's graph is measured, and the script's usage is printed.

import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const require = createRequire(import.meta.url);
const dist = (p) => require(path.join(root, "dist", p));
const timmDir = path.join(root, "bench", "timm-onnx");

const models = ["vit_tiny_patch16_224", "vit_base_patch16_224", "swin_tiny_patch4_window7_224", "mobilevit_s"];
/**
 * Runs per session and batch; each graph gets `rounds` sessions, so 8x these runs in all. Many
 * short rounds rather than a few long ones: this shared machine has slow spells of a few seconds
 * (20-50% slower), and short rounds spread them over all the graphs instead of one.
 */
const batches = [{ batch: 1, runs: 3 }, { batch: 8, runs: 2 }];
const rounds = 8;

function median(values) {
  const s = [...values].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

function compile(name) {
  const { compileFile } = dist("index.js");
  const compiled = compileFile(path.join(root, "specs", `${name}.vit`));
  if (compiled.diagnostics.length) throw new Error(`specs/${name}.vit has diagnostics`);
  return compiled.models[0];
}

/** Op types of the graph ONNX Runtime runs after its optimisations, with their counts. */
async function optimisedOps(ort, model, options) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "vitc-ort-opt-"));
  try {
    const file = path.join(dir, "optimised.onnx");
    // Severity 3: ORT warns that a model optimised at level "all" suits only this machine, which is the point here.
    const session = await ort.InferenceSession.create(model, { ...options, optimizedModelFilePath: file, logSeverityLevel: 3 });
    await session.release();
    const { onnx } = require("onnx-proto");
    const decoded = onnx.ModelProto.decode(fs.readFileSync(file));
    const counts = {};
    for (const n of decoded.graph.node) {
      const op = n.domain ? `${n.domain.replace(/^com\.microsoft(\.nchwc)?$/, (d) => (d.endsWith("nchwc") ? "nchwc" : "ms"))}.${n.opType}` : n.opType;
      counts[op] = (counts[op] ?? 0) + 1;
    }
    return counts;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

function formatOps(counts) {
  return Object.entries(counts).sort((a, b) => b[1] - a[1]).map(([op, n]) => `${op} ${n}`).join(", ");
}

/** Peak RSS (bytes) of a vitc command, read by the child itself at exit. */
function peakRss(args) {
  const probe = path.join(root, "bench", "max-rss.cjs");
  const r = spawnSync(process.execPath, ["-r", probe, path.join(root, "bin", "vitc.js"), ...args], { cwd: root, encoding: "utf8", maxBuffer: 1 << 26 });
  const match = /maxrss-kib (\d+)/.exec(r.stderr);
  if (r.status !== 0 || !match) throw new Error(`vitc ${args.join(" ")} failed: ${r.stderr}`);
  return Number(match[1]) * 1024;
}

export async function onnxSpeed() {
  const ort = require("onnxruntime-node");
  const { exportOnnx } = dist("backends/onnx/export-model.js");
  const { threadCount } = dist("backends/onnx/load-runtime.js");
  const { initialWeights } = dist("weights/bind.js");
  const { initialValues } = dist("weights/init.js");
  const threads = threadCount();
  const options = { graphOptimizationLevel: "all", intraOpNumThreads: threads, interOpNumThreads: 1, executionProviders: ["cpu"] };
  const haveTimm = models.every((m) => fs.existsSync(path.join(timmDir, `${m}.onnx`)));
  if (!haveTimm) {
    console.log("timm's exports are missing from bench/timm-onnx/: only vitc's graph is timed. Make them with");
    console.log("  PYTHONPATH=<timm 0.9.16 source> /usr/bin/python3 scripts/export-timm-onnx.py   (python3-torch 1.13; see its header)\n");
  }
  console.log(`onnxruntime ${ort.env.versions.node}, CPU provider, ${threads} intra-op threads, graph optimisation "all"\n`);
  const rows = [];
  const fusions = {};
  for (const name of models) {
    const compiled = compile(name);
    const exported = (ops) => exportOnnx(compiled.checked, initialWeights(0), { version: "bench", ops }).model;
    const timmFile = path.join(timmDir, `${name}.onnx`);
    const graphs = { vitc: exported("onnxruntime"), vitc_standard: exported("standard"), ...(fs.existsSync(timmFile) ? { timm: timmFile } : {}) };
    fusions[name] = {};
    for (const [who, model] of Object.entries(graphs)) fusions[name][who] = await optimisedOps(ort, model, options);
    const dims = compiled.checked.nodes[0].shape.dims;
    const feeds = batches.map(({ batch }) => ({ input: new ort.Tensor("float32", initialValues({ kind: "normal", std: 1 }, batch * dims.reduce((a, b) => a * b, 1), 0, "input"), [batch, ...dims]) }));
    /** times[batch][graph][round]: the runs of one session. */
    const times = batches.map(() => Object.fromEntries(Object.keys(graphs).map((who) => [who, []])));
    for (let round = 0; round < rounds; round++) {
      // One session alive at a time: an idle session's thread pool keeps spinning for a while after
      // a run, and on a 2-core machine it would slow whichever graph ran next. Each round rotates
      // which graph goes first, so that none always meets the warmer cache or the busier machine.
      const names = Object.keys(graphs);
      const order = names.map((_, i) => names[(i + round) % names.length]);
      for (const who of order) {
        const session = await ort.InferenceSession.create(graphs[who], options);
        for (const [b, { runs }] of batches.entries()) {
          await session.run(feeds[b], ["logits"]); // warm-up
          const session_ms = [];
          for (let i = 0; i < runs; i++) {
            const start = performance.now();
            await session.run(feeds[b], ["logits"]);
            session_ms.push(performance.now() - start);
          }
          times[b][who].push(session_ms);
        }
        await session.release();
      }
    }
    for (const [b, { batch }] of batches.entries()) {
      const t = times[b];
      // Paired: each round's ratio of session medians, sessions seconds apart, then the median
      // over rounds, so that a slow spell of the machine falls on both sides of a ratio.
      const paired = (who) => (t.timm ? median(t[who].map((runs, r) => median(runs) / median(t.timm[r]))) : undefined);
      const row = {
        model: name, batch, vitc_ms: median(t.vitc.flat()), vitc_standard_ms: median(t.vitc_standard.flat()), timm_ms: t.timm ? median(t.timm.flat()) : undefined,
        vitc_over_timm: paired("vitc"), standard_over_timm: paired("vitc_standard"), runs_ms: t,
      };
      rows.push(row);
      const ratio = (r) => (r === undefined ? "" : ` (${r.toFixed(2)}x)`);
      console.log(`  ${name} batch ${batch}: vitc ${row.vitc_ms.toFixed(1)} ms${ratio(row.vitc_over_timm)}, standard ops ${row.vitc_standard_ms.toFixed(1)} ms${ratio(row.standard_over_timm)}${row.timm_ms ? `, timm ${row.timm_ms.toFixed(1)} ms` : ""}`);
    }
  }

  // PyTorch eager, timed by scripts/export-timm-onnx.py on this machine.
  const eagerFile = path.join(timmDir, "pytorch-eager.json");
  const eager = fs.existsSync(eagerFile) ? JSON.parse(fs.readFileSync(eagerFile, "utf8")) : undefined;
  for (const row of rows) {
    const runs = eager?.runs_ms?.[`${row.model}@${row.batch}`];
    row.pytorch_ms = runs ? median(runs) : undefined;
  }

  // vitc on wasm, ViT-B/16 at batch 1: the speed ONNX Runtime replaces.
  const { openRunner } = dist("backends/runner.js");
  const { benchRunner } = dist("cli/run.js");
  const vitB = compile("vit_base_patch16_224");
  const wasm = await openRunner(vitB.checked, vitB.name, { backend: "wasm", weights: initialWeights(0), batch: 1 });
  const wasmMs = (await benchRunner(wasm, vitB, { batch: 1, runs: 3, seed: 0 }, {})).median_ms;
  await wasm.dispose();

  // Peak RSS of a whole `vitc run` on ViT-B/16, against its weights.
  const weightBytes = 4 * Number(dist("reports/summary.js").summarize(vitB).params);
  const rss = peakRss(["run", "specs/vit_base_patch16_224.vit", "--backend", "onnxruntime"]);

  console.log("\nvitc: the graph `--backend onnxruntime` runs; standard: `vitc build --emit onnx`'s default.");
  console.log("ms: medians of all runs; ratios: medians over rounds of each round's ratio (paired)");
  console.log("model                          batch   vitc ms   timm ms   vitc/timm   standard/timm   PyTorch eager ms");
  for (const r of rows) {
    const ratio = (x) => x?.toFixed(2) ?? "";
    console.log(`${r.model.padEnd(30)} ${String(r.batch).padStart(5)} ${r.vitc_ms.toFixed(1).padStart(9)} ${(r.timm_ms?.toFixed(1) ?? "").padStart(9)} ${ratio(r.vitc_over_timm).padStart(11)} ${ratio(r.standard_over_timm).padStart(15)} ${(r.pytorch_ms?.toFixed(1) ?? "").padStart(18)}`);
  }
  const vitB1 = rows.find((r) => r.model === "vit_base_patch16_224" && r.batch === 1);
  console.log(`\nvit_base_patch16_224 batch 1 on wasm: ${wasmMs.toFixed(1)} ms, ${(wasmMs / vitB1.vitc_ms).toFixed(1)}x onnxruntime`);
  console.log(`peak RSS of \`vitc run --backend onnxruntime\` on vit_base_patch16_224: ${(rss / 2 ** 20).toFixed(0)} MiB, ${(rss / weightBytes).toFixed(2)}x its ${(weightBytes / 2 ** 20).toFixed(0)} MiB of weights`);
  console.log("\nops after ONNX Runtime's optimisations (ms. = com.microsoft fused kernels, nchwc. = its NCHWc layout):");
  for (const [name, byWho] of Object.entries(fusions)) for (const [who, counts] of Object.entries(byWho)) console.log(`  ${name} ${who}: ${formatOps(counts)}`);

  const goals = {
    notSlowerThanTimmExport: rows.every((r) => r.vitc_over_timm === undefined || r.vitc_over_timm <= 1),
    fasterThanPytorchEager: rows.every((r) => r.pytorch_ms === undefined || r.vitc_ms < r.pytorch_ms),
    vitBase10xWasm: wasmMs / vitB1.vitc_ms >= 10,
    peakRssWithin2_5xWeights: rss <= 2.5 * weightBytes,
  };
  console.log("\ngoals:", JSON.stringify(goals));
  return { onnxruntime: ort.env.versions.node, threads, rows, fusions, wasm_vit_base_batch1_ms: wasmMs, peak_rss_bytes: rss, weight_bytes: weightBytes, pytorch: eager && { torch: eager.torch, timm: eager.timm, threads: eager.threads }, goals };
}
