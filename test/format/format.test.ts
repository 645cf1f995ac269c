// The formatter: idempotent (fmt ∘ fmt = fmt) and parse-preserving (the AST before and after is
// the same) over every spec, standard-library module and test case of the repository, and over
// random re-spacings of them (fast-check); a file with a syntax error is left alone; and the
// layout itself, on a messy example.

import * as fs from "node:fs";
import * as path from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { formatSource } from "../../src/format/format";
import { sameTree } from "../../src/format/same-tree";
import { parseSource } from "../../src/syntax/parse";
import { repoRoot } from "../helpers/compile";

function vitFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) return e.name === "node_modules" ? [] : vitFiles(full);
    return e.name.endsWith(".vit") ? [full] : [];
  });
}

const files = ["specs", "test", "examples"].flatMap((d) => vitFiles(path.join(repoRoot, d))).sort();
const format = (text: string) => formatSource({ id: 0, path: "x.vit", text });

describe("formatSource", () => {
  it.each(files.map((f) => path.relative(repoRoot, f)))("%s: idempotent and parse-preserving", (relative) => {
    const text = fs.readFileSync(path.join(repoRoot, relative), "utf8");
    const once = format(text);
    if (once.diagnostics.length > 0) {
      expect(once.value).toBe(text); // a file with a syntax error is left as it is
      return;
    }
    expect(format(once.value).value).toBe(once.value);
    expect(sameTree(parseSource({ id: 0, path: "x.vit", text }).value, parseSource({ id: 0, path: "x.vit", text: once.value }).value)).toBe(true);
  });

  it("gives the same layout whatever the spaces within lines, and keeps the meaning of any line breaks", () => {
    const clean = files.map((f) => fs.readFileSync(f, "utf8")).filter((t) => format(t).diagnostics.length === 0);
    fc.assert(fc.property(fc.constantFrom(...clean), fc.array(fc.constantFrom(" ", "  ", "\t", "\n", "\n\n\n", " # note\n"), { minLength: 200, maxLength: 200 }), fc.boolean(), (text, spaces, withBreaks) => {
      // Re-space the file: each run of spaces and tabs becomes another run; with breaks, some become line breaks or comments.
      let i = 0;
      const respaced = text.replace(/"(?:[^"\\\n]|\\.)*"|#[^\n]*|[ \t]+/g, (run) => {
        if (!/^[ \t]/.test(run)) return run; // strings and comments stay as they are
        const s = spaces[i++ % spaces.length];
        return withBreaks ? s : s.replace(/#.*\n/, " ").replace(/\n/g, " ");
      });
      const once = format(respaced);
      if (once.diagnostics.length > 0) return; // a break inside a comment or a string can make one
      expect(format(once.value).value).toBe(once.value);
      expect(sameTree(parseSource({ id: 0, path: "x.vit", text: respaced }).value, parseSource({ id: 0, path: "x.vit", text: once.value }).value)).toBe(true);
      if (!withBreaks) expect(once.value).toBe(format(text).value);
    }), { numRuns: 150 });
  });

  it("lays out a messy file", () => {
    const messy = [
      "use   std.layers",
      "",
      "",
      "",
      "## A block.",
      "block  b( dim:int,depth : int=2 ,)  {   # trailing",
      "",
      "input [ B,3,8 , 8 ]",
      "   let  h=dim*2+ -1",
      "      blocks : repeat depth as i{",
      "  mlp( hidden:if false then h[0] else h , out:dim )",
      "      }",
      "  require dim%2==0 else V3102 \"odd {dim}\"",
      "        help \"use an even `dim`\"",
      "",
      "}",
      "model m = b(dim: 64, depth: 2, dim2: 1, dim3: 1, dim4: 1, dim5: 1, dim6: 1, dim7: 1, dim8: 1, dim9: 1)   # wide",
    ].join("\n");
    expect(format(messy).value).toBe([
      "use std.layers",
      "",
      "## A block.",
      "block b(dim: int, depth: int = 2,) {  # trailing",
      "  input [B, 3, 8, 8]",
      "  let h = dim * 2 + -1",
      "  blocks: repeat depth as i {",
      "    mlp(hidden: if false then h[0] else h, out: dim)",
      "  }",
      "  require dim % 2 == 0 else V3102 \"odd {dim}\"",
      "    help \"use an even `dim`\"",
      "}",
      "model m = b(",
      "  dim: 64,",
      "  depth: 2,",
      "  dim2: 1,",
      "  dim3: 1,",
      "  dim4: 1,",
      "  dim5: 1,",
      "  dim6: 1,",
      "  dim7: 1,",
      "  dim8: 1,",
      "  dim9: 1,",
      ")  # wide",
      "",
    ].join("\n"));
  });

  it("leaves a file with a syntax error as it is, with the error", () => {
    const broken = "model m = vit(img_size: 32 patch_size: 8)\n";
    expect(format(broken)).toMatchObject({ value: broken, diagnostics: [{ code: "V1001" }] });
  });
});
