// Imports go one way: a folder of src/ imports only from its own layer or earlier ones
// (STYLE.md §2), so that each stage can change without reaching into another's internals.

import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";

const src = path.resolve(__dirname, "..", "src");
// The backends that run or export the checked IR (tfjs, onnx) share a layer; the TypeScript
// emitter (backends/typescript) reuses the tfjs backend's kernels' settings and copies its
// runtime, so it comes after it, with the runner that chooses between tfjs and ONNX Runtime.
const layers = [["source"], ["diagnostics"], ["syntax"], ["format"], ["ir", "ops"], ["elaborate"], ["shapes"], ["pipeline", "reports", "weights", "images"],
  ["backends/tfjs", "backends/onnx"], ["backends/typescript", "backends/runner.ts"], ["lsp", "cli", "index"]];

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(full);
    return e.name.endsWith(".ts") ? [full] : [];
  });
}

/** The layer of a file: the index of its top folder (or file stem) under src/, `backends/NAME` for a backend. */
function layerOf(file: string): number {
  const parts = path.relative(src, file).split(path.sep);
  const top = parts[0] === "backends" ? `backends/${parts[1]}` : parts[0].replace(/\.ts$/, "");
  const index = layers.findIndex((l) => l.includes(top));
  if (index < 0) throw new Error(`${top} is in no layer: add it to the list in test/architecture.test.ts`);
  return index;
}

function importsOf(file: string): string[] {
  const text = fs.readFileSync(file, "utf8");
  const specifiers = [...text.matchAll(/(?:import|export)[^;]*?from\s+"([^"]+)"/g)].map((m) => m[1]);
  return specifiers.filter((s) => s.startsWith(".")).map((s) => path.resolve(path.dirname(file), s));
}

describe("architecture", () => {
  const files = sourceFiles(src).map((f) => path.relative(src, f));
  it.each(files)("%s imports only from its own or earlier layers", (relative) => {
    const file = path.join(src, relative);
    for (const dep of importsOf(file)) {
      const target = fs.existsSync(`${dep}.ts`) ? `${dep}.ts` : path.join(dep, "index.ts");
      expect(layerOf(target), `${relative} imports ${path.relative(src, target)}`).toBeLessThanOrEqual(layerOf(file));
    }
  });

  // Each backend reads the checked IR and the weights, never another backend: a third one is a new
  // folder. The exceptions: the TypeScript emitter builds on the tfjs backend's runtime, and the
  // files directly in backends/ (the runner that chooses one) see several.
  const mayImport: Record<string, readonly string[]> = { typescript: ["tfjs"] };
  it.each(files.filter((f) => /^backends\/[^/]+\//.test(f)))("%s imports no other backend", (relative) => {
    const own = relative.split("/")[1];
    for (const dep of importsOf(path.join(src, relative))) {
      const target = path.relative(src, dep).split(path.sep);
      if (target[0] === "backends" && target.length > 2 && !(mayImport[own] ?? []).includes(target[1])) {
        expect(target[1], `${relative} imports ${target.join("/")}`).toBe(own);
      }
    }
  });

  it("only cli/ and lsp/ touch the process (the API in index.ts neither prints nor exits)", () => {
    for (const relative of files) {
      if (/^(cli|lsp)\//.test(relative)) continue;
      const text = fs.readFileSync(path.join(src, relative), "utf8");
      expect(/process\.(stdout|stderr|exit|argv)/.test(text), `${relative} uses process`).toBe(false);
    }
  });
});

describe("self-containment", () => {
  // A clone on a user's machine has no shared folder beside it: tests, benchmarks and scripts read
  // only what the repository holds (timm's fixtures and model table are in test/fixtures/).
  const roots = ["test", "bench", "scripts"].map((d) => path.resolve(__dirname, "..", d));
  const files = roots.flatMap((root) => listFiles(root)).filter((f) => /\.(ts|mts|mjs|js|py|sh)$/.test(f));
  it.each(files.map((f) => path.relative(path.resolve(__dirname, ".."), f)))("%s reads nothing outside the repository", (relative) => {
    const text = fs.readFileSync(path.resolve(__dirname, "..", relative), "utf8");
    const outside = /\.\.\/shared|["']\.\.["'],\s*["']shared["']|["']shared["'],\s*["'](fixtures|reference)["']|\/work\/shared/;
    expect(relative === "test/architecture.test.ts" ? false : outside.test(text)).toBe(false);
  });
});

function listFiles(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    return e.isDirectory() ? (e.name === "node_modules" ? [] : listFiles(full)) : [full];
  });
}
