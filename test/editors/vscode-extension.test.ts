// The VS Code extension: its manifest and language configuration hold together, and the .vsix
// that `npm run package:vscode` builds (with @vscode/vsce) holds a language server that runs on
// its own: copied out of the repository, it answers over stdio with diagnostics and hovers, no
// global vitc and no node_modules beside it.

import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { repoRoot } from "../helpers/compile";
import { fileUri, LspClient } from "../helpers/lsp-client";

const ext = path.join(repoRoot, "editors", "vscode");
const manifest = JSON.parse(fs.readFileSync(path.join(ext, "package.json"), "utf8"));

describe("the extension's manifest", () => {
  it("declares the `vit` language, its grammar and configuration, all present", () => {
    const [language] = manifest.contributes.languages;
    expect(language).toMatchObject({ id: "vit", extensions: [".vit"] });
    expect(fs.existsSync(path.join(ext, language.configuration))).toBe(true);
    const [grammar] = manifest.contributes.grammars;
    expect(grammar).toMatchObject({ language: "vit", scopeName: "source.vit" });
    expect(JSON.parse(fs.readFileSync(path.join(ext, grammar.path), "utf8")).scopeName).toBe("source.vit");
    expect(Object.keys(manifest.contributes.configuration.properties)).toEqual(["vitc.inlayHints.stepShapes", "vitc.inlayHints.modelSummary", "vitc.server.path"]);
  });

  it("has a language configuration: `#` comments, brackets, auto-closing pairs, indentation", () => {
    const config = JSON.parse(fs.readFileSync(path.join(ext, "language-configuration.json"), "utf8"));
    expect(config.comments.lineComment).toBe("#");
    expect(config.brackets).toEqual([["{", "}"], ["[", "]"], ["(", ")"]]);
    expect(config.autoClosingPairs.map((p: { open: string }) => p.open)).toEqual(["{", "[", "(", "\""]);
    const increase = new RegExp(config.indentationRules.increaseIndentPattern);
    const decrease = new RegExp(config.indentationRules.decreaseIndentPattern);
    expect(increase.test("block b(d: int) {")).toBe(true);
    expect(increase.test("model m = vit(")).toBe(true);
    expect(increase.test("  fc1: linear(out: 4)")).toBe(false);
    expect(decrease.test("  }")).toBe(true);
  });
});

describe("npm run package:vscode", () => {
  it("builds a .vsix whose bundled server runs on its own", { timeout: 180_000 }, async () => {
    // The extension's own packages (vsce, vscode-languageclient), once, as the script installs them.
    const modules = path.join(ext, "node_modules");
    const lock = path.join(ext, "package-lock.json");
    if (!fs.existsSync(modules) || fs.statSync(modules).mtimeMs < fs.statSync(lock).mtimeMs) {
      const ci = spawnSync("npm", ["ci", "--no-audit", "--no-fund"], { cwd: ext, encoding: "utf8" });
      expect(ci.status, ci.stderr).toBe(0);
    }
    const build = spawnSync(process.execPath, [path.join(ext, "build.mjs")], { cwd: ext, encoding: "utf8" });
    expect(build.status, build.stderr + build.stdout).toBe(0);
    const vsix = path.join(ext, `${manifest.name}-${manifest.version}.vsix`);
    // A .vsix is a zip: unpack it where nothing of the repository can be found.
    const out = fs.mkdtempSync(path.join(os.tmpdir(), "vitc-vsix-"));
    const unzip = spawnSync("unzip", ["-q", vsix, "-d", out], { encoding: "utf8" });
    expect(unzip.status, unzip.stderr).toBe(0);
    const root = path.join(out, "extension");
    for (const f of ["package.json", "dist/extension.js", "syntaxes/vit.tmLanguage.json", "language-configuration.json", "server/bin/vitc-lsp.js", "server/bin/vitc.cjs", "specs/std/vit.vit", "docs/errors/V3102.md"]) {
      expect(fs.existsSync(path.join(root, f)), f).toBe(true);
    }
    expect(fs.existsSync(path.join(root, "node_modules"))).toBe(false);

    const server = () => spawn(process.execPath, [path.join(root, "server", "bin", "vitc-lsp.js"), "--stdio"], { cwd: out }) as ChildProcessWithoutNullStreams;
    const client = await LspClient.start(undefined, server);
    const uri = fileUri(path.join(out, "m.vit"));
    client.open(uri, "use std.vit\nmodel m = vit(img_size: 224, patch_size: 16, embed_dim: 770, depth: 1, num_heads: 12)\n");
    const { diagnostics } = await client.diagnostics(uri, 1);
    expect(diagnostics.map((d) => d.code)).toEqual(["V3102"]);
    expect((diagnostics[0].codeDescription as { href: string }).href).toBe(fileUri(path.join(root, "docs", "errors", "V3102.md")));
    const hover = await client.request<{ contents: { value: string } }>("textDocument/hover", { textDocument: { uri }, position: { line: 1, character: 11 } });
    expect(hover.contents.value).toContain("block vit(img_size: int | [int] = 224");
    expect(await client.stop()).toBe(0);
  });
});
