// Test helpers that call the compiler's API the way the CLI does.

import * as fs from "node:fs";
import * as path from "node:path";
import { compileSource, type Compilation } from "../../src/pipeline";
import { diskHost, locateFile, memoryHost, type FileLocation } from "../../src/source/host";

export const repoRoot = path.resolve(__dirname, "..", "..");
/** timm's truth, copied into the repository with its provenance (test/fixtures/timm/README.md). */
export const fixturesDir = path.join(repoRoot, "test", "fixtures", "timm");
export const modelTablePath = path.join(repoRoot, "test", "fixtures", "model-table.json");

/**
 * Compiles a file of the repository as `vitc check` run from the repository's root would: its
 * shown path is relative to the root, and so is the path its modules are resolved from,
 * whatever the working directory.
 */
export function compileFile(file: string): Compilation {
  const text = fs.readFileSync(file, "utf8");
  const locate = (written: string, importer?: FileLocation) => (importer ? locateFile(written, importer) : { shown: written, resolved: path.resolve(repoRoot, written) });
  const host = { ...diskHost(), locate };
  return compileSource(path.relative(repoRoot, file), text, host);
}

export function compileText(text: string, name = "test.vit"): Compilation {
  return compileSource(name, text, memoryHost({ [name]: text }));
}
