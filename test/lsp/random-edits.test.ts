// 10,000 random edits through the real `vitc lsp --stdio` process (fast-check, fixed seed):
// insertions of garbage and of language pieces, deletions, pastes of other specs, whole
// replacements, with a request of every kind after each tenth edit. The server never crashes or
// hangs, answers every request (a result or a JSON-RPC error), publishes the last version, and
// its heap after a forced collection stays within 20 MB of where it was after a warm-up.

import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { repoRoot } from "../helpers/compile";
import { fileUri, LspClient } from "../helpers/lsp-client";
import { vitcBin } from "../helpers/vitc-process";

const specs = ["specs", "specs/std", "test/parity", "examples/modules/lib"].flatMap((d) =>
  fs.readdirSync(path.join(repoRoot, d)).filter((f) => f.endsWith(".vit")).map((f) => fs.readFileSync(path.join(repoRoot, d, f), "utf8")));

type Edit =
  | { kind: "insert"; at: number; text: string }
  | { kind: "delete"; at: number; length: number }
  | { kind: "replace"; text: string };

const pieces = ["model m = vit(", "img_size: 224, ", ")", "(", "[", "]", "{", "}", "\n", "block b(x: int) {\n", "repeat 3 as i {", "let a = ", "\"", "##", "# c", ",", ":", "0", "-1e9", "99999999999999999999", "residual {", "use std.vit\n", "use \"nowhere.vit\"\n", "\u201c", "\u200b", "\t", "\r\n", "x", "B", "require 1 == 2 else V3102 \"{x}\"\n"];
const edit: fc.Arbitrary<Edit> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ kind: fc.constant("insert" as const), at: fc.double({ min: 0, max: 1, noNaN: true }).map((x) => x), text: fc.oneof(fc.constantFrom(...pieces), fc.string({ maxLength: 8 }), fc.string({ unit: "binary", maxLength: 4 })) }) },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant("delete" as const), at: fc.double({ min: 0, max: 1, noNaN: true }), length: fc.integer({ min: 1, max: 40 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("insert" as const), at: fc.double({ min: 0, max: 1, noNaN: true }), text: fc.constantFrom(...specs) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("replace" as const), text: fc.constantFrom(...specs) }) },
) as fc.Arbitrary<Edit>;

/** LSP's position (UTF-16) of an offset in `text`. */
function positionOf(text: string, offset: number) {
  const before = text.slice(0, offset);
  const lines = before.split(/\r\n|\r|\n/);
  return { line: lines.length - 1, character: lines[lines.length - 1].length };
}

const requests = ["textDocument/hover", "textDocument/completion", "textDocument/signatureHelp", "textDocument/definition", "textDocument/references", "textDocument/inlayHint",
  "textDocument/documentSymbol", "textDocument/foldingRange", "textDocument/semanticTokens/full", "textDocument/formatting", "textDocument/prepareRename", "textDocument/rename", "textDocument/codeAction", "vitc/unknown"];

describe("10,000 random edits", () => {
  it("never crash or hang the server, every request is answered, the heap stays flat", { timeout: 240_000 }, async () => {
    const spawnServer = () => spawn(process.execPath, ["--expose-gc", vitcBin, "lsp", "--stdio"], { cwd: repoRoot }) as ChildProcessWithoutNullStreams;
    const client = await LspClient.start(undefined, spawnServer);
    const uri = fileUri(path.join(os.tmpdir(), "vitc-random-edits.vit"));
    let text = specs[0];
    client.open(uri, text);
    const edits = fc.sample(edit, { numRuns: 10_000, seed: 20261202 });
    let answered = 0;
    let errors = 0;
    let heapAfterWarmup = 0;
    /** Errors by method: only the unknown method may get one (-32601). */
    const failed = new Map<string, number>();
    const answer = async (method: string, promise: Promise<unknown>) => {
      // A hung server fails here instead of at the test's timeout.
      const timeout = new Promise((_, reject) => setTimeout(() => reject(new Error(`no answer within 20 s; stderr: ${client.stderr}`)), 20_000));
      try {
        await Promise.race([promise, timeout]);
      } catch (err) {
        if (!(err instanceof Error && "code" in err)) throw err; // a JSON-RPC error is an answer
        errors++;
        failed.set(method, (failed.get(method) ?? 0) + 1);
      }
      answered++;
    };
    for (let i = 0; i < edits.length; i++) {
      const e = edits[i];
      if (e.kind === "replace" || text.length > 40_000) {
        text = e.kind === "replace" ? e.text : specs[i % specs.length];
        client.replace(uri, text);
      } else if (e.kind === "insert") {
        const at = Math.floor(e.at * text.length);
        const p = positionOf(text, at);
        client.edit(uri, { start: p, end: p }, e.text);
        text = text.slice(0, at) + e.text + text.slice(at);
      } else {
        const at = Math.floor(e.at * text.length);
        const end = Math.min(text.length, at + e.length);
        client.edit(uri, { start: positionOf(text, at), end: positionOf(text, end) }, "");
        text = text.slice(0, at) + text.slice(end);
      }
      if (i % 10 === 9) {
        const method = requests[(i / 10 | 0) % requests.length];
        const position = positionOf(text, Math.floor(((i * 7919) % 1000) / 1000 * text.length));
        const params = { textDocument: { uri }, position, newName: "renamed", range: { start: { line: 0, character: 0 }, end: position },
          context: { includeDeclaration: true, diagnostics: [] }, options: { tabSize: 2, insertSpaces: true } };
        await answer(method, client.request(method, params));
      }
      if (i === 999) heapAfterWarmup = (await client.request<{ heapUsed: number }>("vitc/memory", {})).heapUsed;
    }
    const last = (client as unknown as { versions: Map<string, number> }).versions.get(uri) as number;
    const final = await client.diagnostics(uri, last, 60_000);
    expect(final.version).toBe(last);
    const memory = await client.request<{ heapUsed: number; collected: boolean }>("vitc/memory", {});
    expect(memory.collected).toBe(true);
    const growthMb = (memory.heapUsed - heapAfterWarmup) / 2 ** 20;
    console.log(`random edits: ${edits.length} edits, ${answered} requests answered (${errors} with JSON-RPC errors), heap ${(heapAfterWarmup / 2 ** 20).toFixed(1)} → ${(memory.heapUsed / 2 ** 20).toFixed(1)} MB after GC`);
    expect(answered).toBe(1000);
    expect([...failed.keys()]).toEqual(["vitc/unknown"]);
    expect(growthMb).toBeLessThanOrEqual(20);
    expect(await client.stop()).toBe(0);
  });
});
