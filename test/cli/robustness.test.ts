// `vitc` on hostile input: files that are missing, not files, not text, too large or too deep.
// Each must end with a message that names the file and the problem, the designed exit code
// (0 clean, 1 errors, 2 usage) and no stack trace. Runs bin/vitc.js as a user would; one test
// compares it with `main` run in-process, to show the bundle is the sources.

import { execFileSync, spawn, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { main } from "../../src/cli/main";
import { MAX_SOURCE_BYTES } from "../../src/source/host";
import { repoRoot } from "../helpers/compile";
import { stackLine, vitc } from "../helpers/vitc-process";

interface Run { code: number | null; out: string; err: string; all: string }

/** `vitc argv…` through the real bin/vitc.js, as users run it. */
async function run(argv: string[]): Promise<Run> {
  const r = vitc(argv);
  return { code: r.code, out: r.out, err: r.err, all: r.out + r.err };
}

/** The same through `main` in this process, to compare the bundle with the sources. */
async function runInProcess(argv: string[]): Promise<Run> {
  let out = "";
  let err = "";
  const code = await main(argv, { out: (t) => { out += t; }, err: (t) => { err += t; }, color: false });
  return { code, out, err, all: out + err };
}


let dir: string;
/** Writes a file into this run's temporary folder and returns its path. */
function write(name: string, content: string | Uint8Array): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, content);
  return file;
}

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "vitc-robustness-"));
});
afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

const spec = (name: string) => path.join(repoRoot, "specs", `${name}.vit`);

describe("vitc check refuses files it cannot read", () => {
  const cases: Array<[string, () => string, RegExp]> = [
    ["a missing file", () => path.join(dir, "missing.vit"), /no such file/],
    ["a directory", () => dir, /is a directory/],
    ["binary garbage with NUL bytes", () => write("garbage.vit", Uint8Array.from({ length: 4096 }, (_, i) => (i * 7919 + 13) % 256)), /binary data \(it contains NUL bytes\)/],
    ["a 10 MB file", () => write("huge.vit", "#".repeat(10 * 1024 * 1024)), new RegExp(`is ${10 * 1024 * 1024} bytes; specs are limited to ${MAX_SOURCE_BYTES} bytes`)],
    ["invalid UTF-8", () => write("latin1.vit", Buffer.from([0x6d, 0x6f, 0x64, 0x65, 0x6c, 0x20, 0xe9, 0xff, 0xfe, 0x0a])), /is not valid UTF-8 text/],
  ];

  it.each(cases)("%s", async (_, make, problem) => {
    const file = make();
    const { code, out, err, all } = await run(["check", file]);
    expect(code).toBe(1);
    expect(out).toContain(`${file}: error[V1000]: cannot read \`${file}\``);
    expect(out).toMatch(problem);
    expect(err).toContain("checked 1 file: 1 error");
    expect(all).not.toMatch(stackLine);
  });

  it.each(cases)("%s, with --format json", async (_, make, problem) => {
    const file = make();
    const { code, out } = await run(["check", file, "--format", "json"]);
    expect(code).toBe(1);
    const [d, ...rest] = JSON.parse(out) as Array<{ file: string; code: string; message: string }>;
    expect(rest).toEqual([]);
    expect(d).toMatchObject({ file, code: "V1000", severity: "error" });
    expect(d.message).toMatch(problem);
  });

  it("vitc summary says the same", async () => {
    const file = path.join(dir, "missing.vit");
    const { code, err, all } = await run(["summary", file]);
    expect(code).toBe(1);
    expect(err).toContain(`${file}: error[V1000]: cannot read \`${file}\`: no such file`);
    expect(all).not.toMatch(stackLine);
  });
});

