// Every request of the language server through the real `vitc lsp --stdio` process: hover, inlay
// hints (and turning them off), definition and references, completion, signature help, code
// actions from suggestions, document symbols, folding ranges, semantic tokens and rename.

import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fileUri, LspClient } from "../helpers/lsp-client";

const root = path.resolve(__dirname, "..", "..");
const encoder = `use std.layers

## A tiny encoder for tests.
block enc(
  ## channels of the patch embedding
  dim: int,
  depth: int = 2,
) {
  input [B, 3, 32, 32]
  patch: conv2d(out: dim, kernel: 8, stride: 8)
  flatten_tokens()
  let heads = 4
  blocks: repeat depth as i {
    encoder_block(dim: dim, num_heads: heads)
  }
  norm: layer_norm(eps: 1e-6)
}

model tiny = enc(dim: 64)
`;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "vitc-lsp-features-"));
const encUri = fileUri(path.join(dir, "enc.vit"));
const vitBase = path.join(root, "specs", "vit_base_patch16_224.vit");

let client: LspClient;
beforeAll(async () => {
  client = await LspClient.start();
  client.open(encUri, encoder);
  client.open(fileUri(vitBase), fs.readFileSync(vitBase, "utf8"));
  await client.diagnostics(encUri, 1);
});
afterAll(async () => { expect(await client.stop()).toBe(0); });

const at = (uri: string, line: number, character: number) => ({ textDocument: { uri }, position: { line, character } });
type Markup = { contents: { value: string } } | null;
const hoverText = async (uri: string, line: number, character: number) => ((await client.request<Markup>("textDocument/hover", at(uri, line, character)))?.contents.value ?? "");

describe("hover", () => {
  it("on a one-line model: shapes, exact parameters and MACs per image", async () => {
    const text = await hoverText(fileUri(vitBase), 3, 8);
    expect(text).toContain("input `[B, 3, 224, 224]` → output `[B, 1000]`");
    expect(text).toContain("params: 86,567,656");
    expect(text).toMatch(/MACs: [\d,]+ per image/);
  });
  it("on a labelled step: op, output shape, path, parameters and MACs", async () => {
    const text = await hoverText(encUri, 9, 4);
    expect(text).toContain("op `conv2d` → `[B, 64, 4, 4]`");
    expect(text).toContain("path: `patch`");
    expect(text).toContain("params: 12,352 · MACs: 196,608");
  });
  it("on a block call inside a repeat: the first of its instances", async () => {
    const text = await hoverText(encUri, 13, 6);
    expect(text).toContain("block `encoder_block` → `[B, 16, 64]`");
    expect(text).toContain("path: `blocks.0`");
    expect(text).toContain("expanded 2 times");
    expect(text).toContain("block encoder_block(dim: int, num_heads: int, mlp_ratio: float = 4.0");
  });
  it("on a labelled `repeat`: its output, path, and the parameters of all its iterations", async () => {
    const text = await hoverText(encUri, 12, 4);
    expect(text).toContain("→ `[B, 16, 64]`");
    expect(text).toContain("path: `blocks`");
    expect(text).toMatch(/params: [\d,]+ · MACs: [\d,]+/);
  });
  it("on a family: its doc comment and signature with types and defaults", async () => {
    const text = await hoverText(encUri, 18, 14);
    expect(text).toContain("block enc(dim: int, depth: int = 2)");
    expect(text).toContain("A tiny encoder for tests.");
    expect(text).toContain("- `dim`: channels of the patch embedding");
  });
  it("on a keyword argument: the parameter's doc, type and default", async () => {
    expect(await hoverText(encUri, 18, 18)).toContain("dim: int");
    expect(await hoverText(encUri, 18, 18)).toContain("channels of the patch embedding");
    const eps = await hoverText(encUri, 15, 21);
    expect(eps).toContain("eps: float = 0.00001");
    expect(eps).toContain("argument of op `layer_norm`");
  });
});

