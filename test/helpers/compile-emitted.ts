// Compiles emitted TypeScript modules as a user's project would: tsc, strict, CommonJS, resolving
// @tensorflow/tfjs-core from node_modules (the repository's, linked into the work folder).

import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { repoRoot } from "./compile";

/** Compiles every .ts file of `src` into `work/out`; the returned function requires one of them by stem. */
export function compileEmitted(work: string, src: string): (stem: string) => unknown {
  fs.symlinkSync(path.join(repoRoot, "node_modules"), path.join(work, "node_modules"), "dir");
  const tsc = path.join(repoRoot, "node_modules", "typescript", "bin", "tsc");
  const out = path.join(work, "out");
  execFileSync(process.execPath, [tsc, "--strict", "--target", "es2022", "--module", "commonjs", "--moduleResolution", "node", "--skipLibCheck", "--outDir", out,
    ...fs.readdirSync(src).filter((f) => f.endsWith(".ts")).map((f) => path.join(src, f))], { encoding: "utf8" });
  return (stem) => require(path.join(out, `${stem}.js`)) as unknown;
}
