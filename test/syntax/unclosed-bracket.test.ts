// A bracket left open to the end of the file: one error, which shows where the bracket opened.

import { describe, expect, it } from "vitest";
import { compileText } from "../helpers/compile";

describe("a bracket never closed", () => {
  const text = "use std.vit\nmodel m = vit(img_size: 32, patch_size: 8,\n  embed_dim: 64\n";
  const { diagnostics } = compileText(text);

  it("is one syntax error, with no echo from the model cut short (num_heads 12 vs embed_dim 64)", () => {
    expect(diagnostics.map((d) => `${d.code}: ${d.message}`)).toEqual(["V1001: expected `)`, found the end of the file"]);
  });

  it("labels the bracket that was opened", () => {
    const [label] = diagnostics[0].labels;
    expect(label.text).toBe("this `(` is never closed");
    expect(text.slice(label.span.start, label.span.end)).toBe("(");
    expect(label.span.start).toBe(text.indexOf("vit(") + 3);
  });
});
