// Regenerates generated/: the emitted TypeScript modules of the standard specs that the README
// and the tests use (`npm run generate`). test/backends/typescript/generated.test.ts fails when
// a file here is stale, so changes to the emitter show in review as changes of these files.

import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
/** The specs whose modules generated/ holds: scripts/generated-specs.json, which the test reads too. */
export const generatedSpecs = JSON.parse(fs.readFileSync(path.join(root, "scripts", "generated-specs.json"), "utf8"));

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const out = process.argv[2] ?? "generated";
  for (const spec of generatedSpecs) {
    execFileSync(process.execPath, [path.join(root, "bin", "vitc.js"), "build", spec, "--emit", "ts", "-o", out], { cwd: root, stdio: "inherit" });
  }
}
