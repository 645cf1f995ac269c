// vitc's version, as package.json says it (printed by `vitc --version`, written into ONNX
// metadata and emitted modules).

import * as fs from "node:fs";
import * as path from "node:path";

let version: string | undefined;

/** The package's version, read from package.json beside dist/ (the CLI's bundle sits in dist/cli). */
export function packageVersion(): string {
  if (version === undefined) {
    try {
      version = (JSON.parse(fs.readFileSync(path.join(__dirname, "..", "..", "package.json"), "utf8")) as { version: string }).version;
    } catch {
      version = "(unknown version)";
    }
  }
  return version;
}
