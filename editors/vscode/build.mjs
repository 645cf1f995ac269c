// Builds the extension from the vitc repository (after `npm run build` there): the client with
// vscode-languageclient in one file (dist/extension.js), the language server as one file
// (server/bin/vitc.cjs: vitc's whole CLI with Chevrotain and vscode-languageserver inside, tfjs
// left out since `lsp` never loads it), the standard library and docs/errors beside it where the
// server looks for them, then the .vsix with @vscode/vsce. Needs nothing from the network.

import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import { build } from "rolldown";

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, "..", "..");
const require = createRequire(path.join(root, "package.json"));
const manifest = JSON.parse(fs.readFileSync(path.join(here, "package.json"), "utf8"));

for (const dir of ["dist", "server", "specs", "docs"]) fs.rmSync(path.join(here, dir), { recursive: true, force: true });

// The client: everything but `vscode`, which VS Code provides.
await build({
  input: path.join(here, "src", "extension.js"),
  platform: "node",
  external: ["vscode"],
  logLevel: "warn",
  output: { file: path.join(here, "dist", "extension.js"), format: "cjs", codeSplitting: false },
});

// The server: as scripts/bundle-cli.mjs bundles the CLI, with the protocol library inside too.
const cliMain = path.join(root, "dist", "cli", "main.js");
if (!fs.existsSync(cliMain)) throw new Error("run `npm run build` in the vitc repository first");
const chevrotainBundle = path.join(path.dirname(require.resolve("chevrotain")), "..", "chevrotain.min.mjs");
const inside = (id) => id.startsWith("chevrotain") || id.startsWith("vscode-languageserver") || id.startsWith("vscode-jsonrpc");
const isBare = (id) => !id.startsWith(".") && !path.isAbsolute(id) && !id.startsWith("\0");
await build({
  input: cliMain,
  platform: "node",
  external: (id) => id.startsWith("node:") || (isBare(id) && !inside(id)),
  plugins: [{
    name: "vitc-chevrotain",
    load(id) {
      if (id === path.join(root, "dist", "syntax", "chevrotain.js")) return `module.exports = require(${JSON.stringify(chevrotainBundle)});`;
      return null;
    },
  }],
  logLevel: "warn",
  output: { file: path.join(here, "server", "bin", "vitc.cjs"), format: "cjs", codeSplitting: false, inlineDynamicImports: true },
});
fs.writeFileSync(path.join(here, "server", "bin", "vitc-lsp.js"), [
  '"use strict";',
  "// The language server of the extension: `vitc lsp --stdio` from the bundle beside this file.",
  'require("./vitc.cjs").main(["lsp", "--stdio"]).then((code) => { process.exitCode = code; });',
  "",
].join("\n"));
// Where the bundled code looks: the standard library two folders above the bundle, its
// prebuilt ASTs one above, docs/errors two above.
fs.copyFileSync(path.join(root, "dist", "std-asts.json"), path.join(here, "server", "std-asts.json"));
fs.cpSync(path.join(root, "specs", "std"), path.join(here, "specs", "std"), { recursive: true });
fs.cpSync(path.join(root, "docs", "errors"), path.join(here, "docs", "errors"), { recursive: true });

if (process.argv.includes("--no-vsix")) process.exit(0);
const vsix = path.join(here, `${manifest.name}-${manifest.version}.vsix`);
const vsce = spawnSync(process.execPath, [path.join(here, "node_modules", "@vscode", "vsce", "vsce"), "package", "--no-dependencies", "--allow-missing-repository", "--skip-license", "-o", vsix], {
  cwd: here, stdio: "inherit",
});
if (vsce.status !== 0) process.exit(vsce.status ?? 1);
