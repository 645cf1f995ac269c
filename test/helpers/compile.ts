// Test helpers that call the compiler's API the way the CLI does.

import * as fs from "node:fs";
import * as path from "node:path";
import { compileSource, type Compilation } from "../../src/pipeline";
import { diskHost, memoryHost } from "../../src/source/host";

export const repoRoot = path.resolve(__dirname, "..", "..");
/** timm's truth, copied into the repository with its provenance (test/fixtures/timm/README.md). */
export const fixturesDir = path.join(repoRoot, "test", "fixtures", "timm");
export const modelTablePath = path.join(repoRoot, "test", "fixtures", "model-table.json");

export function compileFile(file: string): Compilation {
  const text = fs.readFileSync(file, "utf8");
  return compileSource(path.relative(repoRoot, file), text, diskHost());
}

export function compileText(text: string, name = "test.vit"): Compilation {
  return compileSource(name, text, memoryHost({ [name]: text }));
}
