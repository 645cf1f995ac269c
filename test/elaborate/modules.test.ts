// User modules: `use "lib/blocks.vit"` makes the blocks of the user's own file callable, as
// `use std.vit` does for the standard library. Case files hold one file each, so these tests
// give the compiler several files through an in-memory host (keys are paths, relative ones
// from the working directory) and check what each error says and where it lands.

import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { Diagnostic } from "../../src/diagnostics/diagnostic";
import { toJson } from "../../src/diagnostics/render-json";
import { formatLocation, renderNote } from "../../src/diagnostics/render-terminal";
import { compileSource, type Compilation } from "../../src/pipeline";
import { summarize } from "../../src/reports/summary";
import { diskHost, memoryHost } from "../../src/source/host";

function compileFiles(files: Record<string, string>, entry = "main.vit"): Compilation {
  return compileSource(entry, files[entry], memoryHost(files));
}

/** What a reader of `vitc check` sees first: `path:line:col: CODE: message`. */
function headline(c: Compilation, d: Diagnostic): string {
  return `${formatLocation(c.files, d.primary.span)}: ${d.code}: ${d.message}`;
}

function headlines(c: Compilation): string[] {
  return c.diagnostics.map((d) => headline(c, d));
}

function notes(c: Compilation, d: Diagnostic): string[] {
  return d.notes.map((n) => renderNote(c.files, n));
}

/** The text a span covers. */
function textAt(c: Compilation, span: Diagnostic["primary"]["span"]): string {
  return c.files.get(span.file).text.slice(span.start, span.end);
}

const encoder = `use std.layers

## A two-block encoder on 32x32 images.
block tiny_encoder(dim: int, depth: int = 2, heads: int = 4) {
  input [B, 3, 32, 32]
  patch_embed: conv2d(out: dim, kernel: 8, stride: 8)
  flatten_tokens()
  blocks: repeat depth as i {
    encoder_block(dim: dim, num_heads: heads)
  }
  norm: layer_norm(eps: 1e-6)
}
`;

