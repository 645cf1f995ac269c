// User modules through the real command (bin/vitc.js, as a user runs it): module paths are
// resolved from the file that holds the `use`, not from the working directory, and an error
// inside a module is reported in that module's file in both output formats.

import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { compileFile, repoRoot } from "../helpers/compile";

let dir: string;

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "vitc-modules-cli-"));
  fs.mkdirSync(path.join(dir, "specs", "lib"), { recursive: true });
  fs.writeFileSync(path.join(dir, "specs", "main.vit"), `use "lib/blocks.vit"\nmodel m = net(dim: 16)\n`);
  fs.writeFileSync(path.join(dir, "specs", "lib", "blocks.vit"), `block net(dim: int) {\n  input [B, dim]\n  fc: linear(out: dim, bais: true)\n}\n`);
  fs.writeFileSync(path.join(dir, "specs", "clean.vit"), `use "lib/blocks.vit"\nblock other() {\n  input [B, 4]\n}\nmodel m = other()\n`);
});
afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

/** Runs bin/vitc.js from `cwd`; stdout, stderr and the exit code. */
function vitc(argv: string[], cwd: string): { code: number; out: string; err: string } {
  const stderr = path.join(dir, "stderr.txt");
  try {
    const out = execFileSync(process.execPath, [path.join(repoRoot, "bin", "vitc.js"), ...argv], {
      cwd, encoding: "utf8", stdio: ["ignore", "pipe", fs.openSync(stderr, "w")],
    });
    return { code: 0, out, err: fs.readFileSync(stderr, "utf8") };
  } catch (e) {
    const failed = e as { status: number; stdout: string };
    return { code: failed.status, out: failed.stdout, err: fs.readFileSync(stderr, "utf8") };
  }
}

describe("vitc check with user modules", () => {
  it("reports an error inside a module at the module's path, with the import chain", () => {
    const { code, out } = vitc(["check", "specs/main.vit"], dir);
    expect(code).toBe(1);
    expect(out).toBe([
      "specs/lib/blocks.vit:3:24: error[V2003]: op `linear` has no parameter `bais`",
      "  |",
      "3 |   fc: linear(out: dim, bais: true)",
      "  |                        ^^^^ unknown argument",
      "  = note: op `linear` takes `out`, `bias`",
      "  = note: `specs/lib/blocks.vit` is imported by `specs/main.vit` (specs/main.vit:1:1)",
      "  = help: a parameter with a similar name exists: `bias`",
      "",
      "",
    ].join("\n"));
  });

  it("gives the module's path as the JSON `file`", () => {
    const { code, out } = vitc(["check", "--format", "json", "specs/main.vit"], dir);
    expect(code).toBe(1);
    const [d] = JSON.parse(out) as Array<{ file: string; code: string; range: unknown; notes: string[] }>;
    expect(d).toMatchObject({
      file: "specs/lib/blocks.vit",
      code: "V2003",
      range: { start: { line: 2, character: 23 }, end: { line: 2, character: 27 } },
      notes: ["op `linear` takes `out`, `bias`", "`specs/lib/blocks.vit` is imported by `specs/main.vit` (specs/main.vit:1:1)"],
    });
  });

  it("resolves modules from the importing file, whatever the working directory", () => {
    const fromInside = vitc(["check", "main.vit"], path.join(dir, "specs"));
    expect(fromInside.out.split("\n")[0]).toBe("lib/blocks.vit:3:24: error[V2003]: op `linear` has no parameter `bais`");
    const fromElsewhere = vitc(["check", path.join(dir, "specs", "clean.vit")], os.tmpdir());
    expect(fromElsewhere).toMatchObject({ code: 0, out: "", err: "checked 1 file: no errors\n" });
  });
});

describe("examples/modules", () => {
  it("checks clean: a main spec and its library", () => {
    const compilation = compileFile(path.join(repoRoot, "examples", "modules", "main.vit"));
    expect(compilation.diagnostics).toEqual([]);
    expect(compilation.models.map((m) => m.name)).toEqual(["vit_conv_stem_tiny", "vit_conv_stem_small"]);
    expect(compilation.files.all().map((f) => f.path)).toContain(path.join("examples", "modules", "lib", "conv_stem.vit"));
  });

  it("checks clean through the command, run from another directory", () => {
    const { code, err } = vitc(["check", path.join(repoRoot, "examples", "modules", "main.vit")], dir);
    expect({ code, err }).toEqual({ code: 0, err: "checked 1 file: no errors\n" });
  });
});
