#!/usr/bin/env node
// Entry point of the `vitc` command: runs the compiled CLI in dist/ (built by `npm install`).
"use strict";
const path = require("node:path");
let main;
try {
  ({ main } = require(path.join(__dirname, "..", "dist", "cli", "main.js")));
} catch (err) {
  if (err && err.code === "MODULE_NOT_FOUND") {
    process.stderr.write("vitc: the compiled CLI is missing (dist/); run `npm install` or `npm run build` first\n");
    process.exit(2);
  }
  throw err;
}
main(process.argv.slice(2)).then((code) => { process.exitCode = code; });
