// The README's editor setups are the files the tests use (editors/neovim/vitc.lua runs in
// test/editors/neovim.test.ts), word for word.

import * as fs from "node:fs";
import * as path from "node:path";
import { expect, it } from "vitest";
import { repoRoot } from "../helpers/compile";

const readme = fs.readFileSync(path.join(repoRoot, "README.md"), "utf8");

it.each([["lua", "editors/neovim/vitc.lua"], ["toml", "editors/helix/languages.toml"], ["elisp", "editors/emacs/vitc.el"]])("the README shows %s from %s", (lang, file) => {
  expect(readme).toContain("```" + lang + "\n" + fs.readFileSync(path.join(repoRoot, file), "utf8") + "```");
});
