// Bundles the compiled CLI into one file, dist/cli/vitc.cjs, and saves V8's code cache for it
// (run by `npm run build` after tsc). Why: a cold `vitc check` spends much of its time parsing
// and compiling JavaScript: ~30 modules of our own plus Chevrotain's bundle, each function
// compiled lazily the first time it runs. One file loaded through `vm.Script` with a code cache
// made after a real run skips that work (bin/vitc.js does the loading; numbers in
// bench/check-speed.mjs). The model runner is in the bundle too, but runs only for `run` and
// `bench`; the packages it loads (tfjs, the image decoders) stay outside.
//
// The cache is made by running the bundle on every standard spec and on a spec with errors, so
// that the functions a check needs are compiled when V8 serialises them. V8 rejects a cache made
// by another Node version or with other flags; bin/vitc.js then compiles as usual.

import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import { build } from "rolldown";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const require = createRequire(import.meta.url);
const cliDir = path.join(root, "dist", "cli");
const bundle = path.join(cliDir, "vitc.cjs");

// src/syntax/chevrotain.ts finds Chevrotain's single-file build at run time (the package's
// exports map does not name it), which a bundler cannot follow: point it there statically.
const chevrotainBundle = path.join(path.dirname(require.resolve("chevrotain")), "..", "chevrotain.min.mjs");
/** A package name (`@tensorflow/tfjs-core`, `pngjs/lib/x`), not a relative or absolute path. */
const isBare = (id) => !id.startsWith(".") && !path.isAbsolute(id) && !id.startsWith("\0");

const chevrotainShim = {
  name: "vitc-chevrotain",
  load(id) {
    if (id === path.join(root, "dist", "syntax", "chevrotain.js")) return `module.exports = require(${JSON.stringify(chevrotainBundle)});`;
    return null;
  },
};

const temp = `${bundle}.${process.pid}.tmp`;
await build({
  input: path.join(cliDir, "main.js"),
  platform: "node",
  // All of vitc's own code is in the bundle, the runner too: a class in two copies (one bundled,
  // one loaded beside it) made `instanceof ToolError` fail and every `run` error an internal
  // error. The runner's modules still run only when `run` or `bench` first needs them (each
  // CommonJS module is wrapped to run on its first require). Packages other than Chevrotain stay
  // outside: tfjs finds its .wasm files beside its own files, and `check` never loads them.
  external: (id) => id.startsWith("node:") || (isBare(id) && !id.startsWith("chevrotain")),
  plugins: [chevrotainShim],
  logLevel: "warn",
  output: { file: temp, format: "cjs", codeSplitting: false },
});
fs.renameSync(temp, bundle);

// Run the bundle the way users do, asking bin/vitc.js to save the code cache at exit: one check
// of every standard spec and of the diagnostic test cases (so that rendering errors is compiled
// too). V8 saves only what that process compiled.
const specFiles = (dir) => (fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => f.endsWith(".vit")).sort().map((f) => path.join(dir, f)) : []);
const cacheFile = `${bundle}.cache`;
fs.rmSync(cacheFile, { force: true });
const args = ["check", ...specFiles(path.join(root, "specs")), ...specFiles(path.join(root, "test", "diagnostics", "cases"))];
const result = spawnSync(process.execPath, [path.join(root, "bin", "vitc.js"), ...args], {
  cwd: root,
  encoding: "utf8",
  env: { ...process.env, VITC_SAVE_CODE_CACHE: "1" },
});
if ((result.status !== 0 && result.status !== 1) || !fs.existsSync(cacheFile)) {
  console.error(`bundle-cli: warming up the bundle failed (exit ${result.status}, cache ${fs.existsSync(cacheFile) ? "written" : "missing"}):\n${result.stderr}`);
  process.exit(1);
}