describe("blocks from a module", () => {
  it("work as the same blocks written inline: same layers, shapes and parameters", () => {
    const modular = compileFiles({ "main.vit": `use "lib/encoder.vit"\nmodel m = tiny_encoder(dim: 64)\n`, "lib/encoder.vit": encoder });
    const inline = compileFiles({ "main.vit": `${encoder}model m = tiny_encoder(dim: 64)\n` });
    expect(modular.diagnostics).toEqual([]);
    expect(inline.diagnostics).toEqual([]);
    const [a, b] = [modular, inline].map((c) => summarize(c.models[0]));
    expect(a.params).toBeGreaterThan(0);
    expect(a).toEqual(b);
  });

  it("come with the standard-library modules the module uses (one rule for both kinds)", () => {
    const c = compileFiles({
      "main.vit": `use "lib/encoder.vit"\nblock head() {\n  input [B, 17, 64]\n  encoder_block(dim: 64, num_heads: 4)\n}\nmodel m = head()\n`,
      "lib/encoder.vit": encoder,
    });
    expect(c.diagnostics).toEqual([]);
    expect(c.models.map((m) => m.name)).toEqual(["m"]);
  });

  it("nest: a module may use other modules, by paths relative to itself", () => {
    const c = compileFiles({
      "specs/main.vit": `use "lib/stage.vit"\nmodel m = stage(dim: 32)\n`,
      "specs/lib/stage.vit": `use "parts/mlp.vit"\nblock stage(dim: int) {\n  input [B, 16, dim]\n  mlp: small_mlp(dim: dim)\n}\n`,
      "specs/lib/parts/mlp.vit": `block small_mlp(dim: int) {\n  fc1: linear(out: dim * 2)\n  gelu()\n  fc2: linear(out: dim)\n}\n`,
    }, "specs/main.vit");
    expect(c.diagnostics).toEqual([]);
    expect(c.files.all().map((f) => f.path)).toEqual(["specs/main.vit", "specs/lib/stage.vit", "specs/lib/parts/mlp.vit"]);
    expect(summarize(c.models[0]).layers.map((l) => l.path)).toEqual(["", "mlp.fc1", "mlp", "mlp.fc2"]);
  });

  it("load each file once, however it is spelled and however many files use it", () => {
    const c = compileFiles({
      "main.vit": `use "lib/b.vit"\nuse "./lib/../lib/b.vit"\nuse "lib/c.vit"\nmodel m = both()\n`,
      "lib/b.vit": `block one() {\n  fc: linear(out: 4)\n}\n`,
      "lib/c.vit": `use "b.vit"\nblock both() {\n  input [B, 8]\n  one()\n}\n`,
    });
    expect(c.diagnostics).toEqual([]);
    expect(c.files.all().map((f) => f.path)).toEqual(["main.vit", "lib/b.vit", "lib/c.vit"]);
  });

  it("accept an absolute path", () => {
    const lib = path.resolve("abs-lib/blocks.vit");
    const c = compileFiles({ "main.vit": `use ${JSON.stringify(lib)}\nmodel m = one()\n`, [lib]: `block one() {\n  input [B, 4]\n}\n` });
    expect(c.diagnostics).toEqual([]);
    expect(c.files.all().map((f) => f.path)).toEqual(["main.vit", lib]);
  });

  it("do not bring their models: only the entry file's models are compiled", () => {
    const c = compileFiles({
      "main.vit": `use "lib/b.vit"\nmodel mine = one()\n`,
      "lib/b.vit": `block one() {\n  input [B, 4]\n}\nmodel theirs = one()\nmodel broken = not_a_block()\n`,
    });
    expect(c.diagnostics).toEqual([]);
    expect(c.models.map((m) => m.name)).toEqual(["mine"]);
  });

  it("are listed per file as resolved paths, for a language server to re-check on change", () => {
    const c = compileFiles({
      "main.vit": `use "lib/b.vit"\nuse "lib/missing.vit"\nuse std.layers\n`,
      "lib/b.vit": `use "c.vit"\n`,
      "lib/c.vit": ``,
    });
    const ids = new Map(c.files.all().map((f) => [f.path, f.id]));
    const deps = (p: string) => c.program.moduleDependencies.get(ids.get(p) as number);
    expect(deps("main.vit")).toEqual(["lib/b.vit", "lib/missing.vit", "lib/c.vit"].map((p) => path.resolve(p)));
    expect(deps("lib/b.vit")).toEqual([path.resolve("lib/c.vit")]);
    expect(deps("lib/c.vit")).toEqual([]);
    expect(c.program.resolvedPaths.get(c.program.entry.id)).toBe(path.resolve("main.vit"));
  });
});

