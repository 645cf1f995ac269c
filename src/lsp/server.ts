// `vitc lsp --stdio`: the language server. Speaks LSP 3.17 over stdin/stdout (incremental text
// sync) and nothing else goes to stdout: console output is sent to stderr. An edge like the CLI:
// each request asks the compiler's stages for data (workspace.ts) and turns it into LSP's shapes.
// Diagnostics: a document is checked after each change, once per burst of changes (the newest
// version then), and a result is never published for an older version than one already sent.
// What a document's check finds in a user module that is not open is published on the module.

import {
  createConnection, ProposedFeatures, TextDocuments, TextDocumentSyncKind, type Connection, type Diagnostic as LspDiagnostic, type InitializeResult,
} from "vscode-languageserver/node";
import { TextDocument } from "vscode-languageserver-textdocument";
import type { ParsedArgs } from "../cli/args";
import type { Io } from "../cli/io";
import { documentDiagnostics, moduleDiagnostics } from "./to-lsp";
import { registerFeatures, serverCapabilities } from "./features";
import { uriToPath } from "./uri";
import { Workspace } from "./workspace";

export function lspCommand(_args: ParsedArgs, _io: Io): Promise<number> {
  // Whatever a dependency prints must not corrupt the protocol on stdout.
  for (const level of ["log", "info", "warn", "error", "debug", "trace"] as const) {
    console[level] = (...items: unknown[]) => { process.stderr.write(`${items.map(String).join(" ")}\n`); };
  }
  if (process.stdin.isTTY) {
    process.stderr.write("vitc lsp: a language server, waiting for an editor's LSP messages on stdin; start it from the editor (see README, Editors), or press Ctrl-D to end\n");
  }
  const connection = createConnection(ProposedFeatures.all, process.stdin, process.stdout);
  startServer(connection);
  connection.listen();
  // The connection ends the process on `exit` or when stdin closes.
  return new Promise<number>(() => undefined);
}

export function startServer(connection: Connection): void {
  const documents = new TextDocuments(TextDocument);
  const workspace = new Workspace();
  const published = new Map<string, number>();
  const pending = new Set<string>();
  let scheduled = false;

  /**
   * Per module that is not open in the editor, per open document whose compilation found
   * diagnostics in it: those diagnostics. A module's published list is the union of them.
   */
  const inModules = new Map<string, Map<string, LspDiagnostic[]>>();
  const publishModule = (module: string) => {
    if (workspace.document(module)) return; // An open module publishes its own.
    // Two documents that use the module find its errors twice: each is shown once.
    const union = new Map<string, LspDiagnostic>();
    for (const d of [...(inModules.get(module)?.values() ?? [])].flat()) {
      const key = JSON.stringify([d.code, d.range, d.message]);
      if (!union.has(key)) union.set(key, d);
    }
    void connection.sendDiagnostics({ uri: module, diagnostics: [...union.values()] });
  };
  const setModuleDiagnostics = (uri: string, found: ReadonlyMap<string, LspDiagnostic[]>) => {
    const touched = new Set(found.keys());
    for (const [module, byDocument] of inModules) {
      if (byDocument.delete(uri)) touched.add(module);
      if (byDocument.size === 0) inModules.delete(module);
    }
    for (const [module, list] of found) {
      const byDocument = inModules.get(module) ?? new Map<string, LspDiagnostic[]>();
      byDocument.set(uri, list);
      inModules.set(module, byDocument);
    }
    for (const module of touched) publishModule(module);
  };
  const publish = (uri: string) => {
    const a = workspace.analysis(uri);
    if (!a) return;
    // Versions only grow per document; a dependent re-checked at the same version may publish again.
    if ((published.get(uri) ?? -Infinity) > a.version) return;
    published.set(uri, a.version);
    void connection.sendDiagnostics({ uri, version: a.version, diagnostics: documentDiagnostics(a) });
    setModuleDiagnostics(uri, moduleDiagnostics(a));
  };
  const schedule = (uris: Iterable<string>) => {
    for (const uri of uris) pending.add(uri);
    if (scheduled) return;
    scheduled = true;
    // After the messages already read: a burst of edits is checked once, at its last version.
    setImmediate(() => {
      scheduled = false;
      const batch = [...pending];
      pending.clear();
      for (const uri of batch) publish(uri);
    });
  };
  const changed = (doc: TextDocument) => {
    workspace.set(doc);
    schedule([doc.uri, ...workspace.dependents(uriToPath(doc.uri), doc.uri)]);
  };

  documents.onDidOpen((e) => changed(e.document));
  documents.onDidChangeContent((e) => changed(e.document));
  documents.onDidClose((e) => {
    workspace.close(e.document.uri);
    published.delete(e.document.uri);
    void connection.sendDiagnostics({ uri: e.document.uri, diagnostics: [] });
    setModuleDiagnostics(e.document.uri, new Map());
    // A closed module shows again what the documents that use it found in it.
    if (inModules.has(e.document.uri)) publishModule(e.document.uri);
    schedule(workspace.dependents(uriToPath(e.document.uri)));
  });
  connection.onDidChangeWatchedFiles((e) => {
    schedule(e.changes.flatMap((c) => workspace.dependents(uriToPath(c.uri))));
  });

  // For the soak test and benchmarks: the heap after a collection, when Node runs with --expose-gc.
  connection.onRequest("vitc/memory", () => {
    const gc = (globalThis as { gc?: () => void }).gc;
    gc?.();
    return { heapUsed: process.memoryUsage().heapUsed, collected: gc !== undefined, documents: workspace.uris().length };
  });
  const configure = registerFeatures(connection, workspace);
  connection.onInitialize((params): InitializeResult => {
    configure(params.initializationOptions);
    return {
      capabilities: { textDocumentSync: { openClose: true, change: TextDocumentSyncKind.Incremental }, ...serverCapabilities },
      serverInfo: { name: "vitc" },
    };
  });
  documents.listen(connection);
}
