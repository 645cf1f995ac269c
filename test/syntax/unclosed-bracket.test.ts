// A bracket left open: the error is where the parser noticed (the end of the file, or the next
// statement or declaration), and a label shows where the bracket opened.

import { describe, expect, it } from "vitest";
import type { Diagnostic } from "../../src/diagnostics/diagnostic";
import { compileText } from "../helpers/compile";

/** The labels of a diagnostic as `text: what they cover`. */
function labels(text: string, d: Diagnostic): string[] {
  return d.labels.map((l) => `${l.text}: ${text.slice(l.span.start, l.span.end)}@${l.span.start}`);
}

describe("a bracket never closed", () => {
  const text = "use std.vit\nmodel m = vit(img_size: 32, patch_size: 8,\n  embed_dim: 64\n";
  const { diagnostics } = compileText(text);

  it("is one syntax error, with no echo from the model cut short (num_heads 12 vs embed_dim 64)", () => {
    expect(diagnostics.map((d) => `${d.code}: ${d.message}`)).toEqual(["V1001: expected `)`, found the end of the file"]);
  });

  it("labels the bracket that was opened", () => {
    expect(labels(text, diagnostics[0])).toEqual([`this \`(\` is never closed: (@${text.indexOf("vit(") + 3}`]);
  });
});

describe("a bracket left open before more code", () => {
  it.each([
    ["a block's `{`, before the next model", "block net() {\n  input [B, 16]\n  fc: linear(out: 4)\n\nmodel m = net()\n", "expected `}`, found `model`", "{"],
    ["a call's `(`, before the next statement", "block net() {\n  input [B, 16]\n  fc: linear(out: 4\n  gelu()\n}\nmodel m = net()\n", "expected `)`, found `gelu`", "linear("],
    ["a model's `(`, before the next model", "use std.vit\nmodel a = vit(img_size: 32\nmodel b = vit(img_size: 32)\n", "expected `)`, found `model`", "vit("],
    ["a list's `[`, before the next statement", "block net() {\n  input [B, 16]\n  let s = [1, 2\n  fc: linear(out: 4)\n}\nmodel m = net()\n", "expected `]`, found `fc`", "= ["],
    ["a call's `(`, closed by a bracket of another kind", "block net() {\n  input [B, 16]\n  fc: linear(out: 4\n}\nmodel m = net()\n", "expected `)`, found `}`", "linear("],
  ])("%s: the opener is labelled", (_, text, message, opener) => {
    const { diagnostics } = compileText(text);
    expect(diagnostics.map((d) => d.message)).toEqual([message]);
    const at = text.indexOf(opener) + opener.length - 1;
    expect(labels(text, diagnostics[0])).toEqual([`unclosed \`${text[at]}\`: ${text[at]}@${at}`]);
  });

  it.each([
    ["a `=` for a `:`, on the same line", "use std.vit\nmodel m = vit(img_size = 32)\n"],
    ["a missing comma", "use std.vit\nmodel m = vit(img_size: 32 patch_size: 8)\n"],
  ])("%s: no bracket is labelled", (_, text) => {
    const { diagnostics } = compileText(text);
    expect(diagnostics.map((d) => d.code)).toEqual(["V1001"]);
    expect(diagnostics[0].labels).toEqual([]);
  });
});
