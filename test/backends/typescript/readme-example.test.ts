// The README's example of an emitted module (the block marked `readme-emit-example`), compiled
// with tsc --strict beside generated/vit_base_patch16_224.ts as a user's project would, and run.

import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, expect, it } from "vitest";
import { repoRoot } from "../../helpers/compile";

const project = fs.mkdtempSync(path.join(os.tmpdir(), "vitc-readme-emit-"));
afterAll(() => fs.rmSync(project, { recursive: true, force: true }));

it("README's emitted-module example compiles under tsc --strict and runs", () => {
  const readme = fs.readFileSync(path.join(repoRoot, "README.md"), "utf8");
  const match = /<!-- test: readme-emit-example -->\n```ts\n([\s\S]*?)```/.exec(readme);
  expect(match, "README.md has no block marked `<!-- test: readme-emit-example -->`").not.toBeNull();
  fs.writeFileSync(path.join(project, "example.ts"), match![1]);
  fs.mkdirSync(path.join(project, "generated"));
  fs.copyFileSync(path.join(repoRoot, "generated", "vit_base_patch16_224.ts"), path.join(project, "generated", "vit_base_patch16_224.ts"));
  fs.symlinkSync(path.join(repoRoot, "node_modules"), path.join(project, "node_modules"), "dir");
  const run = (args: string[]) => spawnSync(process.execPath, args, { cwd: project, encoding: "utf8" });
  const tsc = path.join(repoRoot, "node_modules", "typescript", "bin", "tsc");
  const compiled = run([tsc, "--strict", "--module", "commonjs", "--moduleResolution", "node10", "--target", "es2022", "--skipLibCheck", "--types", "node", "example.ts"]);
  expect(compiled.stdout + compiled.stderr).toBe("");
  expect(compiled.status).toBe(0);
  const ran = run(["example.js"]);
  expect(ran.stderr).toBe("");
  expect(ran.status).toBe(0);
  expect(ran.stdout).toBe("vit_base_patch16_224: logits [1,1000], features [1,197,768]\n");
});
