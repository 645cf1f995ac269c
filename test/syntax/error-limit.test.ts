// A file with thousands of syntax errors (not a spec, or a spec mangled by a tool) gets the first
// 100 and one V1005, and its check ends quickly: the parser stops reading at the first error past
// them. Measured before the limit (`vitc check`, 2-core machine, Node 20): 16,000 lines of
// `model =` took 20 s, of `model m = f(a: 1 b: 2)` 20 s, and the parse alone of 16,000 blocks
// `block b() { x: f(a: 1 b: 2) }` 5 s; after it, 0.3–0.5 s of CPU each, most of it lexing the
// whole file. No timing is asserted here (the machine is shared): the counts are, and the test
// runs under vitest's time limit.

import { describe, expect, it } from "vitest";
import { MAX_SYNTAX_ERRORS } from "../../src/syntax/parse";
import { compileText } from "../helpers/compile";

const lines = 16_000;

describe(`a file of ${lines} broken lines`, () => {
  it.each([
    ["model =", 0],
    ["model m = f(a: 1 b: 2)", 17],
    ["block b() { x: f(a: 1 b: 2) }", 22],
    ["block b() { let = }", 16],
    ["use std.vit model m = vit(img_size: 224 patch_size: 16)", 40],
    ["use \"lib/blocks.vit", 4],
    ["model m@ = f()", 7],
  ])("`%s` gives the first 100 syntax errors and one V1005 where reading stopped", (line, column) => {
    const { diagnostics, files } = compileText(`${line}\n`.repeat(lines));
    const syntax = diagnostics.filter((d) => d.code.startsWith("V1") && d.code !== "V1005");
    expect(syntax).toHaveLength(MAX_SYNTAX_ERRORS);
    const tooMany = diagnostics.filter((d) => d.code === "V1005");
    expect(tooMany.map((d) => d.message)).toEqual(["too many syntax errors: the file was not checked from here on"]);
    expect(files.lineIndex(0).position(tooMany[0].primary.span.start)).toEqual({ line: MAX_SYNTAX_ERRORS, character: column });
    // Nothing is reported past it: the errors there are not shown, nor what follows from them.
    expect(diagnostics.filter((d) => d.primary.span.start > tooMany[0].primary.span.start)).toEqual([]);
  });
});

describe("the limit", () => {
  it("counts lines with errors: 100 broken lines are all shown, without V1005", () => {
    const { diagnostics } = compileText("model m = f(a: 1 b: 2)\n".repeat(MAX_SYNTAX_ERRORS));
    expect(diagnostics.map((d) => d.code)).toEqual(Array(MAX_SYNTAX_ERRORS).fill("V1001"));
  });

  it("says how many were not shown when the whole file was read", () => {
    // The lexer's errors and the parser's add up past the limit, and neither stopped reading.
    const text = `${"~\n".repeat(60)}${"model m = f(a: 1 b: 2)\n".repeat(60)}`;
    const { diagnostics } = compileText(text);
    expect(diagnostics.filter((d) => d.code === "V1003")).toHaveLength(60);
    expect(diagnostics.filter((d) => d.code === "V1001")).toHaveLength(40);
    expect(diagnostics.filter((d) => d.code === "V1005").map((d) => d.message)).toEqual(["too many syntax errors: 20 more not shown"]);
  });
});