describe("errors about modules", () => {
  it("a missing module file: V2008 on the string, with the reason and the resolved path", () => {
    const c = compileFiles({ "specs/main.vit": `use std.layers\nuse "lib/nope.vit"\nmodel m = one()\n` }, "specs/main.vit");
    expect(headlines(c)).toEqual(["specs/main.vit:2:5: V2008: cannot read module `lib/nope.vit`: no such file"]);
    const [d] = c.diagnostics;
    expect(textAt(c, d.primary.span)).toBe(`"lib/nope.vit"`);
    expect(notes(c, d)).toEqual([`\`lib/nope.vit\` is looked for in the directory of \`specs/main.vit\`: \`${path.resolve("specs/lib/nope.vit")}\``]);
  });

  it("an import cycle: V2018 on the `use` that closes it, with the chain", () => {
    const c = compileFiles({
      "a.vit": `use "b.vit"\nmodel m = from_b()\n`,
      "b.vit": `use "a.vit"\nblock from_b() {\n  input [B, 4]\n}\n`,
    }, "a.vit");
    expect(headlines(c)).toEqual(["b.vit:1:5: V2018: import cycle: `a.vit` → `b.vit` → `a.vit`"]);
    const [d] = c.diagnostics;
    expect(textAt(c, d.primary.span)).toBe(`"a.vit"`);
    expect(notes(c, d)).toContain("`b.vit` is imported by `a.vit` (a.vit:1:1)");
  });

  it("a longer cycle that does not pass through the entry", () => {
    const c = compileFiles({
      "main.vit": `use "lib/x.vit"\n`,
      "lib/x.vit": `use "y.vit"\n`,
      "lib/y.vit": `use "z.vit"\n`,
      "lib/z.vit": `\nuse "./x.vit"\n`,
    });
    expect(headlines(c)).toEqual(["lib/z.vit:2:5: V2018: import cycle: `lib/x.vit` → `lib/y.vit` → `lib/z.vit` → `lib/x.vit`"]);
  });

  it("a file that uses itself", () => {
    const c = compileFiles({ "main.vit": `block one() {\n  input [B, 4]\n}\nuse "main.vit"\nmodel m = one()\n` });
    expect(headlines(c)).toEqual(["main.vit:4:5: V2018: import cycle: `main.vit` → `main.vit`"]);
    expect(c.diagnostics[0].primary.text).toBe("a file cannot use itself");
  });

  it("two modules that define the same block: V2009 on the second `use`, both definitions labelled", () => {
    const c = compileFiles({
      "main.vit": `use "lib/a.vit"\nuse "lib/b.vit"\nmodel m = stem()\n`,
      "lib/a.vit": `block stem() {\n  input [B, 4]\n}\n`,
      "lib/b.vit": `block other() {\n  input [B, 4]\n}\nblock stem() {\n  input [B, 8]\n}\n`,
    });
    expect(headlines(c)).toEqual(["main.vit:2:5: V2009: block `stem` is defined by both `lib/a.vit` and `lib/b.vit`"]);
    const [d] = c.diagnostics;
    expect(d.labels.map((l) => `${formatLocation(c.files, l.span)} ${l.text}`)).toEqual([
      "lib/a.vit:1:7 `lib/a.vit`'s `stem` is defined here",
      "lib/b.vit:4:7 `lib/b.vit`'s `stem` is defined here",
    ]);
  });

  it("a block named like one a module brings in: V2009 on the block, the module's labelled", () => {
    const c = compileFiles({
      "main.vit": `use "lib/a.vit"\nblock stem() {\n  input [B, 4]\n}\nmodel m = stem()\n`,
      "lib/a.vit": `block stem() {\n  input [B, 4]\n}\n`,
    });
    expect(headlines(c)).toEqual(["main.vit:2:7: V2009: block `stem` has the name of `lib/a.vit`'s `stem`"]);
    const [d] = c.diagnostics;
    expect(d.labels.map((l) => `${formatLocation(c.files, l.span)} ${l.text}`)).toEqual(["lib/a.vit:1:7 `lib/a.vit`'s `stem` is defined here"]);
    expect(d.help).toEqual(["rename this block, or leave out `use \"lib/a.vit\"` if it is meant to replace it"]);
  });

  it("a standard-library block and a module's block of the same name clash as two modules do", () => {
    const c = compileFiles({ "main.vit": `use std.layers\nuse "lib/a.vit"\n`, "lib/a.vit": `block mlp(dim: int) {\n  fc: linear(out: dim)\n}\n` });
    expect(headlines(c)).toEqual(["main.vit:2:5: V2009: block `mlp` is defined by both `std.layers` and `lib/a.vit`"]);
  });

  it("a name that only a failed `use` could have brought is not reported again", () => {
    const c = compileFiles({ "main.vit": `use "lib/nope.vit"\nmodel m = one()\n` });
    expect(c.diagnostics.map((d) => d.code)).toEqual(["V2008"]);
  });
});

