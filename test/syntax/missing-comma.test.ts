// A comma missing between two arguments, parameters or list items: one syntax error, with a
// machine-applicable fix that inserts the comma after the first, and nothing else reported for
// the same mistake (the call or list cut short is not checked further). Applying the fix makes
// the file compile cleanly.

import { describe, expect, it } from "vitest";
import type { Compilation } from "../../src/pipeline";
import { compileText } from "../helpers/compile";

/** The text with every machine-applicable edit applied, last first so offsets hold. */
function applyFixes(text: string, compilation: Compilation): string {
  const edits = compilation.diagnostics.flatMap((d) => d.suggestions).filter((s) => s.applicability === "machine-applicable").flatMap((s) => s.edits);
  return [...edits].sort((a, b) => b.span.start - a.span.start).reduce((t, e) => t.slice(0, e.span.start) + e.newText + t.slice(e.span.end), text);
}

const cases: Array<[string, string, string]> = [
  ["keyword arguments of a model", "use std.vit\nmodel m = vit(img_size: 32 patch_size: 8, embed_dim: 64, depth: 1, num_heads: 4)\n", "add a `,` after `32`: arguments are separated by commas"],
  ["list items in a model's argument", "use std.vit\nmodel m = vit(img_size: [32 32], patch_size: 8, embed_dim: 64, depth: 1, num_heads: 4)\n", "add a `,` after `32`: list items are separated by commas"],
  ["arguments of an op", "block b() {\n  input [B, 3, 8, 8]\n  conv: conv2d(out: 4 kernel: 3)\n}\nmodel m = b()\n", "add a `,` after `4`: arguments are separated by commas"],
  ["list items in a `let`, used later", "block b() {\n  input [B, 16]\n  let widths = [8 16]\n  fc: linear(out: widths[1])\n}\nmodel m = b()\n", "add a `,` after `8`: list items are separated by commas"],
  ["arguments of a function", "block b() {\n  input [B, 16]\n  let p = max(3 4)\n  fc: linear(out: p)\n}\nmodel m = b()\n", "add a `,` after `3`: arguments are separated by commas"],
  ["parameters of a block", "block b(a: int c: int = 2) {\n  input [B, a]\n  fc: linear(out: c)\n}\nmodel m = b(a: 4)\n", "add a `,` after `int`: parameters are separated by commas"],
  ["arguments on separate lines", "use std.vit\nmodel m = vit(\n  img_size: 32\n  patch_size: 8,\n  embed_dim: 64, depth: 1, num_heads: 4,\n)\n", "add a `,` after `32`: arguments are separated by commas"],
  ["an argument on the next line, closing the call", "block b() {\n  input [B, 16]\n  fc: linear(out: 4\n  bias: false)\n}\nmodel m = b()\n", "add a `,` after `4`: arguments are separated by commas"],
];

describe("a missing comma", () => {
  it.each(cases)("between %s: one error, with the fix", (_, text, help) => {
    const compilation = compileText(text);
    expect(compilation.diagnostics.map((d) => d.code)).toEqual(["V1001"]);
    const [suggestion] = compilation.diagnostics[0].suggestions;
    expect(suggestion.message).toBe(help);
    expect(suggestion.applicability).toBe("machine-applicable");
    expect(suggestion.edits.map((e) => [e.span.end - e.span.start, e.newText])).toEqual([[0, ","]]);
  });

  it.each(cases)("between %s: applying the fix leaves a clean file", (_, text) => {
    const fixed = applyFixes(text, compileText(text));
    expect(fixed).not.toBe(text);
    expect(compileText(fixed).diagnostics.map((d) => `${d.code}: ${d.message}`)).toEqual([]);
  });

  it("is not suggested inside parentheses around one expression", () => {
    const { diagnostics } = compileText("block b() {\n  input [B, 16]\n  fc: linear(out: (4 2))\n}\nmodel m = b()\n");
    expect(diagnostics.map((d) => d.code)).toEqual(["V1001"]);
    expect(diagnostics[0].suggestions).toEqual([]);
  });
});
