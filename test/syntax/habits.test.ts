// Habits from Python and C-like languages get a hint that names the .vit way.

import { describe, expect, it } from "vitest";
import { compileText } from "../helpers/compile";

function firstHelp(text: string): { code: string; help: readonly string[] } {
  const [d] = compileText(text).diagnostics;
  return { code: d.code, help: d.help };
}

describe("hints for other languages' habits", () => {
  it("a `//` comment", () => {
    expect(firstHelp("// my model\nuse std.vit\n")).toEqual({ code: "V1001", help: ["comments start with `#`"] });
  });

  it("`import` instead of `use`", () => {
    expect(firstHelp("import std.vit\n").help).toEqual(["modules are brought in with `use`, as in `use std.vit`"]);
  });

  it("`**` for a power", () => {
    expect(firstHelp("use std.vit\nmodel m = vit(img_size: 2 ** 5)\n").help).toEqual(["powers are written `pow(a, b)`"]);
  });

  it("Python's `True`", () => {
    const [d] = compileText("use std.vit\nmodel m = vit(img_size: 32, patch_size: 8, embed_dim: 64, depth: 1, num_heads: 4, qkv_bias: True)\n").diagnostics;
    expect(d.message).toBe("unknown name `True`");
    expect(d.suggestions.map((s) => s.edits[0].newText)).toEqual(["true"]);
  });
});
