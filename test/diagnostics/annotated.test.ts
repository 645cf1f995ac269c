// Diagnostics cases are data (STYLE.md §9): each test/diagnostics/cases/*.vit is compiled as the
// CLI compiles it, and its diagnostics must equal the annotations written under its lines, both
// ways: every diagnostic annotated, every annotation reported. A case without annotations must
// compile cleanly. The annotation format and its rules (multi-line ranges are marked to the end
// of their first line; empty ranges take one caret; column 1 and the end of the file cannot be
// marked) are in test/helpers/annotations.ts.
//
// A case whose file has a `# FIXME` line states the diagnostics vitc should give, not the ones
// it gives today; it runs as `it.fails`, so it turns red the day vitc is fixed and the FIXME
// line can go.

import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { compareMarked, markDiagnostics, parseAnnotations } from "../helpers/annotations";
import { compileFile } from "../helpers/compile";

const casesDir = path.join(__dirname, "cases");

const cases = fs.readdirSync(casesDir).filter((name) => name.endsWith(".vit")).sort();

function problemsOf(file: string): string[] {
  const text = fs.readFileSync(file, "utf8");
  const { expected, problems: badAnnotations } = parseAnnotations(text);
  const { actual, problems: unmarkable } = markDiagnostics(compileFile(file));
  const empty = text.trim() === "" ? ["the case file is empty"] : [];
  return [...empty, ...badAnnotations, ...unmarkable, ...compareMarked(expected, actual)];
}

describe("annotated diagnostics cases", () => {
  it("there are cases to check", () => {
    expect(cases.length).toBeGreaterThan(0);
  });

  for (const name of cases) {
    const file = path.join(casesDir, name);
    const knownWrong = /^# FIXME\b/m.test(fs.readFileSync(file, "utf8"));
    (knownWrong ? it.fails : it)(name, () => {
      const problems = problemsOf(file);
      expect(problems, `${path.relative(process.cwd(), file)}:\n  ${problems.join("\n  ")}`).toEqual([]);
    });
  }
});
