// Every code of the catalogue (src/diagnostics/codes.ts) has its page docs/errors/<CODE>.md and at
// least one case test/diagnostics/cases/<CODE>-<what>.vit (STYLE.md §6), and nothing documents or
// tests a code the catalogue does not have.

import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { codes, isCode, type Code } from "../../src/diagnostics/codes";
import { repoRoot } from "../helpers/compile";

/** Codes that no single case file can produce; each still needs its docs page. */
const noCaseFile: Partial<Record<Code, string>> = {
  // An unreadable file never reaches the compiler: the CLI reports it (test/cli).
  V1000: "reported by the CLI when a file cannot be read",
  // Errors about weight files, inputs, images, outputs and backends have no spec to point at:
  // test/cli/run.test.ts (through bin/vitc.js), test/weights and test/backends produce each of them.
  V4001: "a corrupt or unreadable safetensors file",
  V4002: "a weight file that does not fit the model",
  V4003: "an input that does not fit the model",
  V4004: "an unreadable image",
  V4005: "an output that cannot be written",
  V4006: "weights or an input holding NaN or infinite values",
  V5001: "a backend that cannot be loaded",
  V5002: "a backend that fails while running",
  V5003: "a run that needs more memory than the machine or the backend has",
  V5004: "a forward pass that computes NaN or infinite outputs",
  // An internal error is a bug in vitc: no spec should be able to cause one.
  V9001: "an internal compiler error",
};

const docsDir = path.join(repoRoot, "docs", "errors");
const casesDir = path.join(__dirname, "cases");
const pages = fs.readdirSync(docsDir).filter((f) => f.endsWith(".md"));
const cases = fs.readdirSync(casesDir).filter((f) => f.endsWith(".vit"));
const allCodes = Object.keys(codes) as Code[];

describe("the diagnostic catalogue", () => {
  it.each(allCodes)("%s has its page in docs/errors/", (code) => {
    expect(pages, `docs/errors/${code}.md is missing`).toContain(`${code}.md`);
  });

  it.each(allCodes.filter((c) => !(c in noCaseFile)))("%s has a case file", (code) => {
    expect(cases.filter((f) => f.startsWith(`${code}-`)), `no test/diagnostics/cases/${code}-*.vit`).not.toEqual([]);
  });

  it("every docs page is a code of the catalogue", () => {
    expect(pages.filter((f) => !isCode(f.replace(/\.md$/, "")))).toEqual([]);
  });

  it("every case file is named <CODE>-<what>.vit after a code of the catalogue", () => {
    expect(cases.filter((f) => {
      const m = /^(V\d{4})-[a-z0-9][a-z0-9-]*\.vit$/i.exec(f);
      return !m || !isCode(m[1]) || m[1] in noCaseFile;
    })).toEqual([]);
  });
});
