// What a step of the source became: the facts editors show on hover and as inlay hints.

import { describe, expect, it } from "vitest";
import { formatShape } from "../../src/ir/shape";
import { stepFacts } from "../../src/reports/steps";
import { compileText } from "../helpers/compile";

const text = `use std.layers
block b(dim: int) {
  input [B, 3, 8, 8]
  stem: conv2d(out: dim, kernel: 4, stride: 4)
  flatten_tokens()
  blocks: repeat 3 as i { enc: encoder_block(dim: dim, num_heads: 2) }
}
model m = b(dim: 8)
`;

describe("stepFacts", () => {
  const c = compileText(text);
  const model = c.models[0].checked;
  const spanOf = (needle: string) => {
    const start = text.indexOf(needle);
    return { file: c.program.entry.id, start, end: start + needle.length };
  };
  it("of an op step: its node's shape, parameters, MACs and path", () => {
    const f = stepFacts(model, spanOf("conv2d(out: dim, kernel: 4, stride: 4)"));
    expect(f && { ...f, output: f.output && formatShape(f.output) }).toEqual({ op: "conv2d", kind: "op", path: "stem", output: "[B, 8, 2, 2]", params: 392n, macs: 1536n, instances: 1 });
  });
  it("of a block step in a repeat: the first instance, and how many there are", () => {
    const f = stepFacts(model, spanOf("encoder_block(dim: dim, num_heads: 2)"));
    expect(f?.kind).toBe("block");
    expect(f?.path).toBe("blocks.0.enc");
    expect(f?.instances).toBe(3);
    expect(f?.output && formatShape(f.output)).toBe("[B, 4, 8]");
  });
  it("of a span that made nothing: undefined", () => {
    expect(stepFacts(model, spanOf("use std.layers"))).toBeUndefined();
  });
});

describe("stepFacts of a group", () => {
  const c = compileText(text);
  const model = c.models[0].checked;
  it("of a labelled `repeat`: all its iterations, under its path", () => {
    const start = text.indexOf("repeat 3");
    const end = text.indexOf("}\n}") + 1;
    const f = stepFacts(model, { file: c.program.entry.id, start, end });
    expect(f?.kind).toBe("group");
    expect(f?.path).toBe("blocks");
    expect(f?.output && formatShape(f.output)).toBe("[B, 4, 8]");
    expect(f?.instances).toBe(1);
    const one = stepFacts(model, { file: c.program.entry.id, start: text.indexOf("encoder_block("), end: text.indexOf("encoder_block(") + "encoder_block(dim: dim, num_heads: 2)".length });
    expect(f?.params).toBe((one?.params ?? 0n) * 3n);
  });
});
