// A third-party client: Neovim's built-in LSP client (Debian's `neovim`, 0.7.2; .ci/run installs
// it) opens a broken spec headless with the configuration of editors/neovim/vitc.lua (the one
// the README shows), attaches `vitc lsp --stdio`, and reads back the diagnostics, a hover and a
// completion. Where Neovim is not installed the test says so and is skipped; under CI it runs.

import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { repoRoot } from "../helpers/compile";
import { vitcBin } from "../helpers/vitc-process";

const nvim = spawnSync("nvim", ["--version"], { encoding: "utf8" });
const found = nvim.status === 0;
if (!found && !process.env.CI) console.warn("test/editors/neovim.test.ts: `nvim` is not installed (apt-get install neovim); the Neovim test is skipped");

describe("Neovim's LSP client", () => {
  it.skipIf(!found && !process.env.CI)("shows the server's diagnostics, hover and completion", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "vitc-nvim-"));
    const spec = path.join(dir, "broken.vit");
    fs.writeFileSync(spec, "use std.vit\nmodel m = vit(img_size: 224, patch_size: 16, embed_dim: 770, depth: 1, num_heads: 12)\n");
    const out = path.join(dir, "out.json");
    const cmd = `lua vim.g.vitc_cmd = { ${JSON.stringify(process.execPath)}, ${JSON.stringify(vitcBin)}, "lsp", "--stdio" }`;
    const r = spawnSync("nvim", ["--headless", "-u", "NONE", "-i", "NONE", "--cmd", "filetype on", "-c", cmd,
      "-c", `luafile ${path.join(repoRoot, "editors", "neovim", "vitc.lua")}`, "-c", `luafile ${path.join(__dirname, "neovim-driver.lua")}`], {
      cwd: dir, encoding: "utf8", timeout: 60_000, env: { ...process.env, VITC_NVIM_SPEC: spec, VITC_NVIM_OUT: out },
    });
    expect(fs.existsSync(out), `nvim wrote nothing (exit ${r.status}): ${r.stderr}${r.stdout}`).toBe(true);
    const got = JSON.parse(fs.readFileSync(out, "utf8"));
    expect(got.attached).toBe(true);
    expect(got.diagnostics).toEqual([{ lnum: 1, col: 56, message: "`embed_dim` 770 is not divisible by `num_heads` 12", source: "vitc", severity: 1 }]);
    expect(got.hover).toContain("block vit(img_size: int | [int] = 224");
    expect(got.completion).toEqual(["in_chans", "num_classes", "global_pool", "mlp_ratio", "qkv_bias", "class_token"]);
  });
});