describe("inlay hints", () => {
  const everything = { start: { line: 0, character: 0 }, end: { line: 100, character: 0 } };
  type Hint = { position: { line: number; character: number }; label: string };
  it("show the shape after each step and the summary after a model line", async () => {
    const hints = await client.request<Hint[]>("textDocument/inlayHint", { textDocument: { uri: encUri }, range: everything });
    const byLine = Object.fromEntries(hints.map((h) => [h.position.line, h.label]));
    expect(byLine[8]).toBe("[B, 3, 32, 32]");
    expect(byLine[9]).toBe("[B, 64, 4, 4]");
    expect(byLine[10]).toBe("[B, 16, 64]");
    expect(byLine[13]).toBe("[B, 16, 64]");
    expect(byLine[14]).toBe("[B, 16, 64]"); // after the `repeat`'s closing brace
    expect(byLine[18]).toMatch(/^\[B, 3, 32, 32\] → \[B, 16, 64\] · [\d,]+ params$/);
    const base = await client.request<Hint[]>("textDocument/inlayHint", { textDocument: { uri: fileUri(vitBase) }, range: everything });
    expect(base.map((h) => h.label)).toEqual(["[B, 3, 224, 224] → [B, 1000] · 86,567,656 params"]);
  });
  it("can be turned off by the client's settings", async () => {
    client.notify("workspace/didChangeConfiguration", { settings: { vitc: { inlayHints: { stepShapes: false } } } });
    const hints = await client.request<Hint[]>("textDocument/inlayHint", { textDocument: { uri: encUri }, range: everything });
    expect(hints.map((h) => h.position.line)).toEqual([18]);
    client.notify("workspace/didChangeConfiguration", { settings: { vitc: { inlayHints: { stepShapes: true, modelSummary: false } } } });
    const steps = await client.request<Hint[]>("textDocument/inlayHint", { textDocument: { uri: encUri }, range: everything });
    expect(steps.map((h) => h.position.line)).not.toContain(18);
    client.notify("workspace/didChangeConfiguration", { settings: { vitc: { inlayHints: {} } } });
  });
});

