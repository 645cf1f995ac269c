// `npm run bench`: how much time `vitc check` adds to Node's own start-up, on this machine.
// Goal: checking all standard specs in one process adds less than half of Node's start-up time,
// i.e. (b) − (a) < 0.5 × (a). Measures the compiled CLI in dist/ (run `npm run build` first):
//   (a) bare Node start-up: `node -e 0`
//   (b) `node bin/vitc.js check specs/*.vit`, all standard specs in one process, with and
//       without the bundle's code cache
//   (c) each spec's compileSource time in-process, after a warm-up
//   (d) what loading the compiler costs: require times of its modules, and the first compile
//       (which parses the standard library) against a warm one
// Prints a table and the verdict; bench/run.mjs writes bench/results/check-speed.json.

import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import { createRequire } from "node:module";
import * as os from "node:os";
import * as path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const require = createRequire(import.meta.url);
const node = process.execPath;

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const ms = (x) => `${x.toFixed(1)} ms`;

/** Wall time of a child process in milliseconds; fails loudly if it does. */
function timeProcess(args, env = {}) {
  const start = process.hrtime.bigint();
  const result = spawnSync(node, args, { cwd: root, encoding: "utf8", env: { ...process.env, ...env } });
  const elapsed = Number(process.hrtime.bigint() - start) / 1e6;
  if (result.status !== 0) throw new Error(`\`node ${args.join(" ")}\` exited with ${result.status}:\n${result.stderr}`);
  return elapsed;
}

/** Runs a snippet in a fresh Node and returns the JSON it prints. */
function inFreshNode(code, env = {}) {
  const result = spawnSync(node, ["-e", code], { cwd: root, encoding: "utf8", env: { ...process.env, ...env } });
  if (result.status !== 0) throw new Error(`a measuring child failed:\n${result.stderr}`);
  return JSON.parse(result.stdout);
}

function checkDist() {
  const entry = path.join(root, "dist", "cli", "main.js");
  if (!fs.existsSync(entry)) throw new Error("dist/ is missing: run `npm run build` first");
  const newest = (dir) => fs.readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile()).map((e) => fs.statSync(path.join(e.parentPath ?? e.path, e.name)).mtimeMs).reduce((a, b) => Math.max(a, b), 0);
  if (newest(path.join(root, "src")) > newest(path.join(root, "dist"))) console.warn("warning: src/ is newer than dist/: run `npm run build` to measure the current code\n");
}

