// Control characters from a spec never reach the terminal raw: a `require` message holding an
// escape sequence, a string value with a bidi override, a source line with a bell, a file path
// with an escape. The terminal renderer, tool errors and the summary table show them as
// visible escapes (with carets still under the right characters); JSON keeps the exact text.

import { describe, expect, it } from "vitest";
import { makeDiagnostic } from "../../src/diagnostics/diagnostic";
import { toJson } from "../../src/diagnostics/render-json";
import { renderTerminal } from "../../src/diagnostics/render-terminal";
import { renderToolError, ToolError } from "../../src/diagnostics/tool-error";
import { visibleText } from "../../src/diagnostics/visible-text";
import { renderSummaryTable, summarize } from "../../src/reports/summary";
import { FileTable } from "../../src/source/file-table";
import { compileText } from "../helpers/compile";

const ESC = "\x1b";
/** Every character that must not reach a terminal raw, in the ranges visibleText covers. */
const controls = [
  ...Array.from({ length: 0x20 }, (_, i) => i), 0x7f,
  ...Array.from({ length: 0x20 }, (_, i) => 0x80 + i),
  0x202a, 0x202b, 0x202c, 0x202d, 0x202e, 0x2066, 0x2067, 0x2068, 0x2069,
].map((c) => String.fromCharCode(c));
const rawControl = new RegExp(`[${controls.map((c) => `\\u{${c.charCodeAt(0).toString(16)}}`).join("")}]`, "u");

/** Rendered output is lines: each holds no control character. */
function expectVisible(text: string): void {
  for (const line of text.split("\n")) expect(line).not.toMatch(rawControl);
}

describe("visibleText", () => {
  it("escapes every control character, and nothing else", () => {
    for (const c of controls) expect(visibleText(`a${c}b`), `U+${c.charCodeAt(0).toString(16)}`).not.toMatch(rawControl);
    expect(visibleText(`${ESC}[31mred\u202e\u0085\x7f\x07\t\n`)).toBe("\\u{1b}[31mred\\u{202e}\\u{85}\\u{7f}\\u{7}\\t\\n");
    expect(visibleText("plain: é, 中, \u{1F600}, `x`")).toBe("plain: é, 中, \u{1F600}, `x`");
    expect(visibleText("a\tb", { tab: "    " })).toBe("a    b");
  });
});

describe("the terminal renderer", () => {
  it("shows control characters in the message, labels, notes, help and suggestions as escapes", () => {
    const files = new FileTable();
    const file = files.add("spec.vit", "model m = a()\n");
    const d = makeDiagnostic("V2015", `${ESC}]0;pwned\x07 message\u202e`, { file: file.id, start: 10, end: 13 }, {
      label: `label ${ESC}[2J`,
      labels: [{ span: { file: file.id, start: 0, end: 5 }, text: "other\u2066label" }],
      notes: [{ text: `note\x9b31m` }, { text: "located\r", span: { file: file.id, start: 6, end: 7 } }],
      help: [`help\nsecond line`],
      suggestions: [{ message: `suggest ${ESC}c`, edits: [], applicability: "maybe-incorrect" }],
    });
    const text = renderTerminal(files, d, { color: false });
    expectVisible(text);
    expect(text).toContain("error[V2015]: \\u{1b}]0;pwned\\u{7} message\\u{202e}");
    expect(text).toContain("label \\u{1b}[2J");
    expect(text).toContain("other\\u{2066}label");
    expect(text).toContain("= note: note\\u{9b}31m");
    expect(text).toContain("= note: located\\r (spec.vit:1:7)");
    expect(text).toContain("= help: help\\nsecond line");
    expect(text).toContain("= help: suggest \\u{1b}c");
    // With colour on, the only escapes are the renderer's own colours.
    const colored = renderTerminal(files, d, { color: true });
    expectVisible(colored.replace(/\x1b\[[0-9;]*m/g, ""));
  });

  it("shows a file path's control characters as escapes", () => {
    const files = new FileTable();
    const file = files.add(`evil${ESC}[31m.vit`, "model m = a()\n");
    const text = renderTerminal(files, makeDiagnostic("V2016", "unknown model family `a`", { file: file.id, start: 10, end: 11 }), { color: false });
    expect(text.split("\n")[0]).toBe("evil\\u{1b}[31m.vit:1:11: error[V2016]: unknown model family `a`");
  });

  it("escapes the quoted source line and keeps the carets under the right characters", () => {
    const text = `block a() {\n  input [B, 3, 8, 8]\n  let y = [\"${ESC}[2J\u202e\", \"\t\x07\"]\n  let z = nope\n  let w = [\"\x9b\", nope]\n}\nmodel m = a()\n`;
    const c = compileText(text);
    expect(c.diagnostics.map((d) => d.code)).toEqual(["V2001", "V2001"]);
    const rendered = renderTerminal(c.files, c.diagnostics[1], { color: false });
    expectVisible(rendered);
    const lines = rendered.split("\n");
    const source = lines.find((l) => l.startsWith("5 |"))!;
    expect(source).toBe('5 |   let w = ["\\u{9b}", nope]');
    const carets = lines[lines.indexOf(source) + 1];
    expect(source.slice(carets.indexOf("^"), carets.lastIndexOf("^") + 1)).toBe("nope");
  });

  it("renders a spec's `require` message with an escape sequence visibly, and JSON exactly", () => {
    const message = `${ESC}[2J${ESC}[31mbad \u202e{n}`;
    const c = compileText(`block a(n: int = 1) {\n  input [B, 3, 8, 8]\n  require n == 2 else "${message}" help "${ESC}]0;t\x07"\n}\nmodel m = a()\n`);
    const [d] = c.diagnostics;
    expect(d.message).toBe(`${ESC}[2J${ESC}[31mbad \u202e1`);
    const rendered = renderTerminal(c.files, d, { color: false });
    expectVisible(rendered);
    expect(rendered).toContain("\\u{1b}[2J\\u{1b}[31mbad \\u{202e}1");
    expect(rendered).toContain("= help: \\u{1b}]0;t\\u{7}");
    // JSON keeps the message exactly; JSON.stringify escapes what JSON must.
    expect(toJson(c.files, d).message).toBe(d.message);
  });
});

describe("tool errors", () => {
  it("show a file path's control characters as escapes", () => {
    const text = renderToolError(new ToolError("V4001", `cannot read \`w${ESC}[8m.safetensors\``, { file: `w${ESC}[8m.safetensors`, notes: ["n\u202e"], help: ["h\x07"] }));
    expectVisible(text);
    expect(text).toBe("w\\u{1b}[8m.safetensors: error[V4001]: cannot read `w\\u{1b}[8m.safetensors`\n  = note: n\\u{202e}\n  = help: h\\u{7}");
  });
});

describe("the summary table", () => {
  it("shows control characters in names and paths as escapes", () => {
    const c = compileText("block a() {\n  input [B, 3, 8, 8]\n  conv2d(out: 4, kernel: 1)\n}\nmodel m = a()\n");
    const s = summarize(c.models[0]);
    const evil = { ...s, name: `m${ESC}[2J`, layers: s.layers.map((l) => ({ ...l, path: `p\u202e${l.path}` })) };
    const table = renderSummaryTable(evil);
    expectVisible(table);
    expect(table.split("\n")[0]).toBe("model m\\u{1b}[2J: input [B, 3, 8, 8] → output [B, 4, 8, 8]");
    expect(table).toContain("p\\u{202e}");
  });
});