describe("navigation", () => {
  type Location = { uri: string; range: { start: { line: number; character: number } } };
  it("goes to a standard-library block in its file on disk", async () => {
    const [loc] = await client.request<Location[]>("textDocument/definition", at(encUri, 13, 6));
    const file = fileURLToPath(loc.uri);
    expect(file).toBe(path.join(root, "specs", "std", "layers.vit"));
    expect(fs.readFileSync(file, "utf8").split("\n")[loc.range.start.line]).toMatch(/^block encoder_block\(/);
  });
  it("goes to parameters and `let` names", async () => {
    expect((await client.request<Location[]>("textDocument/definition", at(encUri, 9, 22)))[0].range.start).toEqual({ line: 5, character: 2 });
    expect((await client.request<Location[]>("textDocument/definition", at(encUri, 13, 40)))[0].range.start).toEqual({ line: 11, character: 6 });
  });
  it("goes into a user module and finds references across open documents", async () => {
    const lib = path.join(dir, "lib.vit");
    fs.writeFileSync(lib, "block stem(width: int) {\n  input [B, 3, 32, 32]\n  conv: conv2d(out: width, kernel: 3)\n}\n");
    const mainUri = fileUri(path.join(dir, "main.vit"));
    client.open(mainUri, 'use "lib.vit"\nmodel a = stem(width: 8)\nmodel b = stem(width: 16)\n');
    client.open(fileUri(lib), fs.readFileSync(lib, "utf8"));
    const [def] = await client.request<Location[]>("textDocument/definition", at(mainUri, 1, 11));
    expect(def).toEqual({ uri: fileUri(lib), range: { start: { line: 0, character: 6 }, end: { line: 0, character: 10 } } });
    const refs = await client.request<Location[]>("textDocument/references", { ...at(fileUri(lib), 0, 7), context: { includeDeclaration: true } });
    expect(refs.map((r) => [path.basename(fileURLToPath(r.uri)), r.range.start.line]).sort()).toEqual([["lib.vit", 0], ["main.vit", 1], ["main.vit", 2]]);
    const heads = await client.request<Location[]>("textDocument/references", { ...at(encUri, 11, 7), context: { includeDeclaration: false } });
    expect(heads.map((r) => r.range.start)).toEqual([{ line: 13, character: 39 }]);
  });
});

describe("completion and signature help", () => {
  type Item = { label: string; detail?: string; documentation?: string; insertTextFormat?: number };
  const uri = fileUri(path.join(dir, "typing.vit"));
  const complete = async (text: string) => {
    client.replace(uri, text);
    const lines = text.split("\n");
    return client.request<Item[]>("textDocument/completion", at(uri, lines.length - 1, lines[lines.length - 1].length));
  };
  beforeAll(() => {
    fs.writeFileSync(path.join(dir, "blocks.vit"), "");
    client.open(uri, "");
  });
  it("offers `use` targets", async () => {
    expect((await complete("use ")).map((i) => i.label)).toEqual(expect.arrayContaining(["std.vit", "std.swin", "std.mobilevit", "\"blocks.vit\""]));
  });
  it("offers keyword arguments not given yet, with type, default and doc", async () => {
    const items = await complete("use std.vit\nmodel m = vit(img_size: 224, ");
    const labels = items.map((i) => i.label);
    expect(labels).toContain("patch_size");
    expect(labels).not.toContain("img_size");
    expect(items.find((i) => i.label === "global_pool")?.detail).toBe('global_pool: string = "token"');
  });
  it("offers blocks, ops and statements at a statement, families after `model NAME =`, a snippet at the top", async () => {
    const inBody = (await complete("use std.layers\nblock b(d: int) {\n  input [B, 3, 8, 8]\n  ")).map((i) => i.label);
    expect(inBody).toEqual(expect.arrayContaining(["encoder_block", "mlp", "conv2d", "layer_norm", "let", "repeat"]));
    const family = (await complete("use std.vit\nmodel m = ")).map((i) => i.label);
    expect(family).toEqual(expect.arrayContaining(["vit", "deit_distilled", "vit_hybrid"]));
    const top = await complete("use std.vit\n");
    expect(top.find((i) => i.insertTextFormat === 2)?.label).toBe("model … = vit(…)");
  });
  it("gives the signature and the active parameter inside a call", async () => {
    client.replace(uri, "use std.vit\nmodel m = vit(img_size: 224, patch_size: ");
    const help = await client.request<{ signatures: Array<{ label: string }>; activeParameter: number }>("textDocument/signatureHelp", at(uri, 1, 42));
    expect(help.signatures[0].label).toMatch(/^vit\(img_size: int \| \[int\] = 224, patch_size: int \| \[int\] = 16/);
    expect(help.activeParameter).toBe(1);
  });
});

describe("code actions, symbols, folding, semantic tokens, rename", () => {
  it("turns a diagnostic's suggestion into a quick fix", async () => {
    const uri = fileUri(path.join(dir, "typo.vit"));
    client.open(uri, "use std.vit\nmodel m = vit(img_size: 32, patch_size: 8, embed_dims: 64, depth: 1, num_heads: 4)\n");
    const { diagnostics } = await client.diagnostics(uri, 1);
    const actions = await client.request<Array<{ title: string; kind: string; edit: { changes: Record<string, Array<{ newText: string; range: unknown }>> } }>>(
      "textDocument/codeAction", { textDocument: { uri }, range: diagnostics[0].range, context: { diagnostics } });
    expect(actions).toHaveLength(1);
    expect(actions[0].title).toBe("a parameter with a similar name exists: `embed_dim`");
    expect(actions[0].kind).toBe("quickfix");
    expect(actions[0].edit.changes[uri]).toEqual([{ range: diagnostics[0].range, newText: "embed_dim" }]);
  });
  it("lists models and blocks, and folds bodies", async () => {
    const symbols = await client.request<Array<{ name: string; children?: Array<{ name: string }> }>>("textDocument/documentSymbol", { textDocument: { uri: encUri } });
    expect(symbols.map((s) => s.name)).toEqual(["enc", "tiny"]);
    expect(symbols[0].children?.map((c) => c.name)).toEqual(["dim", "depth"]);
    const folds = await client.request<Array<{ startLine: number; endLine: number }>>("textDocument/foldingRange", { textDocument: { uri: encUri } });
    expect(folds).toEqual(expect.arrayContaining([{ startLine: 7, endLine: 15 }, { startLine: 12, endLine: 13 }]));
  });
  it("classifies names with semantic tokens", async () => {
    const legend = ["namespace", "class", "function", "parameter", "variable", "property", "type"];
    const { data } = await client.request<{ data: number[] }>("textDocument/semanticTokens/full", { textDocument: { uri: encUri } });
    const tokens: Array<[number, number, string]> = [];
    for (let i = 0, line = 0, char = 0; i < data.length; i += 5) {
      char = data[i] === 0 ? char + data[i + 1] : data[i + 1];
      line += data[i];
      tokens.push([line, char, legend[data[i + 3]]]);
    }
    expect(tokens).toEqual(expect.arrayContaining([[0, 4, "namespace"], [3, 6, "class"], [9, 2, "property"], [9, 9, "function"], [9, 21, "parameter"], [11, 6, "variable"]]));
  });
  it("renames a `let` name within its block, and refuses what is not a name", async () => {
    expect(await client.request("textDocument/prepareRename", at(encUri, 9, 10))).toBeNull();
    const edit = await client.request<{ changes: Record<string, Array<{ range: { start: unknown }; newText: string }>> }>("textDocument/rename", { ...at(encUri, 13, 41), newName: "nh" });
    expect(edit.changes[encUri].map((e) => e.range.start)).toEqual([{ line: 11, character: 6 }, { line: 13, character: 39 }]);
    await expect(client.request("textDocument/rename", { ...at(encUri, 13, 41), newName: "repeat" })).rejects.toMatchObject({ message: "`repeat` is a keyword" });
  });

  it("renames a step's label (a segment of its weight paths)", async () => {
    expect(await client.request("textDocument/prepareRename", at(encUri, 9, 4))).toEqual({ start: { line: 9, character: 2 }, end: { line: 9, character: 7 } });
    const edit = await client.request<{ changes: Record<string, Array<{ range: { start: unknown }; newText: string }>> }>("textDocument/rename", { ...at(encUri, 9, 4), newName: "stem" });
    expect(edit.changes[encUri]).toEqual([{ range: { start: { line: 9, character: 2 }, end: { line: 9, character: 7 } }, newText: "stem" }]);
  });
});

describe("formatting", () => {
  it("returns the formatter's layout as one edit, and nothing for a formatted document", async () => {
    const uri = fileUri(path.join(dir, "messy.vit"));
    client.open(uri, "use std.vit\nmodel  m=vit( img_size:32 )\n");
    const edits = await client.request<Array<{ newText: string; range: unknown }>>("textDocument/formatting", { textDocument: { uri }, options: { tabSize: 2, insertSpaces: true } });
    expect(edits).toEqual([{ range: { start: { line: 0, character: 0 }, end: { line: 2, character: 0 } }, newText: "use std.vit\nmodel m = vit(img_size: 32)\n" }]);
    client.replace(uri, edits[0].newText);
    expect(await client.request("textDocument/formatting", { textDocument: { uri }, options: { tabSize: 2, insertSpaces: true } })).toEqual([]);
  });
});

describe("quick fixes the compiler suggests", () => {
  type Action = { title: string; isPreferred?: boolean; edit: { changes: Record<string, Array<{ newText: string; range: { start: { line: number; character: number } } }>> } };
  const actionsFor = async (name: string, text: string) => {
    const uri = fileUri(path.join(dir, name));
    client.open(uri, text);
    const { diagnostics } = await client.diagnostics(uri, 1);
    const actions = await client.request<Action[]>("textDocument/codeAction", { textDocument: { uri }, range: diagnostics[0].range, context: { diagnostics } });
    return { uri, actions };
  };
  it("`embed_dim: 770` → `768`", async () => {
    const { uri, actions } = await actionsFor("heads.vit", "use std.vit\nmodel m = vit(img_size: 224, patch_size: 16, embed_dim: 770, depth: 1, num_heads: 12)\n");
    expect(actions.map((a) => [a.title, a.isPreferred])).toEqual([["set `embed_dim` to 768", true]]);
    expect(actions[0].edit.changes[uri]).toEqual([{ range: { start: { line: 1, character: 56 }, end: { line: 1, character: 59 } }, newText: "768" }]);
  });
  it("a missing `use`, above the model's doc comment", async () => {
    const { uri, actions } = await actionsFor("nouse.vit", "# a header\n\n## the model\nmodel m = vit(img_size: 32, patch_size: 8)\n");
    expect(actions.map((a) => [a.title, a.isPreferred])).toEqual([["add `use std.vit` at the top of the file", true]]);
    expect(actions[0].edit.changes[uri]).toEqual([{ range: { start: { line: 2, character: 0 }, end: { line: 2, character: 0 } }, newText: "use std.vit\n" }]);
  });
});
