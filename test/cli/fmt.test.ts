// `vitc fmt` through the real binary: rewrites files in place, `--check` changes nothing and
// exits 1 when a file would change, a file with a syntax error is reported and left alone; and
// the repository's own specs and standard library are in the formatter's layout.

import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { repoRoot } from "../helpers/compile";
import { vitc } from "../helpers/vitc-process";

describe("vitc fmt", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "vitc-fmt-"));
  const messy = "use std.vit\nmodel  m=vit( img_size:32,patch_size:8 )\n";
  const tidy = "use std.vit\nmodel m = vit(img_size: 32, patch_size: 8)\n";

  it("--check lists the files that would change, changes nothing and exits 1", () => {
    const file = path.join(dir, "check.vit");
    fs.writeFileSync(file, messy);
    const r = vitc(["fmt", "--check", file]);
    expect(r.code).toBe(1);
    expect(r.out).toBe(`would reformat ${file}\n`);
    expect(fs.readFileSync(file, "utf8")).toBe(messy);
    fs.writeFileSync(file, tidy);
    expect(vitc(["fmt", "--check", file]).code).toBe(0);
  });

  it("rewrites files in place, and a second run changes nothing", () => {
    const file = path.join(dir, "rewrite.vit");
    fs.writeFileSync(file, messy);
    const r = vitc(["fmt", file]);
    expect(r.code).toBe(0);
    expect(r.out).toBe(`formatted ${file}\n`);
    expect(fs.readFileSync(file, "utf8")).toBe(tidy);
    expect(vitc(["fmt", file]).out).toBe("");
  });

  it("leaves a file with a syntax error alone and exits 1", () => {
    const file = path.join(dir, "broken.vit");
    const broken = "model m = vit(img_size: 32 patch_size: 8)\n";
    fs.writeFileSync(file, broken);
    const r = vitc(["fmt", file]);
    expect(r.code).toBe(1);
    expect(r.err).toContain("error[V1001]");
    expect(r.err).toContain(`${file}: not formatted: it has syntax errors`);
    expect(fs.readFileSync(file, "utf8")).toBe(broken);
  });

  it("is listed by `vitc help`", () => {
    const help = vitc(["help"]).out;
    expect(help).toMatch(/vitc fmt <files…>/);
    expect(help).toMatch(/vitc lsp --stdio/);
    expect(help).not.toMatch(/not in this build/);
  });
});

describe("the repository's specs", () => {
  it("are in the formatter's layout (`vitc fmt --check specs/*.vit specs/std/*.vit`)", () => {
    const dirs = [path.join(repoRoot, "specs"), path.join(repoRoot, "specs", "std")];
    const files = dirs.flatMap((d) => fs.readdirSync(d).filter((f) => f.endsWith(".vit")).map((f) => path.join(d, f)));
    expect(files.length).toBe(31);
    const r = vitc(["fmt", "--check", ...files]);
    expect(r.out).toBe("");
    expect(r.code).toBe(0);
  });
});
