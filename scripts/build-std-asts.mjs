// Saves the parsed ASTs of the standard library to dist/std-asts.json (run by `npm run build`
// after tsc): parsing specs/std/*.vit cold costs `vitc check` ~100 ms of JIT warm-up, reading
// the saved ASTs ~2 ms. Each entry keeps the module's text; at run time an entry is used only
// when the text still matches, so a stale file is ignored, never wrong.

import * as fs from "node:fs";
import * as path from "node:path";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const require = createRequire(import.meta.url);
const { loadProgram, stdModules, isStdPath } = require(path.join(root, "dist/elaborate/program.js"));
const { memoryHost, prebuiltStdAstsPath } = require(path.join(root, "dist/source/host.js"));

const entry = stdModules.map((m) => `use std.${m}`).join("\n");
const host = { ...memoryHost({ "entry.vit": entry }), prebuiltStdAst: undefined };
const { program, diagnostics } = loadProgram("entry.vit", entry, host);
if (diagnostics.length > 0) {
  console.error(`the standard library has diagnostics: ${diagnostics.map((d) => `${d.code} ${d.message}`).join("; ")}`);
  process.exit(1);
}
const saved = {};
for (const [id, ast] of program.asts) {
  const file = program.files.get(id);
  if (!isStdPath(file.path)) continue;
  saved[path.basename(file.path, ".vit")] = { text: file.text, ast };
}
const out = prebuiltStdAstsPath();
fs.writeFileSync(`${out}.tmp`, JSON.stringify(saved));
fs.renameSync(`${out}.tmp`, out);
