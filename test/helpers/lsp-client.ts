// A language client for tests: starts the real `node bin/vitc.js lsp --stdio` and talks JSON-RPC
// to it over its stdin and stdout (vscode-jsonrpc), as an editor does. Whatever the server writes
// to stdout that is not protocol breaks the reader, and the test with it.

import type { ChildProcessWithoutNullStreams } from "node:child_process";
import { createMessageConnection, StreamMessageReader, StreamMessageWriter, type MessageConnection } from "vscode-jsonrpc/node";
import { pathToFileURL } from "node:url";
import { startVitc } from "./vitc-process";

export interface PublishedDiagnostics {
  uri: string;
  version?: number;
  diagnostics: Array<Record<string, unknown> & { code: string; message: string; range: { start: { line: number; character: number }; end: { line: number; character: number } } }>;
}

export class LspClient {
  readonly connection: MessageConnection;
  readonly published: PublishedDiagnostics[] = [];
  stderr = "";
  private waiters: Array<() => void> = [];
  private readonly versions = new Map<string, number>();

  constructor(readonly child: ChildProcessWithoutNullStreams) {
    child.stderr.on("data", (d: Buffer) => { this.stderr += d.toString(); });
    this.connection = createMessageConnection(new StreamMessageReader(child.stdout), new StreamMessageWriter(child.stdin));
    this.connection.onNotification("textDocument/publishDiagnostics", (p: PublishedDiagnostics) => {
      this.published.push(p);
      for (const w of this.waiters.splice(0)) w();
    });
    this.connection.onRequest("workspace/inlayHint/refresh", () => null);
    this.connection.onRequest("client/registerCapability", () => null);
    this.connection.listen();
  }

  /** Starts `vitc lsp --stdio`, or another server process given by `spawnServer`. */
  static async start(initializationOptions?: unknown, spawnServer?: () => ChildProcessWithoutNullStreams): Promise<LspClient> {
    const client = new LspClient(spawnServer ? spawnServer() : (startVitc(["lsp", "--stdio"]) as ChildProcessWithoutNullStreams));
    await client.request("initialize", { processId: process.pid, rootUri: null, capabilities: {}, initializationOptions });
    client.notify("initialized", {});
    return client;
  }

  request<T = unknown>(method: string, params: unknown): Promise<T> {
    return this.connection.sendRequest(method, params) as Promise<T>;
  }

  notify(method: string, params: unknown): void {
    void this.connection.sendNotification(method, params);
  }

  open(uri: string, text: string, version = 1): void {
    this.versions.set(uri, version);
    this.notify("textDocument/didOpen", { textDocument: { uri, languageId: "vit", version, text } });
  }

  /** An incremental change: replaces `range` by `text`; returns the new version. */
  edit(uri: string, range: { start: { line: number; character: number }; end: { line: number; character: number } }, text: string): number {
    const version = (this.versions.get(uri) ?? 0) + 1;
    this.versions.set(uri, version);
    this.notify("textDocument/didChange", { textDocument: { uri, version }, contentChanges: [{ range, text }] });
    return version;
  }

  /** Replaces the whole text (as one incremental change over a huge range). */
  replace(uri: string, text: string): number {
    return this.edit(uri, { start: { line: 0, character: 0 }, end: { line: 1_000_000, character: 0 } }, text);
  }

  /** The first diagnostics published for `uri` at `version` or later (waits for them). */
  async diagnostics(uri: string, version?: number, timeoutMs = 20_000): Promise<PublishedDiagnostics> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.published.find((p) => p.uri === uri && (version === undefined || (p.version ?? -1) >= version));
      if (found) return found;
      if (Date.now() > deadline) throw new Error(`no diagnostics for ${uri} at version ${version}; stderr: ${this.stderr}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 200);
        this.waiters.push(() => { clearTimeout(timer); resolve(); });
      });
    }
  }

  async stop(): Promise<number | null> {
    const exited = new Promise<number | null>((resolve) => this.child.once("exit", (code) => resolve(code)));
    try {
      await this.request("shutdown", null);
      this.notify("exit", null);
    } catch {
      this.child.kill();
    }
    const code = await exited;
    this.connection.dispose();
    return code;
  }
}

export function fileUri(p: string): string {
  return pathToFileURL(p).href;
}
