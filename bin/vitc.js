#!/usr/bin/env node
// Entry point of the `vitc` command. Runs the CLI that `npm install` / `npm run build` bundled
// into dist/cli/vitc.cjs, with V8's code cache for it (scripts/bundle-cli.mjs says why), or the
// compiled modules themselves (dist/cli/main.js) where there is no bundle.
"use strict";
const fs = require("node:fs");
const path = require("node:path");

const dist = path.join(__dirname, "..", "dist");

/**
 * The bundled CLI's exports and whether V8 used the code cache, or undefined when there is no
 * bundle. VITC_CODE_CACHE=off compiles without the cache (bench/check-speed.mjs compares).
 */
function loadBundle() {
  const file = path.join(dist, "cli", "vitc.cjs");
  let source;
  try {
    source = fs.readFileSync(file, "utf8");
  } catch {
    return undefined;
  }
  const vm = require("node:vm");
  const { createRequire } = require("node:module");
  const cacheFile = `${file}.cache`;
  let cachedData;
  try {
    if (process.env.VITC_CODE_CACHE !== "off") cachedData = fs.readFileSync(cacheFile);
  } catch {
    // No cache: V8 compiles the bundle as it would any module.
  }
  // The same wrapper as Node's CommonJS loader; kept on the first line so line numbers hold.
  const script = new vm.Script(`(function (exports, require, module, __filename, __dirname) {${source}\n})`, { filename: file, cachedData });
  const module = { exports: {} };
  script.runInThisContext()(module.exports, createRequire(file), module, file, path.dirname(file));
  if (process.env.VITC_SAVE_CODE_CACHE) {
    // Saved at exit, when everything this run needed has been compiled (scripts/bundle-cli.mjs).
    process.once("exit", () => {
      const temp = `${cacheFile}.${process.pid}.tmp`;
      fs.writeFileSync(temp, script.createCachedData());
      fs.renameSync(temp, cacheFile);
    });
  }
  return { cli: module.exports, cacheUsed: cachedData !== undefined && !script.cachedDataRejected };
}

if (require.main === module) {
  let cli;
  try {
    cli = loadBundle()?.cli ?? require(path.join(dist, "cli", "main.js"));
  } catch (err) {
    if (err && err.code === "MODULE_NOT_FOUND") {
      process.stderr.write("vitc: the compiled CLI is missing (dist/); run `npm install` or `npm run build` first\n");
      process.exit(2);
    }
    throw err;
  }
  cli.main(process.argv.slice(2)).then((code) => { process.exitCode = code; });
} else {
  module.exports = { loadBundle };
}
