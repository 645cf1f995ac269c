// `suggest NAME = value` clauses of `require`: parsed beside `help` and `note`, with or without
// an error code, and turned into machine-applicable fixes where the user wrote NAME's value.

import { describe, expect, it } from "vitest";
import { parseSource } from "../../src/syntax/parse";
import type { RequireStmt } from "../../src/syntax/ast";
import { compileText } from "../helpers/compile";

const requireOf = (body: string) => {
  const parsed = parseSource({ id: 0, path: "x.vit", text: `block b(d: int) {\n  ${body}\n}\n` });
  expect(parsed.diagnostics).toEqual([]);
  return parsed.value.blocks[0].body.statements[0] as RequireStmt;
};

describe("suggest clauses", () => {
  it("parse with and without a code, among help and note", () => {
    const withCode = requireOf('require d > 1 else V2015 "small" help "h" suggest d = 2 note "n" suggest d = d + 1');
    expect(withCode.code?.text).toBe("V2015");
    expect(withCode.suggestions.map((s) => s.name.text)).toEqual(["d", "d"]);
    expect(withCode.help).toHaveLength(1);
    expect(withCode.notes).toHaveLength(1);
    const without = requireOf('require d > 1 else "small" suggest d = 2');
    expect(without.code).toBeUndefined();
    expect(without.suggestions[0]).toMatchObject({ name: { text: "d" }, value: { kind: "int", value: 2 } });
  });

  it("become fixes at the value the user wrote, once per distinct value", () => {
    const c = compileText('block b(d: int) {\n  require d > 1 else "`d` is {d}" suggest d = 2 suggest d = 1 + 1 suggest d = 3\n  input [B, 3, 8, 8]\n}\nmodel m = b(d: 0)\n');
    const [d] = c.diagnostics;
    expect(d.suggestions.map((s) => [s.message, s.edits[0].newText, s.applicability])).toEqual([
      ["set `d` to 2", "2", "machine-applicable"],
      ["set `d` to 3", "3", "machine-applicable"],
    ]);
    expect(d.suggestions[0].edits[0].span.start).toBe(c.program.files.get(c.program.entry.id).text.indexOf("0)"));
  });

  it("offer nothing for a value the user did not write (a standard-library default)", () => {
    const c = compileText("use std.vit\nmodel m = vit(img_size: 32, patch_size: 8, depth: 1, num_heads: 7)\n");
    expect(c.diagnostics.map((d) => d.code)).toEqual(["V3102"]);
    expect(c.diagnostics[0].suggestions).toEqual([]);
  });
});
