// vitest's global setup: the CLI tests run the real `bin/vitc.js`, which loads the bundle in
// dist/. A bundle older than any file of src/ (or of specs/std, or the build scripts) would test
// yesterday's code, so it is rebuilt first (`npm run build`, ~30 s); after `npm ci` or
// `npm run build` it is current and nothing runs.

import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";

const root = path.resolve(__dirname, "..", "..");

function newest(dir: string): number {
  if (!fs.existsSync(dir)) return 0;
  return fs.readdirSync(dir, { recursive: true, encoding: "utf8" })
    .map((f) => fs.statSync(path.join(dir, f)))
    .filter((s) => s.isFile())
    .reduce((max, s) => Math.max(max, s.mtimeMs), 0);
}

export default function setup(): void {
  const bundle = path.join(root, "dist", "cli", "vitc.cjs.cache");
  const built = fs.existsSync(bundle) ? fs.statSync(bundle).mtimeMs : 0;
  const sources = Math.max(...["src", path.join("specs", "std"), path.join("scripts", "bundle-cli.mjs"), path.join("scripts", "build-std-asts.mjs"), "package.json", "tsconfig.build.json"].map((p) => {
    const full = path.join(root, p);
    return fs.existsSync(full) && fs.statSync(full).isFile() ? fs.statSync(full).mtimeMs : newest(full);
  }));
  if (built >= sources) return;
  process.stderr.write("vitc tests: dist/ is older than src/; running `npm run build` first\n");
  execFileSync("npm", ["run", "--silent", "build"], { cwd: root, stdio: ["ignore", "ignore", "inherit"] });
}
