// vitc as users install it: `npm pack` makes the tarball, which is installed into an empty
// project and globally (under a temporary prefix); `vitc check`, `summary` and `run` then work
// from another folder, and the README's API example compiles under `tsc --strict` against the
// installed package's declarations and runs. Installing takes the dependencies from the npm
// registry or its cache, as any user's install does.

import { execFileSync, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { repoRoot } from "../helpers/compile";

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "vitc-pack-"));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

const project = path.join(tmp, "project");
const globalPrefix = path.join(tmp, "global");
const elsewhere = path.join(tmp, "elsewhere");
let tarball = "";
let packed: string[] = [];

function npm(args: string[], cwd: string): string {
  return execFileSync("npm", [...args, "--no-audit", "--no-fund", "--prefer-offline", "--loglevel=error"], {
    cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, npm_config_update_notifier: "false" },
  });
}

function run(command: string, args: string[], cwd: string) {
  const r = spawnSync(command, args, { cwd, encoding: "utf8", env: { ...process.env, NO_COLOR: "1" }, timeout: 120_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

beforeAll(() => {
  // The scripts ran when dist/ was built (npm ci, or the tests' global setup): pack it as it is.
  const [info] = JSON.parse(npm(["pack", "--ignore-scripts", "--json", "--pack-destination", tmp], repoRoot)) as Array<{ filename: string; files: Array<{ path: string }> }>;
  tarball = path.join(tmp, info.filename);
  packed = info.files.map((f) => f.path);
  fs.mkdirSync(project);
  fs.writeFileSync(path.join(project, "package.json"), JSON.stringify({ name: "consumer", private: true, version: "1.0.0" }));
  npm(["install", "--omit=optional", tarball], project);
  npm(["install", "--global", "--omit=optional", "--prefix", globalPrefix, tarball], tmp);
  fs.mkdirSync(elsewhere);
  fs.copyFileSync(path.join(repoRoot, "specs", "vit_tiny_patch16_224.vit"), path.join(elsewhere, "tiny.vit"));
  fs.writeFileSync(path.join(elsewhere, "bad.vit"), "use std.vit\nmodel m = vit(img_size: 32, patch_size: 6)\n");
}, 300_000);

describe("the packed tarball", () => {
  it("holds the CLI, its bundle, the API's declarations and the standard library, and nothing of the tests", () => {
    for (const file of ["bin/vitc.js", "dist/cli/vitc.cjs", "dist/cli/vitc.cjs.cache", "dist/index.js", "dist/index.d.ts", "dist/std-asts.json", "specs/std/vit.vit", "specs/vit_base_patch16_224.vit", "README.md", "package.json",
      // `vitc build --emit ts` copies the runtime's sources into each module it writes.
      "src/backends/tfjs/runtime/attention.ts", "src/ops/window-attention.ts"]) {
      expect(packed, file).toContain(file);
    }
    const copiedSources = (f: string) => f.startsWith("src/backends/tfjs/runtime/") || f === "src/ops/window-attention.ts";
    expect(packed.filter((f) => (/^(test|src|bench|scripts)\//.test(f) && !copiedSources(f)) || f.endsWith(".map"))).toEqual([]);
  });

  const installs = [
    ["installed in a project", () => path.join(project, "node_modules", ".bin", "vitc")],
    ["installed globally", () => path.join(globalPrefix, "bin", "vitc")],
  ] as const;

  it.each(installs)("%s: check, summary and run work from another folder", (_, bin) => {
    const check = run(bin(), ["check", "tiny.vit", "bad.vit"], elsewhere);
    expect(check.code).toBe(1);
    expect(check.out).toContain("bad.vit:2:");
    expect(check.out).toContain("error[V3101]");
    expect(check.err).toContain("checked 2 files: 1 error");
    const summary = run(bin(), ["summary", "tiny.vit", "--json"], elsewhere);
    expect(summary.code).toBe(0);
    expect(JSON.parse(summary.out).models[0]).toMatchObject({ name: "vit_tiny_patch16_224", params: 5717416 });
    const tiny = path.join(elsewhere, "small.vit");
    fs.writeFileSync(tiny, "use std.vit\nmodel small = vit(img_size: 32, patch_size: 8, embed_dim: 32, depth: 1, num_heads: 2)\n");
    const ran = run(bin(), ["run", "small.vit", "--backend", "wasm", "--output", "out.safetensors"], elsewhere);
    expect(ran.err).toBe("");
    expect(ran.code).toBe(0);
    expect(ran.out).toMatch(/backend\s+wasm \(XNNPACK/);
    expect(fs.existsSync(path.join(elsewhere, "out.safetensors"))).toBe(true);
    const version = run(bin(), ["--version"], elsewhere);
    expect(version.out.trim()).toMatch(/^vitc \d+\.\d+\.\d+$/);
  });

  it("runs the README's API example: compiled by tsc --strict against the installed declarations", () => {
    const readme = fs.readFileSync(path.join(repoRoot, "README.md"), "utf8");
    const match = /<!-- test: readme-api-example -->\n```ts\n([\s\S]*?)```/.exec(readme);
    expect(match, "README.md has no block marked `<!-- test: readme-api-example -->`").not.toBeNull();
    fs.writeFileSync(path.join(project, "example.ts"), match![1]);
    const tsc = path.join(repoRoot, "node_modules", "typescript", "bin", "tsc");
    const compiled = run(process.execPath, [tsc, "--strict", "--module", "commonjs", "--moduleResolution", "node10", "--target", "es2022",
      "--skipLibCheck", "--types", "node", "--typeRoots", path.join(repoRoot, "node_modules", "@types"), "example.ts"], project);
    expect(compiled.out + compiled.err).toBe("");
    expect(compiled.code).toBe(0);
    const ran = run(process.execPath, ["example.js"], project);
    expect(ran.err).toBe("");
    expect(ran.code).toBe(0);
    expect(ran.out).toContain("bad.vit:2:");
    expect(ran.out).toContain("error[V3101]");
    expect(ran.out).toContain("tiny: [B, 3, 32, 32] -> [B, 10], ");
    expect(ran.out).toContain("logits [1, 10] on wasm");
  });
});
