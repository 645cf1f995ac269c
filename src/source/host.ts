// File access for the compiler. The compiler never touches the file system directly: the CLI
// gives it a disk host, tests and the language server give it in-memory ones.

import * as fs from "node:fs";
import * as path from "node:path";

/** Files larger than this are refused before reading: a .vit spec is a few kilobytes. */
export const MAX_SOURCE_BYTES = 1 << 20;

export type ReadResult =
  | { readonly ok: true; readonly text: string }
  | { readonly ok: false; readonly reason: string };

/** Where a file is, in the two forms the compiler needs. */
export interface FileLocation {
  /** The path shown to users: as given on the command line, or joined from the importer's. */
  readonly shown: string;
  /** The absolute, normalised path that identifies the file: one file reached two ways has one. */
  readonly resolved: string;
}

export interface Host {
  /** Reads a user file given by path (a module's `resolved` path, see `locate`). */
  readFile(filePath: string): ReadResult;
  /**
   * Where `written` points: a path given on the command line (no importer), or the string of a
   * `use "…"` in `importer`, relative to the importer's directory unless absolute.
   */
  locate(written: string, importer?: FileLocation): FileLocation;
  /** Reads a standard-library module (`std.vit` → `vit.vit`), or undefined if none exists. */
  readStdModule(name: string): { path: string; text: string } | undefined;
  /**
   * The parsed AST of a standard-library module saved at build time (dist/std-asts.json), if
   * one was saved for exactly this text; the caller knows its type. Parsing the standard
   * library cold takes ~100 ms of JIT warm-up; reading the saved AST takes ~2 ms.
   */
  prebuiltStdAst?(name: string, text: string): unknown;
}

/** Where `npm run build` saves the standard library's ASTs: beside the compiled code. */
export function prebuiltStdAstsPath(): string {
  return path.resolve(__dirname, "..", "std-asts.json");
}

let prebuilt: Record<string, { text: string; ast: unknown }> | null | undefined;

function prebuiltStdAstFromDisk(name: string, text: string): unknown {
  if (prebuilt === undefined) {
    try {
      prebuilt = JSON.parse(fs.readFileSync(prebuiltStdAstsPath(), "utf8")) as Record<string, { text: string; ast: unknown }>;
    } catch {
      prebuilt = null; // Not built (tests run from src/), or unreadable: parse instead.
    }
  }
  const entry = prebuilt && Object.hasOwn(prebuilt, name) ? prebuilt[name] : undefined;
  return entry && entry.text === text ? entry.ast : undefined;
}

/** The standard library ships as .vit files in specs/std/ of this package. */
export function stdLibraryDir(): string {
  // Works both from src/ (vitest) and dist/ (the compiled CLI): both sit one level below the root.
  return path.resolve(__dirname, "..", "..", "specs", "std");
}

export function readTextFile(filePath: string): ReadResult {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(filePath);
  } catch {
    return { ok: false, reason: "no such file" };
  }
  if (stat.isDirectory()) return { ok: false, reason: "is a directory, not a .vit file" };
  if (!stat.isFile()) return { ok: false, reason: "is not a regular file" };
  if (stat.size > MAX_SOURCE_BYTES) {
    return { ok: false, reason: `is ${stat.size} bytes; specs are limited to ${MAX_SOURCE_BYTES} bytes` };
  }
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(filePath);
  } catch (err) {
    return { ok: false, reason: `cannot be read: ${describeFileError(err)}` };
  }
  return decodeSource(bytes);
}

/** Decodes UTF-8 text, refusing binary data: a NUL byte or invalid UTF-8 means it is not a spec. */
export function decodeSource(bytes: Uint8Array): ReadResult {
  if (bytes.includes(0)) return { ok: false, reason: "is binary data (it contains NUL bytes), not a .vit spec" };
  try {
    const text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
    return { ok: true, text: text.charCodeAt(0) === 0xfeff ? text.slice(1) : text };
  } catch {
    return { ok: false, reason: "is not valid UTF-8 text" };
  }
}

/** The standard library does not change while a process runs: each module is read once. */
const stdModuleCache = new Map<string, { path: string; text: string } | undefined>();

function readStdModuleFromDisk(name: string): { path: string; text: string } | undefined {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) return undefined;
  if (!stdModuleCache.has(name)) {
    const read = readTextFile(path.join(stdLibraryDir(), `${name}.vit`));
    stdModuleCache.set(name, read.ok ? { path: `std/${name}.vit`, text: read.text } : undefined);
  }
  return stdModuleCache.get(name);
}

/**
 * The file-system meaning of paths: a relative path is resolved against the working directory
 * (on the command line) or against the importer's directory (in a `use`). The shown path of a
 * module joins the importer's shown directory with what was written, so `specs/a.vit` using
 * `"lib/b.vit"` shows `specs/lib/b.vit`.
 */
export function locateFile(written: string, importer?: FileLocation): FileLocation {
  if (!importer) return { shown: written, resolved: path.resolve(written) };
  return {
    shown: path.isAbsolute(written) ? path.normalize(written) : path.join(path.dirname(importer.shown), written),
    resolved: path.resolve(path.dirname(importer.resolved), written),
  };
}

export function diskHost(): Host {
  return { readFile: readTextFile, locate: locateFile, readStdModule: readStdModuleFromDisk, prebuiltStdAst: prebuiltStdAstFromDisk };
}

/**
 * A host over in-memory files, with the real standard library behind it. Keys are paths,
 * relative ones taken from the working directory as on disk, so `use "lib/b.vit"` in `main.vit`
 * reads the key `lib/b.vit`.
 */
export function memoryHost(files: Record<string, string>): Host {
  const disk = diskHost();
  const byPath = new Map(Object.entries(files).map(([key, text]) => [path.resolve(key), text]));
  return {
    readFile: (p) => {
      const text = byPath.get(path.resolve(p));
      return text === undefined ? { ok: false, reason: "no such file" } : { ok: true, text };
    },
    locate: locateFile,
    readStdModule: disk.readStdModule,
    prebuiltStdAst: disk.prebuiltStdAst,
  };
}

/** Why a file operation failed, in words (`no such file`, `permission denied`, …). */
export function describeFileError(err: unknown): string {
  switch ((err as NodeJS.ErrnoException | null)?.code) {
    case "ENOENT": return "no such file";
    case "EISDIR": return "is a directory";
    case "EACCES": case "EPERM": return "permission denied";
    case "ENOTDIR": return "a parent of the path is not a directory";
    case "ENOSPC": return "no space left on the device";
    default: return err instanceof Error ? err.message : String(err);
  }
}
