// `npm run build` saves the standard library's ASTs (scripts/build-std-asts.mjs) so that the
// CLI need not parse it at every start. A saved AST must be exactly what parsing gives, and it
// is used only for the very text it was made from.

import * as fs from "node:fs";
import { describe, expect, it } from "vitest";
import { loadProgram, stdModules, isStdPath } from "../../src/elaborate/program";
import { memoryHost, prebuiltStdAstsPath } from "../../src/source/host";
import * as path from "node:path";
import { repoRoot } from "../helpers/compile";

const savedFile = path.join(repoRoot, "dist", path.basename(prebuiltStdAstsPath()));

describe("the standard library's saved ASTs", () => {
  it("exist in dist/ after the build", () => {
    expect(fs.existsSync(savedFile), "dist/std-asts.json is missing: run `npm run build`").toBe(true);
  });

  it("equal a fresh parse of every module", () => {
    const saved = JSON.parse(fs.readFileSync(savedFile, "utf8")) as Record<string, { text: string; ast: unknown }>;
    const entry = stdModules.map((m) => `use std.${m}`).join("\n");
    const host = { ...memoryHost({ "entry.vit": entry }), prebuiltStdAst: undefined };
    const { program } = loadProgram("entry.vit", entry, host);
    const fresh = [...program.asts].filter(([id]) => isStdPath(program.files.get(id).path));
    expect(fresh.map(([id]) => path.basename(program.files.get(id).path, ".vit")).sort()).toEqual(Object.keys(saved).sort());
    for (const [id, ast] of fresh) {
      const name = path.basename(program.files.get(id).path, ".vit");
      expect(saved[name].text, `dist/std-asts.json is stale for std.${name}: run \`npm run build\``).toBe(program.files.get(id).text);
      expect(saved[name].ast, `std.${name}`).toEqual(JSON.parse(JSON.stringify(ast)));
    }
  });
});
