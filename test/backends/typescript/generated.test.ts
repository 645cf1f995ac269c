// generated/ holds the emitted modules of the standard specs (npm run generate). Each must be what
// `vitc build --emit ts` writes today, and every file must compile under `tsc --strict`.

import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { emitTypeScript } from "../../../src/backends/typescript/emit-module";
import { compileFile, repoRoot } from "../../helpers/compile";
import { vitc } from "../../helpers/vitc-process";
import generatedSpecs from "../../../scripts/generated-specs.json";

/** The specs `npm run generate` emits (scripts/generate.mjs reads the same list). */
const specs = generatedSpecs;
const generated = path.join(repoRoot, "generated");

describe("generated/", () => {
  it("holds what `vitc build --emit ts` writes for each standard spec (run `npm run generate` when this fails)", () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), "vitc-generated-"));
    try {
      for (const spec of specs) {
        const r = vitc(["build", spec, "--emit", "ts", "-o", out]);
        expect(r.err).toBe("");
        expect(r.code).toBe(0);
      }
      const written = fs.readdirSync(out).sort();
      expect(fs.readdirSync(generated).filter((f) => f.endsWith(".ts")).sort()).toEqual(written);
      for (const file of written) {
        expect(fs.readFileSync(path.join(generated, file), "utf8"), `generated/${file} is stale`).toBe(fs.readFileSync(path.join(out, file), "utf8"));
      }
    } finally {
      fs.rmSync(out, { recursive: true, force: true });
    }
  });

  it("compiles under tsc --strict with no error", () => {
    const files = fs.readdirSync(generated).filter((f) => f.endsWith(".ts")).map((f) => path.join(generated, f));
    const tsc = path.join(repoRoot, "node_modules", "typescript", "bin", "tsc");
    const run = () => execFileSync(process.execPath, [tsc, "--strict", "--noEmit", "--target", "es2022", "--module", "commonjs", "--moduleResolution", "node", "--skipLibCheck", ...files], { encoding: "utf8" });
    expect(run).not.toThrow();
  });

  it("Swin-T's shifted and unshifted blocks are one function, the shift a setting", () => {
    const text = fs.readFileSync(path.join(generated, "swin_tiny_patch4_window7_224.ts"), "utf8");
    expect(text.match(/^function swinBlock\d*\(/gm)).toEqual(["function swinBlock("]);
    expect(text).toContain("w.settings.roll ? roll(norm1, [-3, -3]) : norm1");
    expect(text).toContain("repeatBlock(downsample, w.blocks, swinBlock)");
  });

  it("ViT-B/16's module reads as a model: one function per block, its 12 blocks as a loop, no `any`", () => {
    const text = fs.readFileSync(path.join(generated, "vit_base_patch16_224.ts"), "utf8");
    expect(text.match(/^function encoderBlock\(/gm)).toHaveLength(1);
    expect(text).toContain("repeatBlock(");
    expect(text).toContain('repeatShapes("blocks", 12,');
    expect(text).not.toMatch(/\bany\b|\beval\(|new Function/);
    expect(text).toMatch(/std\/layers\.vit:\d+/);
    const imports = [...text.matchAll(/^import .* from "([^"]+)";$/gm)].map((m) => m[1]);
    expect(imports).toEqual(["@tensorflow/tfjs-core"]);
    // The issue asks for about 400 lines. 455 today: about 240 of the model (25 of them its weight
    // shapes) and 215 of the runtime copied in (weight checks, per-head qkv weights, image-by-image
    // passes on wasm), with one-sentence doc comments. A change past 460 must say why.
    expect(text.split("\n").length - 1).toBeLessThanOrEqual(460);
  });
});

describe("every standard spec", () => {
  it("emits a module that compiles under tsc --strict with no error", () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), "vitc-all-specs-"));
    try {
      const specDir = path.join(repoRoot, "specs");
      const files = fs.readdirSync(specDir).filter((f) => f.endsWith(".vit"));
      for (const file of files) {
        const compilation = compileFile(path.join(specDir, file));
        for (const model of compilation.models) {
          fs.writeFileSync(path.join(out, `${model.name}.ts`), emitTypeScript(model, { files: compilation.files, specPath: `specs/${file}`, version: "test" }));
        }
      }
      expect(fs.readdirSync(out).length).toBeGreaterThanOrEqual(files.length);
      fs.symlinkSync(path.join(repoRoot, "node_modules"), path.join(out, "node_modules"), "dir");
      const tsc = path.join(repoRoot, "node_modules", "typescript", "bin", "tsc");
      const modules = fs.readdirSync(out).filter((f) => f.endsWith(".ts")).map((f) => path.join(out, f));
      expect(() => execFileSync(process.execPath, [tsc, "--strict", "--noEmit", "--target", "es2022", "--module", "commonjs", "--moduleResolution", "node", "--skipLibCheck", ...modules], { encoding: "utf8" })).not.toThrow();
    } finally {
      fs.rmSync(out, { recursive: true, force: true });
    }
  }, 120_000);
});