describe("diagnostics inside a module file", () => {
  it("a syntax error lands in the module, with the import chain as a note", () => {
    const c = compileFiles({
      "main.vit": `# comment\nuse "lib/b.vit"\nmodel m = one()\n`,
      "lib/b.vit": `block one() {\n  input [B, 4]\n  fc: linear(out: 4 bias: false)\n}\n`,
    });
    expect(headlines(c)).toEqual(["lib/b.vit:3:21: V1001: expected `)`, found `bias`"]);
    expect(notes(c, c.diagnostics[0])).toEqual(["`lib/b.vit` is imported by `main.vit` (main.vit:2:1)"]);
    const json = toJson(c.files, c.diagnostics[0]);
    expect(json.file).toBe("lib/b.vit");
    expect(json.range.start).toEqual({ line: 2, character: 20 });
    expect(json.notes).toEqual(["`lib/b.vit` is imported by `main.vit` (main.vit:2:1)"]);
  });

  it("through two modules, the chain has one note per `use`", () => {
    const c = compileFiles({
      "main.vit": `use "lib/b.vit"\nmodel m = outer()\n`,
      "lib/b.vit": `use "deep/c.vit"\nblock outer() {\n  input [B, 4]\n  inner()\n}\n`,
      "lib/deep/c.vit": `block inner() {\n  fc: linear(out: nope)\n}\n`,
    });
    expect(headlines(c)).toEqual(["lib/deep/c.vit:2:19: V2001: unknown name `nope`"]);
    expect(notes(c, c.diagnostics[0])).toEqual([
      "`lib/deep/c.vit` is imported by `lib/b.vit` (lib/b.vit:1:1)",
      "`lib/b.vit` is imported by `main.vit` (main.vit:1:1)",
    ]);
  });

  it("an unknown layer in a block no model uses is still reported, once", () => {
    const c = compileFiles({
      "main.vit": `use "lib/b.vit"\nmodel m = one()\nmodel n = one()\n`,
      "lib/b.vit": `block one() {\n  input [B, 4]\n  lienar(out: 4)\n}\nblock unused() {\n  conv2dd(out: 4)\n}\n`,
    });
    expect(headlines(c)).toEqual([
      "lib/b.vit:3:3: V2002: unknown block or op `lienar`",
      "lib/b.vit:6:3: V2002: unknown block or op `conv2dd`",
    ]);
  });

  it("a shape error from a block defined in a module lands in the module", () => {
    const c = compileFiles({
      "main.vit": `use "lib/b.vit"\nmodel m = wrong()\n`,
      "lib/b.vit": `block wrong() {\n  input [B, 16]\n  residual {\n    fc: linear(out: 8)\n  }\n}\n`,
    });
    expect(headlines(c)).toEqual([expect.stringMatching(/^lib\/b\.vit:3:3: V3106: /)]);
    expect(notes(c, c.diagnostics[0])).toContain("`lib/b.vit` is imported by `main.vit` (main.vit:1:1)");
  });

  it("an error in the standard library lands on the module's line that called it, not the entry's", () => {
    const c = compileFiles({
      "main.vit": `use "lib/b.vit"\nmodel m = attn()\n`,
      "lib/b.vit": `use std.layers\nblock attn() {\n  input [B, 4, 10]\n  mh_attention(dim: 10, num_heads: 3)\n}\n`,
    });
    expect(headlines(c)).toEqual(["lib/b.vit:4:21: V3102: `embed_dim` 10 is not divisible by `num_heads` 3"]);
  });

  it("a module in a folder named `std` is still the user's file", () => {
    const c = compileFiles({
      "main.vit": `use "std/mine.vit"\nmodel m = attn()\n`,
      "std/mine.vit": `use std.layers\nblock attn() {\n  input [B, 4, 10]\n  mh_attention(dim: 10, num_heads: 3)\n}\n`,
    });
    expect(headlines(c)).toEqual(["std/mine.vit:4:21: V3102: `embed_dim` 10 is not divisible by `num_heads` 3"]);
  });

  it("an argument the entry passes is where an error about it lands", () => {
    const c = compileFiles({
      "main.vit": `use "lib/b.vit"\nmodel m = attn(dim: 10)\n`,
      "lib/b.vit": `use std.layers\nblock attn(dim: int) {\n  input [B, 4, dim]\n  mh_attention(dim: dim, num_heads: 3)\n}\n`,
    });
    expect(headlines(c)).toEqual(["main.vit:2:21: V3102: `embed_dim` 10 is not divisible by `num_heads` 3"]);
  });
});

describe("modules on disk", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "vitc-modules-"));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it.each([
    ["a directory", (p: string) => fs.mkdirSync(p), "is a directory, not a .vit file"],
    ["invalid UTF-8", (p: string) => fs.writeFileSync(p, Buffer.from([0x62, 0xe9, 0xff])), "is not valid UTF-8 text"],
    ["binary data", (p: string) => fs.writeFileSync(p, Buffer.from([0x62, 0, 0x63])), "is binary data (it contains NUL bytes), not a .vit spec"],
  ])("a module that is %s is V2008 with the reason", (_, make, reason) => {
    const name = `m-${reason.length}.vit`;
    make(path.join(dir, name));
    const entry = path.join(dir, "main.vit");
    const text = `use "${name}"\n`;
    const c = compileSource(entry, text, diskHost());
    expect(headlines(c)).toEqual([`${entry}:1:5: V2008: cannot read module \`${name}\`: ${reason}`]);
  });
});