export function checkSpeed() {
  checkDist();
  const specs = fs.readdirSync(path.join(root, "specs")).filter((f) => f.endsWith(".vit")).sort().map((f) => `specs/${f}`);

  // (a) and (b), interleaved so that drifts in machine load hit both alike.
  const nodeRuns = [];
  const checkRuns = [];
  const uncachedRuns = [];
  const noCache = { VITC_CODE_CACHE: "off" };
  timeProcess(["-e", "0"]); // Warms the file cache.
  timeProcess(["bin/vitc.js", "check", ...specs]);
  for (let i = 0; i < 15; i++) {
    nodeRuns.push(timeProcess(["-e", "0"]));
    if (i < 10) checkRuns.push(timeProcess(["bin/vitc.js", "check", ...specs]));
    if (i < 10) uncachedRuns.push(timeProcess(["bin/vitc.js", "check", ...specs], noCache));
  }
  const nodeStart = median(nodeRuns);
  const checkAll = median(checkRuns);
  const checkUncached = median(uncachedRuns);

  // (c) Per spec, in-process, after a warm-up pass over all of them.
  const { compileSource } = require(path.join(root, "dist", "pipeline.js"));
  const { diskHost } = require(path.join(root, "dist", "source", "host.js"));
  const host = diskHost();
  const texts = new Map(specs.map((s) => [s, fs.readFileSync(path.join(root, s), "utf8")]));
  for (const s of specs) compileSource(s, texts.get(s), host);
  const perSpec = specs.map((s) => {
    const runs = [];
    for (let i = 0; i < 7; i++) {
      const start = process.hrtime.bigint();
      const c = compileSource(s, texts.get(s), host);
      runs.push(Number(process.hrtime.bigint() - start) / 1e6);
      if (c.diagnostics.some((d) => d.severity === "error")) throw new Error(`${s} has errors`);
    }
    return { spec: s, ms: median(runs) };
  });

  // (d) Loading, each in a fresh process: the bundle bin/vitc.js runs (with and without its code
  // cache); then the modules of dist/ one by one, cumulative require times in load order; then
  // the first compile (parses the standard library) and a second one; then a first and a second
  // pass over all specs (the first runs cold code).
  const loadRuns = [];
  let cacheUsed = true;
  for (let i = 0; i < 10; i++) {
    const bundle = (env) => inFreshNode(`
      const t = Number(process.hrtime.bigint()) / 1e6;
      const { cacheUsed } = require("./bin/vitc.js").loadBundle();
      process.stdout.write(JSON.stringify({ ms: Number(process.hrtime.bigint()) / 1e6 - t, cacheUsed }));`, env);
    const cached = bundle({});
    cacheUsed &&= cached.cacheUsed;
    loadRuns.push({ "bundle, with code cache": cached.ms, "bundle, without": bundle(noCache).ms, ...inFreshNode(`
      const t = () => Number(process.hrtime.bigint()) / 1e6;
      const out = {}; let last = t(); const start = last;
      for (const [name, mod] of [["chevrotain bundle", "./node_modules/chevrotain/lib/chevrotain.min.mjs"], ["syntax/tokens (lexer)", "./dist/syntax/tokens.js"],
        ["syntax/parser (self-analysis)", "./dist/syntax/parser.js"], ["pipeline (elaborate, ops, shapes)", "./dist/pipeline.js"], ["cli/main (renderers, reports)", "./dist/cli/main.js"]]) {
        require(mod); const now = t(); out[name] = now - last; last = now;
      }
      out["all modules"] = last - start;
      const { compileSource } = require("./dist/pipeline.js"); const { diskHost } = require("./dist/source/host.js");
      const text = require("fs").readFileSync("specs/vit_base_patch16_224.vit", "utf8");
      let s = t(); compileSource("specs/vit_base_patch16_224.vit", text, diskHost()); out["first compile (vit_base)"] = t() - s;
      s = t(); compileSource("specs/vit_base_patch16_224.vit", text, diskHost()); out["second compile (vit_base)"] = t() - s;
      const specs = ${JSON.stringify(specs)}.map((f) => [f, require("fs").readFileSync(f, "utf8")]);
      for (const pass of ["first", "second"]) {
        s = t(); for (const [f, text] of specs) compileSource(f, text, diskHost()); out[\`\${pass} pass over all specs\`] = t() - s;
      }
      process.stdout.write(JSON.stringify(out));`) });
  }
  const load = Object.fromEntries(Object.keys(loadRuns[0]).map((k) => [k, median(loadRuns.map((r) => r[k]))]));

  const added = checkAll - nodeStart;
  const budget = 0.5 * nodeStart;
  const met = added < budget;
  const sumPerSpec = perSpec.reduce((a, r) => a + r.ms, 0);

  console.log(`check-speed on ${os.cpus()[0]?.model ?? "unknown CPU"} (${os.cpus().length} cores), Node ${process.version}\n`);
  console.log(`(a) node -e 0                           ${ms(nodeStart).padStart(10)}   median of ${nodeRuns.length}`);
  console.log(`(b) vitc check, ${specs.length} specs in one process ${ms(checkAll).padStart(10)}   median of ${checkRuns.length}`);
  console.log(`    added by vitc: (b) − (a)            ${ms(added).padStart(10)}   goal < ${ms(budget)} (half of (a))`);
  console.log(`    (b) without the code cache          ${ms(checkUncached).padStart(10)}   median of ${uncachedRuns.length}${cacheUsed ? "" : "   (V8 REJECTED the code cache)"}`);
  console.log(`\n(c) compileSource per spec, warm, median of 7`);
  for (const r of perSpec) console.log(`    ${r.spec.padEnd(46)} ${ms(r.ms).padStart(10)}`);
  console.log(`    ${"sum".padEnd(46)} ${ms(sumPerSpec).padStart(10)}`);
  console.log(`\n(d) loading, in a fresh process, median of ${loadRuns.length}`);
  for (const [k, v] of Object.entries(load)) console.log(`    ${k.padEnd(46)} ${ms(v).padStart(10)}`);
  console.log(`\nverdict: checking all specs adds ${ms(added)} to Node's ${ms(nodeStart)} start-up: ${met ? "goal met" : "goal MISSED"} (budget ${ms(budget)})`);

  return {
    machine: { cpu: os.cpus()[0]?.model, cores: os.cpus().length, node: process.version, platform: process.platform },
    date: new Date().toISOString(),
    nodeStartMs: { median: nodeStart, runs: nodeRuns },
    checkAllSpecsMs: { median: checkAll, runs: checkRuns, specs: specs.length },
    checkAllSpecsWithoutCodeCacheMs: { median: checkUncached, runs: uncachedRuns },
    codeCacheUsed: cacheUsed,
    addedMs: added, budgetMs: budget, goalMet: met,
    perSpecMs: Object.fromEntries(perSpec.map((r) => [r.spec, r.ms])),
    loadMs: load,
  };
}
