// The TextMate grammar of the VS Code extension, tokenized by vscode-textmate on vscode-oniguruma
// (the engine VS Code itself runs): every non-space character of every spec, standard-library
// module and test case gets a scope of its own (none is left as bare `source.vit`), and a few
// files' scopes are golden files.

import * as fs from "node:fs";
import * as path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import * as oniguruma from "vscode-oniguruma";
import * as textmate from "vscode-textmate";
import { repoRoot } from "../helpers/compile";

const grammarPath = path.join(repoRoot, "editors", "vscode", "syntaxes", "vit.tmLanguage.json");

function vitFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) return e.name === "node_modules" ? [] : vitFiles(full);
    return e.name.endsWith(".vit") ? [full] : [];
  });
}

let grammar: textmate.IGrammar;
beforeAll(async () => {
  const wasm = fs.readFileSync(path.join(path.dirname(require.resolve("vscode-oniguruma")), "onig.wasm"));
  await oniguruma.loadWASM(wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength) as ArrayBuffer);
  const registry = new textmate.Registry({
    onigLib: Promise.resolve({ createOnigScanner: (p: string[]) => new oniguruma.OnigScanner(p), createOnigString: (s: string) => new oniguruma.OnigString(s) }),
    loadGrammar: async (scope) => (scope === "source.vit" ? textmate.parseRawGrammar(fs.readFileSync(grammarPath, "utf8"), grammarPath) : null),
  });
  grammar = (await registry.loadGrammar("source.vit")) as textmate.IGrammar;
});

interface Token { readonly line: number; readonly text: string; readonly scopes: readonly string[] }

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let stack = textmate.INITIAL;
  text.split(/\r\n|\r|\n/).forEach((line, i) => {
    const r = grammar.tokenizeLine(line, stack);
    for (const t of r.tokens) tokens.push({ line: i, text: line.slice(t.startIndex, t.endIndex), scopes: t.scopes });
    stack = r.ruleStack;
  });
  return tokens;
}

const files = ["specs", "test", "examples"].flatMap((d) => vitFiles(path.join(repoRoot, d))).sort();

describe("the TextMate grammar", () => {
  it.each(files.map((f) => path.relative(repoRoot, f)))("%s: no non-space text without a scope", (relative) => {
    const bare = tokenize(fs.readFileSync(path.join(repoRoot, relative), "utf8"))
      .filter((t) => t.text.trim() !== "" && t.scopes.length === 1)
      .map((t) => `line ${t.line + 1}: ${JSON.stringify(t.text)}`);
    expect(bare).toEqual([]);
  });

  it.each(["specs/vit_base_patch16_224.vit", "specs/std/layers.vit", "examples/modules/lib/conv_stem.vit", "test/diagnostics/cases/V2015-user-require.vit"])("%s: golden scopes", async (relative) => {
    const text = fs.readFileSync(path.join(repoRoot, relative), "utf8");
    const lines = tokenize(text).filter((t) => t.text.trim() !== "").map((t) => `${t.line + 1}\t${JSON.stringify(t.text)}\t${t.scopes.slice(1).join(" ")}`);
    await expect(`${lines.join("\n")}\n`).toMatchFileSnapshot(path.join(__dirname, "golden", `${path.basename(relative, ".vit")}.scopes.txt`));
  });

  it("scopes what the issue names: keywords, ops, numbers, strings, comments, doc comments, labels, error codes", () => {
    const scopeOf = (line: string, text: string) => tokenize(line).find((t) => t.text === text)?.scopes.at(-1);
    expect(scopeOf("model m = vit(img_size: 224)", "model")).toBe("storage.type.model.vit");
    expect(scopeOf("  qkv: linear(out: 3 * dim)", "qkv")).toBe("entity.name.label.vit");
    expect(scopeOf("  qkv: linear(out: 3 * dim)", "linear")).toBe("support.function.op.vit");
    expect(scopeOf("  qkv: linear(out: 3 * dim)", "out")).toBe("variable.parameter.vit");
    expect(scopeOf("  eps: float = 1e-6", "1e-6")).toBe("constant.numeric.float.vit");
    expect(scopeOf("  repeat 12 as i {", "12")).toBe("constant.numeric.integer.vit");
    expect(scopeOf('  global_pool: "token"', "token")).toBe("string.quoted.double.vit");
    expect(scopeOf("## the image size", "## the image size")).toBe("comment.line.documentation.vit");
    expect(scopeOf("# a comment", "# a comment")).toBe("comment.line.number-sign.vit");
    expect(scopeOf('  require a else V3102 "bad"', "V3102")).toBe("constant.other.error-code.vit");
    expect(scopeOf('  require a else V3102 "bad"', "require")).toBe("keyword.control.vit");
  });
});
