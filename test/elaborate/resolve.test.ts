// Name resolution as data: what each name of a file refers to, in code models expand and in
// code they do not, with `let` names, parameters, labels, ops and modules told apart.

import { describe, expect, it } from "vitest";
import { occurrenceAt, resolveNames, symbolKey } from "../../src/elaborate/resolve";
import { blockSignature, opSignature } from "../../src/elaborate/signatures";
import { compileText } from "../helpers/compile";

const text = `use std.layers
block b(dim: int, depth: int = 2) {
  input [B, 3, 8, 8]
  let h = dim * 2
  stem: conv2d(out: h, kernel: 1)
  blocks: repeat depth as i { mlp(hidden: h + i, out: dim) }
  if false { late: nowhere() }
}
model m = b(dim: 4)
`;

function describeAt(source: string, needle: string, nth = 0) {
  const c = compileText(source);
  let offset = -1;
  for (let i = 0; i <= nth; i++) offset = source.indexOf(needle, offset + 1);
  const o = occurrenceAt(resolveNames(c.program).value, c.program.entry.id, offset);
  return o && { key: symbolKey(o.symbol), kind: o.symbol.kind, definition: o.definition };
}

describe("resolveNames", () => {
  it.each([
    ["use std.layers", "std", 0, "module"],
    ["b(dim", "b(", 0, "block"],
    ["dim: int", "dim", 0, "param"],
    ["dim * 2", "dim", 1, "param"],
    ["let h", "h =", 0, "local"],
    ["h, kernel", "h, kernel", 0, "local"],
    ["stem label", "stem", 0, "label"],
    ["conv2d", "conv2d", 0, "op"],
    ["kernel: of an op", "kernel", 0, "attr"],
    ["a standard-library block", "mlp", 0, "block"],
    ["its keyword argument", "hidden", 0, "param"],
    ["a repeat index", "i {", 0, "local"],
    ["the batch", "B,", 0, "implicit"],
    ["a call in a branch no model takes", "nowhere", 0, "unresolved"],
    ["the model", "m =", 0, "model"],
    ["the model's keyword argument", "dim: 4", 0, "param"],
  ])("%s", (_, needle, nth, kind) => {
    expect(describeAt(text, needle as string, nth as number)?.kind).toBe(kind);
  });

  it("gives one symbol to a `let` and its uses, and to a parameter and its uses", () => {
    expect(describeAt(text, "h =")?.key).toBe(describeAt(text, "h + i")?.key);
    expect(describeAt(text, "dim: int")?.key).toBe(describeAt(text, "dim: 4")?.key);
    expect(describeAt(text, "h =")?.definition).toBe(true);
    expect(describeAt(text, "h + i")?.definition).toBe(false);
  });

  it("never throws on recovered trees", () => {
    for (const broken of ["block (", "model = vit(", "block b(x: int { let = }", "use", 'use "', "block b() { repeat as { } }"]) {
      const c = compileText(broken);
      expect(() => resolveNames(c.program)).not.toThrow();
    }
  });
});

describe("signatures", () => {
  it("of a block: types, defaults as written, doc comments", () => {
    const c = compileText("use std.layers\nmodel m = mlp(hidden: 4, out: 4)\n");
    const mlp = c.program.visible.get(c.program.entry.id)?.get("mlp");
    const sig = blockSignature(c.program, mlp!);
    expect(sig.label).toBe('mlp(hidden: int, out: int, act: string = "gelu")');
    expect(sig.params[0].doc).toBe("hidden features of fc1");
  });
  it("of an op, from its table", () => {
    expect(opSignature("linear").label).toBe("linear(out: int, bias: bool = true)");
  });
});

describe("a `suggest` clause of `require`", () => {
  it("resolves its name and reads its value", () => {
    const src = "block b(dim: int) {\n  require dim > 1 else V2015 \"small\" suggest dim = dim + 1\n}\n";
    expect(describeAt(src, "dim =")?.kind).toBe("param");
    expect(describeAt(src, "dim + 1")?.kind).toBe("param");
  });
});
