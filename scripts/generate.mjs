// Regenerates generated/: the emitted TypeScript modules of the standard specs that the README
// and the tests use (`npm run generate`). test/backends/typescript/generated.test.ts fails when
// a file here is stale, so changes to the emitter show in review as changes of these files.

import { execFileSync } from "node:child_process";
import * as path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
export const generatedSpecs = [
  "specs/vit_base_patch16_224.vit",
  "specs/swin_tiny_patch4_window7_224.vit",
  "specs/mobilevit_s.vit",
  "test/parity/vit_tiny.vit",
  "test/parity/swin_tiny.vit",
  "test/parity/mobilevit_tiny.vit",
];

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const out = process.argv[2] ?? "generated";
  for (const spec of generatedSpecs) {
    execFileSync(process.execPath, [path.join(root, "bin", "vitc.js"), "build", spec, "--emit", "ts", "-o", out], { cwd: root, stdio: "inherit" });
  }
}
