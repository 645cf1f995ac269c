// The terminal renderer prints the part of a very long line around its labels, with the
// carets still under the right characters.

import { describe, expect, it } from "vitest";
import { renderTerminal } from "../../src/diagnostics/render-terminal";
import { compileText } from "../helpers/compile";

describe("renderTerminal on a long line", () => {
  const text = `block b() {\n  input [B, 4]\n  fc: linear(out: ${"1 + ".repeat(1500)}nope)\n}\nmodel m = b()\n`;
  const compiled = compileText(text);
  const [diagnostic] = compiled.diagnostics;
  const rendered = renderTerminal(compiled.files, diagnostic);
  const lines = rendered.split("\n");

  it("reports the error once", () => {
    expect(compiled.diagnostics.map((d) => d.code)).toEqual(["V2001"]);
  });

  it("clips the source line around the label", () => {
    const source = lines.find((l) => l.startsWith("3 |"))!;
    expect(source.length).toBeLessThan(200);
    expect(source).toContain("…");
    expect(source).toContain("nope)");
  });

  it("keeps the carets under the name", () => {
    const source = lines.find((l) => l.startsWith("3 |"))!;
    const carets = lines[lines.indexOf(source) + 1];
    const at = carets.indexOf("^");
    expect(source.slice(at, at + 4)).toBe("nope");
    expect(carets.slice(at).startsWith("^^^^")).toBe(true);
  });
});

describe("renderTerminal with a label left of the primary span", () => {
  it("puts that label's text on its own row, not after the primary carets", () => {
    const compiled = compileText("use std.vit\nmodel n = vit(num_heads: 12, img_size: 224, patch_size: 16, embed_dim: 770, depth: 12)\n");
    const lines = renderTerminal(compiled.files, compiled.diagnostics[0]).split("\n");
    const markers = lines.findIndex((l) => l.includes("^^^"));
    expect(lines[markers].trimEnd().endsWith("^^^")).toBe(true);
    expect(lines[markers + 1]).toMatch(/^\s+\|\s+- `num_heads` is 12$/);
    expect(lines[markers + 1].indexOf("-")).toBe(lines[markers].indexOf("--"));
  });
});

describe("renderTerminal on a line with tabs", () => {
  it("expands the tabs and keeps every marker under its text", () => {
    const compiled = compileText("use std.vit\nmodel m = vit(\timg_size: 32,\tpatch_size: 7,\tembed_dim: 64, depth: 1, num_heads: 4)\n");
    const lines = renderTerminal(compiled.files, compiled.diagnostics[0]).split("\n");
    const source = lines.find((l) => l.startsWith("2 |"))!;
    expect(source).not.toContain("\t");
    const markers = lines[lines.indexOf(source) + 1];
    // `32` under the carets, `7` under the dashes of the `patch_size` label.
    expect(source.slice(markers.indexOf("^"), markers.lastIndexOf("^") + 1)).toBe("32");
    expect(source.slice(markers.indexOf("-"), markers.lastIndexOf("-") + 1)).toBe("7");
  });
});
