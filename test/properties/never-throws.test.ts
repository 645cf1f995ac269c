// A stage never throws on user input (STYLE.md §3), every span it reports points into the
// file it names, and no control character of the input reaches the terminal raw. Checked on
// random input with fast-check: (a) token soups built from the language's own words, also as
// user modules that use each other, (b) mutations of the real specs (specs/*.vit,
// specs/std/*.vit), each compiled as a user file and, for the standard library, also as the
// module a spec `use`s.
// On failure fast-check prints the seed and the shrunk input that reproduce it.

import * as fs from "node:fs";
import * as path from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { toJson } from "../../src/diagnostics/render-json";
import { renderTerminal } from "../../src/diagnostics/render-terminal";
import { compileSource, type Compilation } from "../../src/pipeline";
import { diskHost, memoryHost, type Host } from "../../src/source/host";
import type { Span } from "../../src/source/span";
import { keywords } from "../../src/syntax/tokens";
import { repoRoot } from "../helpers/compile";

/** Modest by default so the file runs in seconds; `PROPERTY_RUNS=5000 npx vitest …` hunts longer. */
const numRuns = (fallback: number) => ({ numRuns: Number(process.env.PROPERTY_RUNS ?? fallback) });

/** The problems of one compilation: spans outside their file, renderers that throw. */
function spanProblems(c: Compilation): string[] {
  const problems: string[] = [];
  const check = (span: Span, what: string) => {
    let length: number;
    try {
      length = c.files.get(span.file).text.length;
    } catch {
      problems.push(`${what}: unknown file id ${span.file}`);
      return;
    }
    if (!(span.start >= 0 && span.start <= span.end && span.end <= length)) problems.push(`${what}: span ${span.start}..${span.end} outside 0..${length}`);
  };
  for (const d of c.diagnostics) {
    const what = `${d.code} ${d.message}`;
    check(d.primary.span, what);
    for (const label of d.labels) check(label.span, `${what} (label \`${label.text}\`)`);
    for (const note of d.notes) if (note.span) check(note.span, `${what} (note \`${note.text}\`)`);
    for (const s of d.suggestions) for (const edit of s.edits) check(edit.span, `${what} (suggestion \`${s.message}\`)`);
    if (problems.length > 0) continue;
    // Rendered output holds no control character but its line breaks.
    if (/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/.test(renderTerminal(c.files, d, { color: false }))) {
      problems.push(`${what}: a control character reaches the terminal`);
    }
    toJson(c.files, d);
  }
  return problems;
}

function compileText(text: string, host: Host = memoryHost({ "input.vit": text })): Compilation {
  return compileSource("input.vit", text, host);
}

// (a) Token soups.
const vocabulary = [
  ...keywords.map((k) => k.name.toLowerCase()),
  "x", "B", "i", "dim", "std", "vit", "layers", "swin", "vit_trunk", "encoder_block", "linear", "conv2d", "layer_norm", "sdpa",
  "relu", "gelu", "reshape", "pos_embed", "len", "range", "int", "float", "list", "tensor", "any", "img_size", "embed_dim",
  "0", "1", "3", "16", "224", "768", "-1", "1e-6", ".5", "2.", "99999999999999999999", '"s"', '"{dim}"', '"{"', '"unterminated',
  "(", ")", "[", "]", "{", "}", ",", ":", ".", "|", "=", "==", "!=", "<", "<=", ">", ">=", "+", "-", "*", "/", "//", "%",
  "\n", "# comment\n", "## doc\n", "'", "@", "é", "\t", "\u{1F600}", "\uD800",
  // Names Object.prototype has, and characters a terminal would act on.
  "toString", "constructor", "__proto__", "hasOwnProperty", '"\u001b[2J"', '"\u202e"', "\u0007",
];
const fragments = ["use std.vit\n", "use std.layers\n", "model m = ", "block b(n: int = 1) {\n", "input [B, 3, 32, 32]\n", "repeat 2 as i {", "residual {", "let y = ", "expect [B, 3]\n"];
const soup = fc
  .array(fc.tuple(fc.oneof({ weight: 8, arbitrary: fc.constantFrom(...vocabulary) }, fc.constantFrom(...fragments), fc.stringMatching(/^[a-z_][a-z0-9_]{0,5}$/), fc.nat().map(String)), fc.constantFrom(" ", "", "\n")), { maxLength: 120 })
  .map((parts) => parts.map(([token, gap]) => token + gap).join(""));

// (b) Mutations of the real specs.
const specFiles = fs.readdirSync(path.join(repoRoot, "specs")).filter((f) => f.endsWith(".vit")).map((f) => `specs/${f}`);
const stdFiles = fs.readdirSync(path.join(repoRoot, "specs", "std")).filter((f) => f.endsWith(".vit")).map((f) => `specs/std/${f}`);
const textOf = (file: string) => fs.readFileSync(path.join(repoRoot, file), "utf8");

type Mutation =
  | { kind: "delete" | "duplicate"; at: number; length: number }
  | { kind: "swap"; at: number; other: number; length: number }
  | { kind: "insert"; at: number; text: string }
  | { kind: "digit"; at: number; digit: string };

