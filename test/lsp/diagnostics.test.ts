// The language server's diagnostics, through the real `vitc lsp --stdio` process: the same codes,
// messages, ranges, notes and help as `vitc check --format json` for every diagnostic test case,
// labels as relatedInformation, links to docs/errors, versions echoed and never going back, and
// documents re-checked when a user module they import changes (open in the editor or on disk).

import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { repoRoot } from "../helpers/compile";
import { fileUri, LspClient } from "../helpers/lsp-client";
import { vitc } from "../helpers/vitc-process";

const root = path.resolve(__dirname, "..", "..");
const casesDir = path.join(root, "test", "diagnostics", "cases");
const cases = fs.readdirSync(casesDir).filter((f) => f.endsWith(".vit")).sort().map((f) => path.join(casesDir, f));

let client: LspClient;
beforeAll(async () => { client = await LspClient.start(); });
afterAll(async () => { expect(await client.stop()).toBe(0); });

interface JsonDiagnostic { file: string; code: string; message: string; range: unknown; notes: string[]; help: string[]; labels: Array<{ text: string; range: unknown }> }

describe("diagnostics", () => {
  it("are those of `vitc check --format json` for every diagnostic case", async () => {
    const checked = JSON.parse(vitc(["check", "--format", "json", ...cases]).out) as JsonDiagnostic[];
    for (const file of cases) client.open(fileUri(file), fs.readFileSync(file, "utf8"));
    for (const file of cases) {
      const published = await client.diagnostics(fileUri(file), 1);
      const expected = checked.filter((d) => d.file === file).map((d) => ({ code: d.code, message: d.message, range: d.range, notes: d.notes, help: d.help }));
      const got = published.diagnostics.map((d) => {
        const data = d.data as { notes: string[]; help: string[] };
        return { code: d.code, message: d.message, range: d.range, notes: data.notes, help: data.help };
      });
      expect(got, path.basename(file)).toEqual(expected);
      expect(published.version).toBe(1);
    }
  });

  it("carry secondary labels as relatedInformation and link the code's page in docs/errors", async () => {
    const uri = fileUri(path.join(os.tmpdir(), "vitc-lsp-labels.vit"));
    client.open(uri, "use std.vit\nmodel m = vit(img_size: 224, patch_size: 16, embed_dim: 770, depth: 1, num_heads: 12)\n");
    const [d] = (await client.diagnostics(uri, 1)).diagnostics;
    expect(d.code).toBe("V3102");
    expect(d.source).toBe("vitc");
    const href = (d.codeDescription as { href: string }).href;
    expect(href.endsWith("/docs/errors/V3102.md")).toBe(true);
    expect(fs.existsSync(fileURLToPath(href))).toBe(true);
    const related = d.relatedInformation as Array<{ location: { uri: string; range: { start: { character: number } } }; message: string }>;
    expect(related.find((r) => r.message === "`num_heads` is 12")?.location.range.start.character).toBe(82);
    expect(related.some((r) => r.message.startsWith("help: values near 770 that 12 divides"))).toBe(true);
  });

  it("echo the version and never go back to an older one after a burst of edits", async () => {
    const uri = fileUri(path.join(os.tmpdir(), "vitc-lsp-burst.vit"));
    client.open(uri, "use std.vit\nmodel m = vit(img_size: 32, patch_size: 8, embed_dim: 64, depth: 1, num_heads: 4)\n");
    await client.diagnostics(uri, 1);
    let last = 1;
    for (let i = 0; i < 30; i++) last = client.edit(uri, { start: { line: 1, character: 54 }, end: { line: 1, character: 56 } }, i % 2 ? "64" : "66");
    const final = await client.diagnostics(uri, last);
    expect(final.version).toBe(last);
    expect(final.diagnostics).toEqual([]); // version 31 has 64 again
    const versions = client.published.filter((p) => p.uri === uri).map((p) => p.version as number);
    expect(versions).toEqual([...versions].sort((a, b) => a - b));
  });

  it("re-checks a document when a module it imports changes in the editor or on disk", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "vitc-lsp-modules-"));
    const lib = path.join(dir, "lib", "stem.vit");
    fs.mkdirSync(path.dirname(lib));
    fs.writeFileSync(lib, "block stem(width: int) {\n  input [B, 3, 32, 32]\n  conv: conv2d(out: width, kernel: 3, padding: 1)\n}\n");
    const main = path.join(dir, "main.vit");
    const mainText = 'use "lib/stem.vit"\nmodel m = stem(width: 8)\n';
    fs.writeFileSync(main, mainText);
    client.open(fileUri(main), mainText);
    expect((await client.diagnostics(fileUri(main), 1)).diagnostics).toEqual([]);
    // Opened and edited in the editor: a required parameter more.
    const count = client.published.length;
    client.open(fileUri(lib), fs.readFileSync(lib, "utf8"));
    client.edit(fileUri(lib), { start: { line: 0, character: 21 }, end: { line: 0, character: 21 } }, ", depth: int");
    for (let i = 0; i < 100 && !client.published.slice(count).some((p) => p.uri === fileUri(main) && p.diagnostics.length > 0); i++) await new Promise((r) => setTimeout(r, 50));
    const again = client.published.slice(count).filter((p) => p.uri === fileUri(main)).at(-1);
    expect(again?.diagnostics.map((d) => d.message)).toEqual(["`stem` needs argument `depth`"]);
    // Closed, then changed on disk: the disk's text counts again.
    client.notify("textDocument/didClose", { textDocument: { uri: fileUri(lib) } });
    fs.writeFileSync(lib, "block stem(width: int) {\n  input [B, 3, 32, 32]\n  conv: conv2d(out: width, kernel: 3, padding: -1)\n}\n");
    const before = client.published.length;
    client.notify("workspace/didChangeWatchedFiles", { changes: [{ uri: fileUri(lib), type: 2 }] });
    for (let i = 0; i < 100 && !client.published.slice(before).some((p) => p.uri === fileUri(main)); i++) await new Promise((r) => setTimeout(r, 50));
    const fromDisk = client.published.slice(before).filter((p) => p.uri === fileUri(main)).at(-1);
    // The error lies in the module's file, where `vitc check main.vit` reports it too.
    expect(fromDisk?.diagnostics).toEqual([]);
    const checked = JSON.parse(vitc(["check", "--format", "json", main]).out) as JsonDiagnostic[];
    expect(checked.map((d) => [d.code, d.file])).toEqual([["V2015", lib]]);
    const inLib = client.published.slice(before).filter((p) => p.uri === fileUri(lib)).at(-1);
    expect(inLib?.diagnostics.map((d) => [d.code, d.message, d.range])).toEqual(checked.map((d) => [d.code, d.message, d.range]));
    expect((inLib?.diagnostics[0].data as { notes: string[] }).notes).toEqual(checked[0].notes);
    // Mended on disk: the module's diagnostics are withdrawn.
    fs.writeFileSync(lib, "block stem(width: int) {\n  input [B, 3, 32, 32]\n}\n");
    const mended = client.published.length;
    client.notify("workspace/didChangeWatchedFiles", { changes: [{ uri: fileUri(lib), type: 2 }] });
    for (let i = 0; i < 100 && !client.published.slice(mended).some((p) => p.uri === fileUri(lib)); i++) await new Promise((r) => setTimeout(r, 50));
    expect(client.published.slice(mended).filter((p) => p.uri === fileUri(lib)).at(-1)?.diagnostics).toEqual([]);
  });

  it("answers malformed and unknown requests with JSON-RPC errors and goes on", async () => {
    await expect(client.request("vitc/noSuchMethod", {})).rejects.toMatchObject({ code: -32601 });
    await expect(client.request("textDocument/hover", { textDocument: { uri: 42 } })).rejects.toMatchObject({ code: -32602 });
    await expect(client.request("textDocument/hover", {})).rejects.toMatchObject({ code: -32602 });
    client.open(fileUri(path.join(os.tmpdir(), "vitc-lsp-params.vit")), "model m = x()\n");
    await expect(client.request("textDocument/hover", { textDocument: { uri: fileUri(path.join(os.tmpdir(), "vitc-lsp-params.vit")) }, position: { line: "a" } })).rejects.toMatchObject({ code: -32602 });
    await expect(client.request("textDocument/hover", { textDocument: { uri: "file:///nowhere.vit" }, position: { line: 0, character: 0 } })).resolves.toBeNull();
    const uri = fileUri(path.join(os.tmpdir(), "vitc-lsp-alive.vit"));
    client.open(uri, "model m = \n");
    expect((await client.diagnostics(uri, 1)).diagnostics.length).toBeGreaterThan(0);
  });
});

describe("started by hand", () => {
  // util-linux's `script` gives the server a terminal for stdin, as a person typing `vitc lsp` has.
  const hasScript = spawnSync("script", ["--version"]).status === 0;
  it.skipIf(!hasScript)("says on stderr, in a terminal, that it waits for an editor, and ends on end of input", () => {
    const bin = path.join(repoRoot, "bin", "vitc.js");
    const r = spawnSync("script", ["-qec", `${JSON.stringify(process.execPath)} ${JSON.stringify(bin)} lsp`, "/dev/null"], { input: "\x04", encoding: "utf8", timeout: 20_000 });
    expect(r.stdout).toMatch(/vitc lsp: a language server, waiting for an editor's LSP messages on stdin/);
    expect(r.signal).toBeNull();
  });
});
