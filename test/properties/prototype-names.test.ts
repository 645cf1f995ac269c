// Names that JavaScript objects already have (`toString`, `constructor`, `__proto__` …) are
// ordinary names in a spec. A lookup keyed by a user-written string that reaches
// Object.prototype made them built-ins, ops or families that do not exist, or crashed (V9001).
// Property: in every position a name can take, such a name is treated exactly as a plain name
// of the same length is: the same diagnostics (codes, places and messages with the name
// swapped back), so each is either accepted or given a normal coded diagnostic.

import { describe, expect, it } from "vitest";
import type { Compilation } from "../../src/pipeline";
import { compileText } from "../helpers/compile";

/** Every property of Object.prototype, and a few of Function's and Array's for good measure. */
const prototypeNames = [...new Set([
  ...Object.getOwnPropertyNames(Object.prototype),
  "call", "apply", "bind", "length", "name", "prototype", "arguments", "caller", "push", "includes",
])].filter((n) => /^[A-Za-z_][A-Za-z0-9_]*$/.test(n));

/** A spec around one position of NAME; `b` is a well-formed block every template may call. */
const base = "block b(n: int = 1) {\n  input [B, 3, 8, 8]\n  conv2d(out: 4, kernel: 1)\n}\n";
const inBlock = (statements: string) => `block t(n: int = 1) {\n  input [B, 3, 8, 8]\n${statements}\n  conv2d(out: 4, kernel: 1)\n}\nmodel m = t()\n`;
const positions: Record<string, string> = {
  "function call": inBlock("  let y = NAME(1)\n  let z = NAME()"),
  "value name": inBlock("  let y = NAME"),
  "block call": inBlock("  NAME()"),
  "layer call with a label and arguments": inBlock("  lbl: NAME(out: 4)"),
  "op argument name": inBlock("  conv2d(out: 4, kernel: 1, NAME: 2)"),
  "block argument name": `${base}model m = b(NAME: 1)\n`,
  "block argument name in a step": `${base}${inBlock("  b(NAME: 1)")}`,
  "parameter name": "block t(NAME: int = 3) {\n  input [B, 3, 8, 8]\n  conv2d(out: NAME + 1, kernel: 1)\n}\nmodel m = t(NAME: 2)\nmodel m2 = t()\n",
  "block name": "block NAME(n: int = 1) {\n  input [B, 3, 8, 8]\n  conv2d(out: 4, kernel: 1)\n}\nmodel m = NAME()\n",
  "block name called as a layer": "block NAME() {\n  conv2d(out: 4, kernel: 1)\n}\nblock t() {\n  input [B, 3, 8, 8]\n  NAME()\n}\nmodel m = t()\n",
  "model name": `${base}model NAME = b()\n`,
  "model family": "model m = NAME()\nmodel m2 = NAME(n: 1)\n",
  "label": inBlock("  NAME: conv2d(out: 4, kernel: 1)"),
  "computed label": inBlock("  (\"NAME\"): conv2d(out: 4, kernel: 1)"),
  "use std.NAME": `use std.NAME\n${base}model m = b()\n`,
  "require code": inBlock("  require n == 2 else NAME \"n is {n}\""),
  "let name": inBlock("  let NAME = 3\n  conv2d(out: NAME, kernel: 1)"),
  "let pipeline name": inBlock("  let NAME = { conv2d(out: 3, kernel: 1) }\n  let x = NAME"),
  "repeat index": inBlock("  repeat 2 as NAME { conv2d(out: 3 + NAME, kernel: 1) }"),
  "output name": inBlock("  output NAME"),
  "type name": "block t(n: NAME = 1) {\n  input [B, 3, 8, 8]\n  conv2d(out: 4, kernel: 1)\n}\nmodel m = t()\n",
  "name in a message": inBlock("  require n == 2 else \"n is {NAME}\""),
};

/**
 * The diagnostics as text, with `name` in backquotes written back as NAME, to compare two names.
 * Suggestions are left out: `toString` is rightly close to `string` where `qqqqqqqq` is not.
 */
function described(c: Compilation, name: string): string[] {
  const swap = (text: string) => text.replace(/`[^`]*`/g, (quoted) => quoted.split(name).join("NAME"));
  return c.diagnostics.map((d) => [
    `${d.code} ${d.primary.span.start}-${d.primary.span.end} ${swap(d.message)}`,
    ...d.labels.map((l) => `  label ${swap(l.text)}`),
    ...d.notes.map((n) => `  note ${swap(n.text)}`),
    ...d.help.map((h) => `  help ${swap(h)}`),
  ].join("\n"));
}

describe("names of Object.prototype's properties are plain names", () => {
  const cases = Object.entries(positions).flatMap(([where, template]) => prototypeNames.map((name) => [where, name, template] as const));
  it.each(cases)("%s: %s", (_where, name, template) => {
    // A control name of the same length keeps every span where it is.
    const control = "q".repeat(name.length);
    const got = compileText(template.replaceAll("NAME", name));
    expect(got.diagnostics.filter((d) => d.code === "V9001").map((d) => d.message)).toEqual([]);
    const expected = compileText(template.replaceAll("NAME", control));
    expect(described(got, name)).toEqual(described(expected, control));
    // A suggestion replaces the name with another name, never with a function's source text.
    const replacements = got.diagnostics.flatMap((d) => d.suggestions.flatMap((s) => s.edits.map((e) => e.newText)));
    expect(replacements.filter((r) => !/^[A-Za-z_][A-Za-z0-9_]*$/.test(r))).toEqual([]);
  });

  it("a block, parameter or value may be called `toString`", () => {
    const text = "block toString(constructor: int = 4) {\n  input [B, 3, 8, 8]\n  let valueOf = constructor\n  __proto__: conv2d(out: valueOf, kernel: 1)\n  output hasOwnProperty\n}\nmodel constructor = toString()\n";
    const c = compileText(text);
    expect(c.diagnostics).toEqual([]);
    expect(c.models[0].checked.graph.outputs.hasOwnProperty).toBe(1);
    expect(c.models[0].checked.graph.config.constructor).toBe(4);
    expect(c.models[0].checked.nodes[1].node.path).toBe("__proto__");
  });

  it("a parameter named `__proto__` is kept in the model's configuration", () => {
    const c = compileText("block t(__proto__: list = [1, 2]) {\n  input [B, 3, 8, 8]\n}\nmodel m = t()\n");
    expect(c.diagnostics).toEqual([]);
    const config = c.models[0].checked.graph.config;
    expect(Object.getOwnPropertyDescriptor(config, "__proto__")?.value).toEqual([1, 2]);
    expect(Object.keys(config)).toEqual(["__proto__"]);
  });

  it("an output named `__proto__` is a named output", () => {
    const c = compileText(inBlock("  output __proto__"));
    expect(Object.keys(c.models[0].checked.graph.outputs).sort()).toEqual(["__proto__", "logits"]);
  });
});
