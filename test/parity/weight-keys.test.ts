// The standard library's layer labels must yield timm's state_dict keys and shapes exactly, so
// that a safetensors file saved from timm loads by name. The truth is each fixture's weights file.

import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { summarize } from "../../src/reports/summary";
import { expectedTensors } from "../../src/weights/bind";
import { compileFile, fixturesDir, repoRoot } from "../helpers/compile";
import { readSafetensorsHeader } from "../helpers/safetensors-header";

const fixtures = fs.readdirSync(fixturesDir, { withFileTypes: true })
  .filter((e) => e.isDirectory())
  .map((e) => e.name);

describe.each(fixtures)("fixture %s", (name) => {
  const compiled = compileFile(path.join(repoRoot, "test", "parity", `${name}.vit`));
  const config = JSON.parse(fs.readFileSync(path.join(fixturesDir, name, "config.json"), "utf8")) as { params: number };

  it("compiles without diagnostics", () => {
    expect(compiled.diagnostics).toEqual([]);
  });

  it("has exactly the fixture's weight names and shapes", () => {
    const header = readSafetensorsHeader(path.join(fixturesDir, name, "weights.safetensors"));
    const expected = Object.fromEntries(Object.entries(header).map(([key, entry]) => [key, entry.shape]));
    const actual = Object.fromEntries(expectedTensors(compiled.models[0].checked).map((w) => [w.key, [...w.shape]]));
    expect(actual).toEqual(expected);
  });

  it("counts the fixture's parameters", () => {
    expect(summarize(compiled.models[0]).params).toBe(BigInt(config.params));
  });
});
