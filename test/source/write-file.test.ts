// Outputs are written whole or not at all, through a temporary file that nobody can predict or
// plant, and never over a file the command reads (source/write-file.ts).

import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { checkOutputPath, pendingTempFiles, writeFileAtomic, WriteFailure } from "../../src/source/write-file";
import { repoRoot } from "../helpers/compile";

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "vitc-write-"));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
const bytes = (text: string) => new TextEncoder().encode(text);

describe("writeFileAtomic", () => {
  it("writes through an exclusively created, unpredictable temporary file beside the target", () => {
    const target = path.join(dir, "out.bin");
    const seen: string[][] = [];
    function* chunks() {
      yield bytes("one ");
      seen.push([...pendingTempFiles()]);
      yield bytes("two");
    }
    writeFileAtomic(target, chunks());
    expect(fs.readFileSync(target, "utf8")).toBe("one two");
    expect(seen[0]).toHaveLength(1);
    expect(path.dirname(seen[0][0])).toBe(dir);
    expect(path.basename(seen[0][0])).toMatch(/^\.out\.bin\.[0-9a-f]{16}\.tmp$/);
    expect(pendingTempFiles()).toEqual([]);
    expect(fs.readdirSync(dir).filter((f) => f.endsWith(".tmp"))).toEqual([]);
  });

  it("leaves the old file untouched and no temporary file when the write fails", () => {
    const target = path.join(dir, "kept.bin");
    fs.writeFileSync(target, "old");
    function* failing() {
      yield bytes("new");
      throw new Error("disk on fire");
    }
    expect(() => writeFileAtomic(target, failing())).toThrow(WriteFailure);
    expect(fs.readFileSync(target, "utf8")).toBe("old");
    expect(fs.readdirSync(dir).filter((f) => f.endsWith(".tmp"))).toEqual([]);
  });

  it("names a missing directory", () => {
    expect(() => writeFileAtomic(path.join(dir, "nope", "x.bin"), [bytes("x")])).toThrow(/directory `.*nope` does not exist/);
  });

  it("an interrupted process (SIGTERM during the write) leaves the target whole and no temporary file", () => {
    // The real modules in a child process with the CLI's signal handling: the signal is sent
    // while the file is being written.
    const target = path.join(dir, "signalled.bin");
    const script = `
      const { writeFileAtomic } = require(${JSON.stringify(path.join(repoRoot, "dist", "source", "write-file.js"))});
      const { removeTempFilesOnSignal } = require(${JSON.stringify(path.join(repoRoot, "dist", "cli", "signals.js"))});
      removeTempFilesOnSignal();
      function* chunks() {
        yield Buffer.alloc(1 << 20, 1);
        process.kill(process.pid, "SIGTERM");
        yield Buffer.alloc(1 << 20, 2);
      }
      writeFileAtomic(${JSON.stringify(target)}, chunks());
      setTimeout(() => process.exit(0), 5000);`;
    const r = spawnSync(process.execPath, ["-e", script], { encoding: "utf8" });
    expect(r.status).toBe(143);
    expect(fs.statSync(target).size).toBe(2 << 20);
    expect(fs.readdirSync(dir).filter((f) => f.endsWith(".tmp"))).toEqual([]);
  });
});

describe("checkOutputPath", () => {
  const input = path.join(dir, "weights.safetensors");
  fs.writeFileSync(input, "weights");

  it("accepts a new file or a plain file that is no input", () => {
    expect(checkOutputPath(path.join(dir, "new.safetensors"), [{ path: input, role: "the `--weights` file" }])).toBeUndefined();
    const other = path.join(dir, "other.safetensors");
    fs.writeFileSync(other, "x");
    expect(checkOutputPath(other, [{ path: input, role: "the `--weights` file" }])).toBeUndefined();
  });

  it("refuses an input, by identity: the same path, another spelling, a hard link", () => {
    const link = path.join(dir, "hard-link");
    fs.linkSync(input, link);
    const spelled = path.join(dir, ".", "..", path.basename(dir), "weights.safetensors");
    for (const target of [input, spelled, link]) {
      expect(checkOutputPath(target, [{ path: input, role: "the `--weights` file" }])).toBe(`it is the \`--weights\` file (\`${input}\`), which this command reads`);
    }
  });

  it("refuses a symbolic link, a directory and a device", () => {
    const symlink = path.join(dir, "symlink");
    fs.symlinkSync(path.join(dir, "anywhere"), symlink);
    expect(checkOutputPath(symlink, [])).toMatch(/symbolic link/);
    expect(checkOutputPath(dir, [])).toBe("it is a directory");
    expect(checkOutputPath("/dev/null", [])).toMatch(/not a regular file/);
  });

  it("refuses a missing directory", () => {
    expect(checkOutputPath(path.join(dir, "missing", "x"), [])).toMatch(/directory `.*missing` does not exist/);
  });
});
