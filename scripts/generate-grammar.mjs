// `npm run grammar`: writes grammar/vit-grammar.json and grammar/railroad.html from the parser in
// src/syntax/ (see scripts/grammar-artifacts.ts). It reads the TypeScript sources directly, each
// file transpiled on require by the TypeScript compiler already in devDependencies, so it needs
// no build and can never use a stale dist/.

import * as fs from "node:fs";
import Module, { createRequire } from "node:module";
import * as path from "node:path";
import ts from "typescript";

const require = createRequire(import.meta.url);

Module._extensions[".ts"] = (module, filename) => {
  const source = fs.readFileSync(filename, "utf8");
  const { outputText } = ts.transpileModule(source, {
    fileName: filename,
    compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
  });
  module._compile(outputText, filename);
};

const { grammarDir, grammarFiles, renderGrammarArtifacts } = require("./grammar-artifacts.ts");

const artifacts = renderGrammarArtifacts();
fs.mkdirSync(grammarDir, { recursive: true });
for (const [kind, name] of Object.entries(grammarFiles)) {
  const target = path.join(grammarDir, name);
  // Written whole under a temporary name, then renamed: a reader never sees half a file.
  const temporary = `${target}.${process.pid}.tmp`;
  fs.writeFileSync(temporary, artifacts[kind]);
  fs.renameSync(temporary, target);
  console.log(`wrote ${path.relative(process.cwd(), target)} (${artifacts[kind].length} characters)`);
}
