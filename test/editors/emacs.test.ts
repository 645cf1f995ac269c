// A third-party client: Emacs's eglot (Debian's `emacs-nox` 28 with `elpa-eglot` 1.9; .ci/run
// installs them) visits a broken spec in batch mode with editors/emacs/vitc.el loaded (the file
// the README shows), which starts `vitc` from PATH as `vitc lsp --stdio`; the driver reads back
// flymake's diagnostics, a hover and a completion. Where Emacs or eglot is missing the test says
// so and is skipped; under CI it runs.

import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { repoRoot } from "../helpers/compile";
import { vitcBin } from "../helpers/vitc-process";

// Without -Q: Debian's site-start puts the elpa-eglot package on the load path.
const probe = spawnSync("emacs", ["--batch", "-q", "--eval", "(require 'eglot)"], { encoding: "utf8" });
const found = probe.status === 0;
if (!found && !process.env.CI) console.warn("test/editors/emacs.test.ts: Emacs with eglot is not installed (apt-get install emacs-nox elpa-eglot); the Emacs test is skipped");

describe("Emacs's eglot", () => {
  it.skipIf(!found && !process.env.CI)("shows the server's diagnostics, hover and completion", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "vitc-emacs-"));
    try {
      // The snippet runs `vitc` from PATH, as an installed vitc is found.
      fs.mkdirSync(path.join(dir, "bin"));
      fs.writeFileSync(path.join(dir, "bin", "vitc"), `#!/bin/sh\nexec ${JSON.stringify(process.execPath)} ${JSON.stringify(vitcBin)} "$@"\n`, { mode: 0o755 });
      const spec = path.join(dir, "broken.vit");
      fs.writeFileSync(spec, "use std.vit\nmodel m = vit(img_size: 224, patch_size: 16, embed_dim: 770, depth: 1, num_heads: 12)\n");
      const out = path.join(dir, "out.json");
      const r = spawnSync("emacs", ["--batch", "-q", "-l", path.join(repoRoot, "editors", "emacs", "vitc.el"), "-l", path.join(__dirname, "emacs-driver.el")], {
        cwd: dir, encoding: "utf8", timeout: 60_000,
        env: { ...process.env, PATH: `${path.join(dir, "bin")}${path.delimiter}${process.env.PATH ?? ""}`, VITC_EMACS_SPEC: spec, VITC_EMACS_OUT: out },
      });
      expect(fs.existsSync(out), `emacs wrote nothing (exit ${r.status}): ${r.stderr}${r.stdout}`).toBe(true);
      const got = JSON.parse(fs.readFileSync(out, "utf8"));
      expect(got.attached).toBe(true);
      expect(got.diagnostics).toEqual([{ line: 2, column: 56, type: "eglot-error", text: "vitc [V3102]: `embed_dim` 770 is not divisible by `num_heads` 12" }]);
      expect(got.hover).toContain("block vit(img_size: int | [int] = 224");
      expect(got.completion).toEqual(["in_chans: ", "num_classes: ", "global_pool: ", "mlp_ratio: ", "qkv_bias: ", "class_token: "]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
