// `vitc build <file> --emit ts [-o DIR] [--model NAME]` through the real binary: one module per
// model, `generated/` by default, `--model` picks one, and outputs that would overwrite an input,
// follow a link or land on a file in the way are refused with V4005 before anything is written.
// A model whose input is not an image [B, C, H, W] is refused with V4003.

import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { repoRoot } from "../helpers/compile";
import { vitc } from "../helpers/vitc-process";

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "vitc-build-"));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

const twoModels = [
  "use std.vit",
  "model small = vit(img_size: 32, patch_size: 8, embed_dim: 32, depth: 1, num_heads: 2, num_classes: 10)",
  "model wide = vit(img_size: 32, patch_size: 8, embed_dim: 64, depth: 1, num_heads: 4, num_classes: 10)",
  "",
].join("\n");

describe("vitc build --emit ts", () => {
  it("writes one module per model of the file, each importing only tfjs-core", () => {
    fs.writeFileSync(path.join(dir, "two.vit"), twoModels);
    const r = vitc(["build", "two.vit", "--emit", "ts", "-o", "out"], { cwd: dir });
    expect(r.err).toBe("");
    expect(r.code).toBe(0);
    expect(r.out.trim().split("\n")).toEqual([`wrote ${path.join("out", "small.ts")}`, `wrote ${path.join("out", "wide.ts")}`]);
    for (const name of ["small", "wide"]) {
      const text = fs.readFileSync(path.join(dir, "out", `${name}.ts`), "utf8");
      expect(text).toContain(`name: "${name}"`);
      expect([...text.matchAll(/^import .* from "([^"]+)";$/gm)].map((m) => m[1])).toEqual(["@tensorflow/tfjs-core"]);
    }
  });

  it("writes into generated/ of the working folder by default, and --model picks one model", () => {
    fs.writeFileSync(path.join(dir, "two.vit"), twoModels);
    const r = vitc(["build", "two.vit", "--emit", "ts", "--model", "wide"], { cwd: dir });
    expect(r.err).toBe("");
    expect(r.code).toBe(0);
    expect(fs.readdirSync(path.join(dir, "generated"))).toEqual(["wide.ts"]);
  });

  it("emits a spec given by an absolute path, and its header names the spec", () => {
    const r = vitc(["build", path.join(repoRoot, "specs", "vit_base_patch16_224.vit"), "--emit", "ts", "-o", dir]);
    expect(r.code).toBe(0);
    const header = fs.readFileSync(path.join(dir, "vit_base_patch16_224.ts"), "utf8").split("\n", 1)[0];
    expect(header).toMatch(/^\/\/ vit_base_patch16_224: compiled by vitc \S+ from .*vit_base_patch16_224\.vit\.$/);
  });

  it("refuses an output that is one of its inputs (exit 1, V4005), writing nothing", () => {
    // A spec named after its model, built into its own folder: the module would replace the spec.
    const spec = path.join(dir, "tiny.ts");
    const text = "use std.vit\nmodel tiny = vit(img_size: 32, patch_size: 8, embed_dim: 32, depth: 1, num_heads: 2)\n";
    fs.writeFileSync(spec, text);
    const r = vitc(["build", "tiny.ts", "--emit", "ts", "-o", "."], { cwd: dir });
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/error\[V4005\]: cannot write `tiny\.ts`: .*the spec/);
    expect(fs.readFileSync(spec, "utf8")).toBe(text);
  });

  it("refuses a link where the module would go, and a file where the folder would go (V4005)", () => {
    fs.writeFileSync(path.join(dir, "two.vit"), twoModels);
    fs.mkdirSync(path.join(dir, "out"));
    fs.writeFileSync(path.join(dir, "elsewhere.ts"), "kept\n");
    fs.symlinkSync(path.join(dir, "elsewhere.ts"), path.join(dir, "out", "small.ts"));
    const linked = vitc(["build", "two.vit", "--emit", "ts", "-o", "out"], { cwd: dir });
    expect(linked.code).toBe(1);
    expect(linked.err).toMatch(/error\[V4005\]: cannot write `out\/small\.ts`/);
    expect(fs.readFileSync(path.join(dir, "elsewhere.ts"), "utf8")).toBe("kept\n");
    expect(fs.existsSync(path.join(dir, "out", "wide.ts")), "nothing is written when one output is refused").toBe(false);

    fs.writeFileSync(path.join(dir, "file"), "");
    const blocked = vitc(["build", "two.vit", "--emit", "ts", "-o", "file"], { cwd: dir });
    expect(blocked.code).toBe(1);
    expect(blocked.err).toMatch(/error\[V4005\]: cannot make the folder `file`/);
  });

  it("answers at once where a folder cannot be made, naming it (V4005): under a file, and where the file system refuses new folders", () => {
    fs.writeFileSync(path.join(dir, "two.vit"), twoModels);
    fs.writeFileSync(path.join(dir, "file"), "");
    const underFile = vitc(["build", "two.vit", "--emit", "ts", "-o", "file/out/deeper"], { cwd: dir, timeoutMs: 20_000 });
    expect(underFile.code).toBe(1);
    expect(underFile.err).toMatch(/error\[V4005\]: cannot make the folder `file\/out`: `file` is a file, not a folder/);
    // procfs answers ENOENT to mkdir although the parent exists; Node's recursive mkdir retries that forever.
    if (!fs.existsSync("/proc/self")) return;
    for (const emit of ["ts", "onnx"]) {
      const r = vitc(["build", "two.vit", "--emit", emit, "-o", "/proc/vitc-out/deeper"], { cwd: dir, timeoutMs: 20_000 });
      expect(r.code, r.err).toBe(1);
      expect(r.err).toMatch(/error\[V4005\]: cannot make the folder `\/proc\/vitc-out`: /);
      expect(r.err).not.toMatch(/\n\s+at /);
    }
  });

  it("refuses a model whose input is not an image [B, C, H, W] (V4003), and an unknown --model (exit 1)", () => {
    fs.writeFileSync(path.join(dir, "tokens.vit"), "use std.layers\nblock tokens() {\n  input [B, 16, 32]\n  fc: linear(out: 8)\n}\nmodel tokens = tokens()\n");
    const r = vitc(["build", "tokens.vit", "--emit", "ts", "-o", "out"], { cwd: dir });
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/error\[V4003\]: `--emit ts` writes models whose input is an image \[B, C, H, W\]; the input of `tokens` is \[B, 16, 32\]/);
    fs.writeFileSync(path.join(dir, "two.vit"), twoModels);
    const unknown = vitc(["build", "two.vit", "--emit", "ts", "--model", "nope"], { cwd: dir });
    expect(unknown.code).toBe(1);
    expect(unknown.err).toMatch(/`nope`/);
  });
});
