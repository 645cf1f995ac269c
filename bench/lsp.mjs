// `npm run bench -- lsp`: the language server's speed through the real process
// (`node bin/vitc.js lsp --stdio`, JSON-RPC over stdio, as an editor runs it).
//   (a) edit → diagnostics on specs/vit_base_patch16_224.vit, warm: from sending a didChange to
//       receiving its publishDiagnostics (each edit toggles an error, so the result changes);
//       goal: median ≤ 10 ms, p95 ≤ 25 ms
//   (b) hover and inlay hints on it, warm; goal ≤ 20 ms
//   (c) a fresh server opening all 26 specs at once: until every one's diagnostics arrived;
//       goal ≤ 1 s
// Prints a table; bench/run.mjs writes bench/results/lsp.json.

import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { createMessageConnection, StreamMessageReader, StreamMessageWriter } from "vscode-jsonrpc/node";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const specsDir = path.join(root, "specs");

function startServer() {
  const child = spawn(process.execPath, [path.join(root, "bin", "vitc.js"), "lsp", "--stdio"], { cwd: root });
  const connection = createMessageConnection(new StreamMessageReader(child.stdout), new StreamMessageWriter(child.stdin));
  const waiting = new Map();
  connection.onNotification("textDocument/publishDiagnostics", (p) => {
    const key = `${p.uri}@${p.version}`;
    waiting.get(key)?.();
    waiting.delete(key);
  });
  connection.listen();
  const published = (uri, version) => new Promise((resolve) => waiting.set(`${uri}@${version}`, resolve));
  return { child, connection, published };
}

async function initialize(server) {
  await server.connection.sendRequest("initialize", { processId: process.pid, rootUri: null, capabilities: {} });
  await server.connection.sendNotification("initialized", {});
}

async function stop(server) {
  await server.connection.sendRequest("shutdown", null);
  await server.connection.sendNotification("exit", null);
  await new Promise((resolve) => server.child.once("exit", resolve));
  server.connection.dispose();
}

const quantile = (xs, q) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))];
};
const summary = (xs) => ({ median_ms: quantile(xs, 0.5), p95_ms: quantile(xs, 0.95), max_ms: Math.max(...xs), n: xs.length });
const now = () => Number(process.hrtime.bigint()) / 1e6;

async function timed(fn) {
  const start = now();
  await fn();
  return now() - start;
}

export async function lspSpeed() {
  const server = startServer();
  await initialize(server);
  const file = path.join(specsDir, "vit_base_patch16_224.vit");
  const uri = pathToFileURL(file).href;
  const text = fs.readFileSync(file, "utf8");
  const line = text.split("\n").findIndex((l) => l.includes("embed_dim: 768"));
  const col = text.split("\n")[line].indexOf("768");
  let version = 1;
  const first = server.published(uri, 1);
  await server.connection.sendNotification("textDocument/didOpen", { textDocument: { uri, languageId: "vit", version, text } });
  await first;
  const edit = async (i) => {
    version++;
    const done = server.published(uri, version);
    await server.connection.sendNotification("textDocument/didChange", {
      textDocument: { uri, version },
      contentChanges: [{ range: { start: { line, character: col }, end: { line, character: col + 3 } }, text: i % 2 ? "770" : "768" }],
    });
    await done;
  };
  for (let i = 0; i < 50; i++) await edit(i); // warm-up
  const edits = [];
  for (let i = 0; i < 400; i++) edits.push(await timed(() => edit(i)));
  if (version % 2) await edit(0); // leave the spec without its error
  const modelLine = text.split("\n").findIndex((l) => l.startsWith("model "));
  const position = { line: modelLine, character: 8 };
  const hovers = [];
  const hints = [];
  for (let i = 0; i < 30; i++) {
    await server.connection.sendRequest("textDocument/hover", { textDocument: { uri }, position });
    await server.connection.sendRequest("textDocument/inlayHint", { textDocument: { uri }, range: { start: { line: 0, character: 0 }, end: { line: 100, character: 0 } } });
  }
  for (let i = 0; i < 200; i++) {
    hovers.push(await timed(() => server.connection.sendRequest("textDocument/hover", { textDocument: { uri }, position })));
    hints.push(await timed(() => server.connection.sendRequest("textDocument/inlayHint", { textDocument: { uri }, range: { start: { line: 0, character: 0 }, end: { line: 100, character: 0 } } })));
  }
  // A hover right after an edit pays for the new version's analysis.
  const hoverAfterEdit = [];
  for (let i = 0; i < 100; i++) {
    version++;
    await server.connection.sendNotification("textDocument/didChange", {
      textDocument: { uri, version },
      contentChanges: [{ range: { start: { line, character: col }, end: { line, character: col + 3 } }, text: "768" }],
    });
    hoverAfterEdit.push(await timed(() => server.connection.sendRequest("textDocument/hover", { textDocument: { uri }, position })));
  }
  await stop(server);

  // A fresh server opening every spec at once.
  const fresh = startServer();
  await initialize(fresh);
  const specs = fs.readdirSync(specsDir).filter((f) => f.endsWith(".vit")).sort();
  const start = now();
  const all = specs.map((f) => {
    const u = pathToFileURL(path.join(specsDir, f)).href;
    const done = fresh.published(u, 1);
    void fresh.connection.sendNotification("textDocument/didOpen", { textDocument: { uri: u, languageId: "vit", version: 1, text: fs.readFileSync(path.join(specsDir, f), "utf8") } });
    return done;
  });
  await Promise.all(all);
  const openAll = now() - start;
  await stop(fresh);

  const result = {
    edit_to_diagnostics: summary(edits),
    hover: summary(hovers),
    inlay_hints: summary(hints),
    hover_after_edit: summary(hoverAfterEdit),
    open_all_specs: { specs: specs.length, all_published_ms: openAll },
  };
  const f = (x) => x.toFixed(1);
  console.log("| measure | median ms | p95 ms | max ms | goal |");
  console.log("| --- | --- | --- | --- | --- |");
  console.log(`| edit → diagnostics, vit_base_patch16_224 (n=${edits.length}) | ${f(result.edit_to_diagnostics.median_ms)} | ${f(result.edit_to_diagnostics.p95_ms)} | ${f(result.edit_to_diagnostics.max_ms)} | median ≤ 10, p95 ≤ 25 |`);
  console.log(`| hover on the model (n=${hovers.length}) | ${f(result.hover.median_ms)} | ${f(result.hover.p95_ms)} | ${f(result.hover.max_ms)} | ≤ 20 |`);
  console.log(`| inlay hints (n=${hints.length}) | ${f(result.inlay_hints.median_ms)} | ${f(result.inlay_hints.p95_ms)} | ${f(result.inlay_hints.max_ms)} | ≤ 20 |`);
  console.log(`| hover right after an edit (n=${hoverAfterEdit.length}) | ${f(result.hover_after_edit.median_ms)} | ${f(result.hover_after_edit.p95_ms)} | ${f(result.hover_after_edit.max_ms)} | ≤ 20 |`);
  console.log(`| open all ${specs.length} specs: every diagnostic published | ${f(openAll)} | | | ≤ 1000 |`);
  return result;
}
