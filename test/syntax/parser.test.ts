// The parser on its own (src/syntax/parse.ts): AST dumps of a few inputs, committed as golden
// files beside them (test/syntax/cases/<name>.vit → <name>.ast.txt, STYLE.md §9), and recovery:
// a half-typed file still yields its later declarations, and every syntax error is reported.
// `npx vitest` writes a missing golden; `npx vitest -u` rewrites them all (read their diff like
// code); under CI nothing is written, so a missing golden fails.

import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import type { Diagnostic } from "../../src/diagnostics/diagnostic";
import { parseSource } from "../../src/syntax/parse";
import { dumpAst } from "../helpers/ast-dump";

const casesDir = path.join(__dirname, "cases");
const cases = fs.readdirSync(casesDir).filter((name) => name.endsWith(".vit")).map((name) => name.slice(0, -4)).sort();

function parseCase(name: string) {
  const text = fs.readFileSync(path.join(casesDir, `${name}.vit`), "utf8");
  return { text, ...parseSource({ id: 0, path: `${name}.vit`, text }) };
}

function dumpDiagnostic(d: Diagnostic, text: string): string {
  const { start, end } = d.primary.span;
  return `${d.severity}[${d.code}] @${start}..${end} ${JSON.stringify(text.slice(start, end))}: ${d.message}`;
}

describe("AST golden files", () => {
  it("there are cases", () => {
    expect(cases).toEqual(expect.arrayContaining(["declarations", "statements", "expressions", "half-typed", "several-errors"]));
  });

  it.each(cases)("%s", async (name) => {
    const { text, value, diagnostics } = parseCase(name);
    const errors = diagnostics.map((d) => `# ${dumpDiagnostic(d, text)}\n`).join("");
    await expect(errors + dumpAst(value)).toMatchFileSnapshot(path.join(casesDir, `${name}.ast.txt`));
  });

  it("the clean cases parse without diagnostics", () => {
    for (const name of ["declarations", "statements", "expressions", "modules"]) expect(parseCase(name).diagnostics, name).toEqual([]);
  });
});

describe("recovery", () => {
  it("a half-typed block still yields the model declared after it", () => {
    const { value, diagnostics } = parseCase("half-typed");
    expect(diagnostics.length).toBeGreaterThan(0);
    expect(value.models.map((m) => m.name.text)).toEqual(["tiny"]);
    const model = value.models[0];
    expect(model.call.callee.text).toBe("vit");
    expect(model.call.args.map((a) => a.name?.text)).toEqual(["img_size", "patch_size", "embed_dim", "depth", "num_heads"]);
    expect(value.blocks.map((b) => b.name.text)).toEqual(["stem"]);
  });

  it("several syntax errors in one file are all reported, each on its own line", () => {
    const { text, value, diagnostics } = parseCase("several-errors");
    const lineOf = (offset: number) => text.slice(0, offset).split("\n").length;
    const lines = diagnostics.filter((d) => d.code === "V1001").map((d) => lineOf(d.primary.span.start));
    // `out = 10` (line 3), `dim int` (line 6), a missing comma (line 10).
    expect(lines).toEqual(expect.arrayContaining([3, 6, 10]));
    expect(value.models.map((m) => m.name.text)).toContain("ok");
  });

  it("every syntax error span lies inside the file", () => {
    for (const name of cases) {
      const { text, diagnostics } = parseCase(name);
      for (const d of diagnostics) {
        expect(d.primary.span.start, `${name}: ${d.message}`).toBeGreaterThanOrEqual(0);
        expect(d.primary.span.end, `${name}: ${d.message}`).toBeLessThanOrEqual(text.length);
        expect(d.primary.span.start).toBeLessThanOrEqual(d.primary.span.end);
      }
    }
  });
});