const position = fc.nat({ max: 1 << 20 });
const spanLength = fc.integer({ min: 1, max: 40 });
const inserted = fc.oneof(
  fc.constantFrom(...vocabulary),
  fc.string({ maxLength: 6 }),
  fc.string({ unit: "binary", maxLength: 3 }),
  fc.stringMatching(/^[0-9]{1,4}$/),
);
const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constantFrom("delete" as const, "duplicate" as const), at: position, length: spanLength }),
  fc.record({ kind: fc.constant("swap" as const), at: position, other: position, length: spanLength }),
  fc.record({ kind: fc.constant("insert" as const), at: position, text: inserted }),
  fc.record({ kind: fc.constant("digit" as const), at: position, digit: fc.constantFrom(..."0123456789") }),
);

function mutate(text: string, m: Mutation): string {
  const at = m.at % (text.length + 1);
  switch (m.kind) {
    case "delete": return text.slice(0, at) + text.slice(at + m.length);
    case "duplicate": return text.slice(0, at + m.length) + text.slice(at, at + m.length) + text.slice(at + m.length);
    case "insert": return text.slice(0, at) + m.text + text.slice(at);
    case "swap": {
      const [a, b] = [at, m.other % (text.length + 1)].sort((p, q) => p - q);
      const length = Math.min(m.length, b - a);
      return text.slice(0, a) + text.slice(b, b + length) + text.slice(a + length, b) + text.slice(a, a + length) + text.slice(b + length);
    }
    case "digit": {
      const digits = [...text.matchAll(/[0-9]/g)].map((d) => d.index as number);
      if (digits.length === 0) return text;
      const i = digits[m.at % digits.length];
      return text.slice(0, i) + m.digit + text.slice(i + 1);
    }
  }
}

const mutated = (files: string[]) =>
  fc.record({ file: fc.constantFrom(...files), mutations: fc.array(mutation, { minLength: 1, maxLength: 4 }) })
    .map(({ file, mutations }) => ({ file, text: mutations.reduce(mutate, textOf(file)) }));

/** A spec that `use`s each standard-library module, to compile a mutated module through. */
const userOf: Record<string, string> = {
  vit: "vit_tiny_patch16_224", layers: "deit_tiny_distilled_patch16_224", swin: "swin_tiny_patch4_window7_224",
  mobilevit: "mobilevit_xxs", resnetv2: "vit_small_r26_s32_224",
};

function hostWithStdModule(name: string, text: string, user: string, userText: string): Host {
  const disk = diskHost();
  return {
    readFile: (p) => (p === user ? { ok: true, text: userText } : { ok: false, reason: "no such file" }),
    locate: disk.locate,
    readStdModule: (n) => (n === name ? { path: `std/${n}.vit`, text } : disk.readStdModule(n)),
  };
}

describe("the compiler never throws, and its spans stay inside their files", () => {
  it("on token soups", () => {
    fc.assert(fc.property(soup, (text) => {
      expect(spanProblems(compileText(text)), text).toEqual([]);
    }), numRuns(200));
  });

  it("on mutated specs", () => {
    fc.assert(fc.property(mutated(specFiles), ({ text }) => {
      expect(spanProblems(compileText(text)), text).toEqual([]);
    }), numRuns(200));
  });

  it("on mutated standard-library modules, compiled on their own and through a spec that uses them", () => {
    fc.assert(fc.property(mutated(stdFiles), ({ file, text }) => {
      expect(spanProblems(compileText(text)), text).toEqual([]);
      const name = path.basename(file, ".vit");
      const user = `specs/${userOf[name]}.vit`;
      const c = compileSource(user, textOf(user), hostWithStdModule(name, text, user, textOf(user)));
      expect(spanProblems(c), text).toEqual([]);
    }), numRuns(150));
  });

  it("on user modules that use each other (missing files, directories and cycles included)", () => {
    const names = ["main.vit", "lib/a.vit", "lib/b.vit", "lib/deep/c.vit"];
    const uses = ["lib/a.vit", "a.vit", "b.vit", "../main.vit", "deep/c.vit", "../b.vit", "../../lib/a.vit", "missing.vit", "lib", ""]
      .map((p) => `use "${p}"\n`);
    const file = fc.tuple(fc.array(fc.constantFrom(...uses, "use std.layers\n"), { maxLength: 3 }), soup).map(([lines, body]) => lines.join("") + body);
    fc.assert(fc.property(fc.array(file, { minLength: names.length, maxLength: names.length }), (texts) => {
      const files = Object.fromEntries(names.map((n, i) => [n, texts[i]]));
      expect(spanProblems(compileSource("main.vit", files["main.vit"], memoryHost(files))), JSON.stringify(files)).toEqual([]);
    }), numRuns(150));
  });

  it("every standard library module has a spec that uses it here", () => {
    expect(stdFiles.map((f) => path.basename(f, ".vit")).filter((n) => !(n in userOf))).toEqual([]);
  });
});