describe("vitc check on pathological specs", () => {
  const cases: Array<[string, string, string, RegExp]> = [
    ["100000 `(`", "model m = vit(" + "(".repeat(100_000), "V1004", /brackets nested more than 64 deep/],
    ["5000-deep nested lists", `use std.vit\nmodel m = vit(img_size: ${"[".repeat(5000)}224${"]".repeat(5000)})\n`, "V1004", /brackets nested more than 64 deep/],
    ["100000 prefix `-`", `block a(n: int = ${"-".repeat(100_000)}1) {\n  input [B, 3, 8, 8]\n}\nmodel m = a()\n`, "V1004", /`-` and `not` nested more than 64 deep/],
    ["50000 `not`", `block a(n: bool = ${"not ".repeat(50_000)}true) {\n  input [B, 3, 8, 8]\n}\nmodel m = a()\n`, "V1004", /`-` and `not` nested more than 64 deep/],
    ["a 20000-link `else if` chain", `block a() {\n  input [B, 3, 8, 8]\n  if false {}${" else if false {}".repeat(20_000)}\n}\nmodel m = a()\n`, "V1004", /`else if` nested more than 64 deep/],
    ["a 20000-link `if … then … else` chain", `block a(n: int = ${"if false then 1 else ".repeat(20_000)}2) {\n  input [B, 3, 8, 8]\n}\nmodel m = a()\n`, "V1004", /`else if` nested more than 64 deep/],
    ["a recursive block pair", "block a(n: int) {\n  b(n: n)\n}\nblock b(n: int) {\n  a(n: n)\n}\nmodel m = a(n: 1)\n", "V2007", /block `a` calls itself \(`a` → `b` → `a`\)/],
    ["`repeat 1000000000`", "block a() {\n  input [B, 3, 8, 8]\n  repeat 1000000000 as i {\n    relu()\n  }\n}\nmodel m = a()\n", "V2010", /`repeat` needs a count from 0 to \d+, got 1000000000/],
    ["names of JavaScript's object prototype", "block a() {\n  input [B, 3, 8, 8]\n  let x = toString(1)\n}\nmodel constructor = a()\n", "V2002", /unknown function `toString`/],
    ["a model whose output is not a tensor", "block a() {\n  input [B, 3, 8, 8]\n  let x = 5\n}\nmodel m = a()\n", "V2017", /the output of model `m` is int 5, not a tensor/],
    ["a spec that makes 100 million list items", "block a() {\n  input [B, 3, 8, 8]\n  repeat 10000 as i {\n    let s = join(range(10000))\n  }\n}\nmodel m = a()\n", "V2012", /the spec takes too much work to evaluate/],
    ["16,000 lines of syntax errors", "model m = f(a: 1 b: 2)\n".repeat(16_000), "V1001", /expected/],
  ];

  it.each(cases)("%s", async (name, text, expectedCode, message) => {
    const file = write(`${name.replace(/\W+/g, "-")}.vit`, text);
    const { code, out, all } = await run(["check", file]);
    expect(code).toBe(1);
    expect(out).toMatch(new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}:\\d+:\\d+: error\\[${expectedCode}\\]: `));
    expect(out).toMatch(message);
    expect(all).not.toMatch(stackLine);
  });
});

describe("the terminal rendering of a pathological line", () => {
  it("prints only the part of a 100000-character line around the error", async () => {
    const file = write("long-line.vit", "model m = vit(" + "(".repeat(100_000));
    const { out } = await run(["check", file]);
    expect(out).toContain("error[V1004]");
    expect(out.length).toBeLessThan(2_000);
  });
});

describe("vitc check on files with nothing to check", () => {
  it.each([
    ["an empty file", ""],
    ["a file of only comments", "# a comment\n## a doc comment with nothing below it\n#\n"],
  ])("%s is clean", async (_, text) => {
    const file = write("nothing.vit", text);
    const { code, out, err } = await run(["check", file]);
    expect(code).toBe(0);
    expect(out).toBe("");
    expect(err).toContain("checked 1 file: no errors");
  });
});

describe("vitc check --format json", () => {
  it("gives each diagnostic the fixed fields", async () => {
    const file = write("two-errors.vit", "use std.vit\nmodel m = vit(img_size: 224 patch_size: 16)\nmodel n = nope()\n");
    const { code, out } = await run(["check", file, "--format", "json"]);
    expect(code).toBe(1);
    const diagnostics = JSON.parse(out) as Array<Record<string, unknown>>;
    expect(diagnostics.length).toBeGreaterThanOrEqual(2);
    const position = { line: expect.any(Number), character: expect.any(Number) };
    for (const d of diagnostics) {
      expect(d).toMatchObject({
        file, severity: expect.stringMatching(/^(error|warning)$/), code: expect.stringMatching(/^V\d{4}$/), message: expect.any(String),
        range: { start: position, end: position }, notes: expect.any(Array), help: expect.any(Array),
      });
    }
  });

  it("is an empty array for several clean files", async () => {
    const { code, out } = await run(["check", spec("vit_tiny_patch16_224"), spec("swin_tiny_patch4_window7_224"), "--format", "json"]);
    expect(code).toBe(0);
    expect(JSON.parse(out)).toEqual([]);
  });
});

describe("exit codes", () => {
  it("0 for clean specs", async () => {
    const { code, err } = await run(["check", spec("vit_tiny_patch16_224"), spec("deit_tiny_distilled_patch16_224")]);
    expect(code).toBe(0);
    expect(err).toContain("checked 2 files: no errors");
  });

  it("1 when any file has an error, and every file is still checked", async () => {
    const bad = write("bad.vit", "use std.vit\nmodel m = vit(\n");
    const { code, out, err } = await run(["check", spec("vit_tiny_patch16_224"), bad, path.join(dir, "missing.vit")]);
    expect(code).toBe(1);
    expect(out).toContain(`${bad}:3:1: error[V1001]: expected \`)\`, found the end of the file`);
    expect(out).toContain("missing.vit`: no such file");
    expect(err).toContain("checked 3 files: 2 errors");
  });

  it.each([
    ["no command", [], /usage:/],
    ["an unknown command", ["frobnicate"], /unknown command `frobnicate`/],
    ["check without files", ["check"], /no files given/],
    ["an unknown format", ["check", "x.vit", "--format", "xml"], /flag `--format` must be one of `human`, `json`, got `xml`/],
    ["a flag without its value", ["check", "x.vit", "--format"], /flag `--format` needs a value \(FORMAT\)/],
    ["summary with two files", ["summary", "a.vit", "b.vit"], /`vitc summary` takes one file, got also `b.vit`/],
    ["a misspelled flag of summary", ["summary", "x.vit", "--jsno"], /unknown flag `--jsno`\n {2}= help: a flag with a similar name exists: `--json`/],
    ["a misspelled flag of check, before the files", ["check", "--formt", "json", "x.vit"], /unknown flag `--formt`\n {2}= help: a flag with a similar name exists: `--format`/],
    ["check's JSON flag given to summary", ["summary", "x.vit", "--format", "json"], /unknown flag `--format`\n {2}= help: `vitc summary` prints JSON with `--json`/],
    ["summary's JSON flag given to check", ["check", "x.vit", "--json"], /unknown flag `--json`\n {2}= help: `vitc check` prints JSON with `--format json`/],
    ["bench's batch flag given to run", ["run", "x.vit", "--batch", "4"], /unknown flag `--batch`\n {2}= help: `vitc run` takes its batch from its input: repeat `--image`/],
    ["a switch given a value", ["summary", "x.vit", "--json=yes"], /flag `--json` takes no value, got `yes`/],
    ["a flag given twice", ["summary", "x.vit", "--model", "a", "--model", "b"], /flag `--model` is given twice \(`a` and `b`\)/],
    ["a flag before the command", ["--json", "summary", "x.vit"], /unknown flag `--json`; flags come after the command/],
    ["fmt without files", ["fmt"], /no files given/],
    ["a file given to the language server", ["lsp", "x.vit"], /`vitc lsp` takes no files, got `x.vit`/],
    ["help for an unknown command", ["help", "frobnicate"], /unknown command `frobnicate`/],
    ["build without --emit", ["build", "specs/vit_tiny_patch16_224.vit"], /`vitc build` needs `--emit ts` or `--emit onnx`/],
    ["build with an unknown format", ["build", "specs/vit_tiny_patch16_224.vit", "--emit", "tflite"], /flag `--emit` must be `ts` or `onnx`, got `tflite`/],
  ])("2 for usage errors: %s", async (_, argv, message) => {
    const { code, all } = await run(argv as string[]);
    expect(code).toBe(2);
    expect(all).toMatch(message);
    expect(all).not.toMatch(stackLine);
  });
});

