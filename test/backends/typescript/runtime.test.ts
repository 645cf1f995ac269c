// The invariants of src/backends/tfjs/runtime/ that let emitted modules copy it (runtime-source.ts):
// it imports only tfjs-core's types, its siblings and the shared files it also copies (Swin's
// window constants in src/ops/), its top-level names are unique across all of them, nothing runs at load, and each doc comment opens with a sentence short enough to be the
// one-line comment of the copy.

import * as fs from "node:fs";
import * as path from "node:path";
import { ts } from "ts-morph";
import { describe, expect, it } from "vitest";
import { runtimeDir, sharedRuntimeFiles, shortComment } from "../../../src/backends/typescript/runtime-source";

const dir = runtimeDir();
const files = [...fs.readdirSync(dir).filter((f) => f.endsWith(".ts")).sort().map((f) => path.join(dir, f)), ...sharedRuntimeFiles(dir)];
const parsed = files.map((full) => {
  const file = path.relative(path.join(dir, "..", "..", ".."), full);
  const text = fs.readFileSync(full, "utf8");
  return { file, text, source: ts.createSourceFile(file, text, ts.ScriptTarget.ES2022, true, ts.ScriptKind.TS) };
});

describe("src/backends/tfjs/runtime/", () => {
  it.each(parsed.map((p) => [p.file, p] as const))("%s imports only tfjs-core's types, its siblings and the shared window constants", (_file, { source }) => {
    for (const statement of source.statements.filter(ts.isImportDeclaration)) {
      const from = (statement.moduleSpecifier as ts.StringLiteral).text;
      if (from === "@tensorflow/tfjs-core") expect(statement.importClause?.isTypeOnly, "tfjs-core is imported as a type only").toBe(true);
      else expect(from).toMatch(/^\.\/[a-z-]+$|^\.\.\/\.\.\/\.\.\/ops\/window-attention$/);
    }
  });

  it.each(parsed.map((p) => [p.file, p] as const))("%s runs nothing at load: declarations only", (_file, { source }) => {
    for (const statement of source.statements) {
      const declaration = ts.isImportDeclaration(statement) || ts.isFunctionDeclaration(statement) || ts.isInterfaceDeclaration(statement)
        || ts.isTypeAliasDeclaration(statement) || ts.isExportDeclaration(statement);
      expect(declaration, statement.getText(source).slice(0, 60)).toBe(true);
    }
  });

  it("declares each top-level name once across the folder (a module holds them side by side)", () => {
    const names = parsed.flatMap(({ source }) => source.statements.flatMap((s) => ((ts.isFunctionDeclaration(s) || ts.isInterfaceDeclaration(s) || ts.isTypeAliasDeclaration(s)) && s.name ? [s.name.text] : [])));
    expect(names.filter((n, i) => names.indexOf(n) !== i)).toEqual([]);
  });

  it("opens every doc comment with a sentence of at most 100 characters (the copy keeps only that)", () => {
    const long: string[] = [];
    for (const { file, text, source } of parsed) {
      for (const statement of source.statements) {
        for (const c of ts.getLeadingCommentRanges(text, statement.pos) ?? []) {
          const copy = shortComment(text.slice(c.pos, c.end));
          if (copy.length > 100) long.push(`${file}: ${copy}`);
        }
      }
    }
    expect(long).toEqual([]);
  });
});
