// The VS Code client: starts the language server bundled in this extension (server/bin/,
// `vitc lsp --stdio` in one file, with the standard library beside it), so no global vitc is
// needed; `vitc.server.path` names another `vitc` command instead. Settings under `vitc.` reach
// the server (inlay hints) through workspace/configuration.
"use strict";
const path = require("node:path");
const vscode = require("vscode");
const { LanguageClient, TransportKind } = require("vscode-languageclient/node");

let client;

async function activate(context) {
  const custom = vscode.workspace.getConfiguration("vitc").get("server.path");
  const serverOptions = custom
    ? { command: custom, args: ["lsp", "--stdio"], transport: TransportKind.stdio }
    : { module: context.asAbsolutePath(path.join("server", "bin", "vitc-lsp.js")), transport: TransportKind.stdio };
  client = new LanguageClient("vitc", "vitc", serverOptions, {
    documentSelector: [{ language: "vit" }],
    initializationOptions: { vitc: { inlayHints: vscode.workspace.getConfiguration("vitc").get("inlayHints") } },
    synchronize: { configurationSection: "vitc", fileEvents: vscode.workspace.createFileSystemWatcher("**/*.vit") },
  });
  await client.start();
}

async function deactivate() {
  if (client) await client.stop();
}

module.exports = { activate, deactivate };
