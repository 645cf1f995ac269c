// The terminal rendering of a few cases, committed as golden files beside the cases
// (test/diagnostics/golden/<case>.txt), exactly as `vitc check` prints them without color.
// `npx vitest` writes a missing golden; `npx vitest -u` rewrites them all (read their diff like
// code); under CI nothing is written, so a missing golden fails.

import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { renderTerminal } from "../../src/diagnostics/render-terminal";
import { compileFile } from "../helpers/compile";

/** Chosen to show each part of the rendering: labels, notes, help lines, several diagnostics. */
const goldenCases = [
  "V3102-embed-dim-vit", //            a label on the same line, an expansion note, a help line
  "V3102-deit-distilled-multiline", // primary and secondary labels on different lines
  "V2003-unknown-argument-similar", // a note and a similar-name suggestion
  "V2009-duplicate-block", //          a secondary label on an earlier line
  "V2011-division-by-zero", //         a label on a line far below the primary
  "V2003-several-models", //           three diagnostics in one file, in source order
  "V1001-unclosed-brace-before-model", // the `{` left open, labelled lines above the error
  "V1001-unclosed-paren-before-statement", // the `(` left open, on the line above
  "V1001-missing-comma-multiline", //   a help line that inserts the missing comma
  "V1001-missing-comma-list", //        the same in lists, with no second error from the list
  "V3109-shared-block-several-models", // the models of a file that an error in a shared block was found in
];

describe("golden terminal renderings", () => {
  it.each(goldenCases)("%s", async (name) => {
    const compilation = compileFile(path.join(__dirname, "cases", `${name}.vit`));
    expect(compilation.diagnostics.length).toBeGreaterThan(0);
    const rendered = compilation.diagnostics.map((d) => `${renderTerminal(compilation.files, d, { color: false })}\n\n`).join("");
    await expect(rendered).toMatchFileSnapshot(path.join(__dirname, "golden", `${name}.txt`));
  });
});