describe("control characters the user typed are shown, never sent to the terminal", () => {
  it.each([
    ["a file name", ["check", "/tmp/\u001b[31mred.vit"], "/tmp/\\u{1b}[31mred.vit"],
    ["a flag value", ["run", "x.vit", "--seed", "\u001b]0;title\u0007"], "got `\\u{1b}]0;title\\u{7}`"],
    ["a --model name", ["summary", "specs/vit_tiny_patch16_224.vit", "--model", "\u009b2J"], "no model `\\u{9b}2J`"],
  ])("%s", async (_, argv, shown) => {
    const { all } = await run(argv as string[]);
    expect(all).toContain(shown);
    expect(all).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/);
  });
});

describe("in a terminal", () => {
  // util-linux's `script` runs vitc on a pseudo-terminal, where diagnostics are coloured.
  const hasScript = spawnSync("script", ["--version"]).status === 0;
  it.skipIf(!hasScript).each(["check", "summary", "run", "bench", "build"])("`vitc %s` colours a spec's diagnostics, never shows the colour codes as text", (command) => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "vitc-tty-"));
    try {
      fs.writeFileSync(path.join(dir, "bad.vit"), "use std.vit\nmodel m = vit(embed_dim: 770)\n");
      const argv = [process.execPath, path.join(repoRoot, "bin", "vitc.js"), command, "bad.vit", ...(command === "build" ? ["--emit", "ts"] : [])];
      const r = spawnSync("script", ["-qec", argv.map((a) => JSON.stringify(a)).join(" "), "/dev/null"], { cwd: dir, encoding: "utf8", timeout: 60_000, env: { ...process.env, NO_COLOR: "" } });
      expect(r.stdout).toContain("\u001b[1;31merror[V3102]\u001b[0m");
      expect(r.stdout).not.toContain("\\u{1b}");
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("help and version", () => {
  it.each(["check", "summary", "run", "bench", "build"])("`vitc %s --help` prints its usage and every flag, exit 0", async (command) => {
    for (const argv of [[command, "--help"], [command, "-h"], ["help", command], [command, "x.vit", "--help"]]) {
      const { code, out, err } = await run(argv);
      expect(code).toBe(0);
      expect(err).toBe("");
      expect(out).toMatch(new RegExp(`^usage: vitc ${command} <file`));
      expect(out).toContain("-h, --help");
    }
  });

  it("`vitc help` lists the commands, `vitc` alone does too but exits 2", async () => {
    const help = await run(["help"]);
    expect(help.code).toBe(0);
    for (const command of ["check", "summary", "run", "bench"]) expect(help.out).toContain(`vitc ${command} <file`);
    const bare = await run([]);
    expect(bare.code).toBe(2);
    expect(bare.err).toContain("vitc check <files…>");
  });

  it("`vitc --version` prints the package's version, exit 0", async () => {
    const version = (JSON.parse(fs.readFileSync(path.join(repoRoot, "package.json"), "utf8")) as { version: string }).version;
    for (const flag of ["--version", "-V"]) {
      const { code, out } = await run([flag]);
      expect(code).toBe(0);
      expect(out).toBe(`vitc ${version}\n`);
    }
  });
});

describe("bin/vitc.js", () => {
  /** Runs the command as a user would; stdout, stderr and the exit code. */
  function runBin(argv: string[]): Run {
    const stderr = path.join(dir, "stderr.txt");
    let out = "";
    let code = 0;
    try {
      out = execFileSync(process.execPath, [path.join(repoRoot, "bin", "vitc.js"), ...argv], {
        cwd: repoRoot, encoding: "utf8", stdio: ["ignore", "pipe", fs.openSync(stderr, "w")],
      });
    } catch (e) {
      const failed = e as { status: number; stdout: string };
      code = failed.status;
      out = failed.stdout;
    }
    const err = fs.readFileSync(stderr, "utf8");
    return { code, out, err, all: out + err };
  }

  it("checks a spec as a user would run it", () => {
    const entry = path.join(repoRoot, "dist", "cli", "main.js");
    expect(fs.existsSync(entry), "dist/ is missing: run `npm run build` (npm ci runs it through `prepare`)").toBe(true);
    expect(runBin(["check", "specs/vit_tiny_patch16_224.vit"])).toMatchObject({ code: 0, out: "", err: "checked 1 file: no errors\n" });
  });

  it("runs the bundled CLI, built from the current dist/, with its code cache", () => {
    const bundle = path.join(repoRoot, "dist", "cli", "vitc.cjs");
    expect(fs.existsSync(bundle), "dist/cli/vitc.cjs is missing: run `npm run build`").toBe(true);
    expect(fs.existsSync(`${bundle}.cache`), "the bundle's code cache is missing: run `npm run build`").toBe(true);
    const newest = fs.readdirSync(path.join(repoRoot, "dist"), { recursive: true, encoding: "utf8" })
      .filter((f) => f.endsWith(".js"))
      .map((f) => fs.statSync(path.join(repoRoot, "dist", f)).mtimeMs)
      .reduce((a, b) => Math.max(a, b), 0);
    expect(fs.statSync(bundle).mtimeMs, "dist/cli/vitc.cjs is older than dist/: run `npm run build`").toBeGreaterThanOrEqual(newest);
  });

  it("stops quietly, with the right exit code, when its reader closes the pipe (`| head`)", async () => {
    const cases = path.join(repoRoot, "test", "diagnostics", "cases");
    const files = fs.readdirSync(cases).filter((f) => f.endsWith(".vit")).map((f) => path.join(cases, f));
    const child = spawn(process.execPath, [path.join(repoRoot, "bin", "vitc.js"), "check", ...files], { cwd: repoRoot });
    child.stdout.destroy(); // The reader is gone before the first diagnostic is written.
    let err = "";
    child.stderr.on("data", (d) => { err += d; });
    const code = await new Promise((resolve) => child.on("close", resolve));
    expect(code).toBe(1);
    expect(err).not.toMatch(stackLine);
    expect(err).toMatch(/^checked \d+ files: \d+ errors\n$/);
  });

  it("gives what the sources give, for specs with errors in both output formats", async () => {
    const cases = path.join(repoRoot, "test", "diagnostics", "cases");
    const files = fs.readdirSync(cases).filter((f) => f.endsWith(".vit")).sort().slice(0, 12).map((f) => path.join(cases, f));
    for (const argv of [["check", ...files], ["check", "--format", "json", ...files], ["summary", "specs/swin_tiny_patch4_window7_224.vit"]]) {
      // The terminal writer ends the status line with a newline; the capturing io does not.
      const trim = ({ code, out, err }: Run) => ({ code, out: out.trimEnd(), err: err.trimEnd() });
      expect(trim(runBin(argv))).toEqual(trim(await runInProcess(argv)));
    }
  });
});
