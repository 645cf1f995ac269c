// Writes output files so that nothing of the user's is lost: the bytes go to a temporary file
// beside the target, created exclusively (O_EXCL, O_NOFOLLOW) under an unpredictable name, so a
// file or symlink planted there cannot redirect the write; it is flushed and then renamed over
// the target, so the target is never half-written. Temporary files in flight are registered,
// so the command line can remove them when the process is interrupted (src/cli/signals.ts).
//
// Before anything runs, `checkOutputPath` refuses targets that would destroy an input (the same
// file by identity, not by name: hard links and `./a/../a` included) or that are not plain
// files (a symlink, a device, a directory).

import { randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { describeFileError } from "./host";

/** Why a write failed, in words, with the path it concerns; thrown by `writeFileAtomic`. */
export class WriteFailure extends Error {
  constructor(readonly file: string, readonly reason: string) {
    super(`cannot write \`${file}\`: ${reason}`);
    this.name = "WriteFailure";
  }
}

const pending = new Set<string>();
const listeners = new Set<(count: number) => void>();

/** Temporary files being written right now (absolute paths). */
export function pendingTempFiles(): readonly string[] {
  return [...pending];
}

/** Called with the number of temporary files in flight whenever it changes. */
export function onPendingTempFiles(listener: (count: number) => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** Removes every temporary file in flight (on interruption); never throws. */
export function removePendingTempFiles(): void {
  for (const file of pending) {
    try {
      fs.rmSync(file, { force: true });
    } catch {
      // Nothing more can be done while the process is ending.
    }
  }
  setPending(() => pending.clear());
}

function setPending(change: () => void): void {
  change();
  for (const listener of listeners) listener(pending.size);
}

/** Writes all of `bytes`; writeSync may write fewer bytes than asked, so it loops. */
export function writeAll(fd: number, bytes: Uint8Array): void {
  const chunk = 1 << 30; // Node writes at most 2 GiB per call.
  for (let done = 0; done < bytes.length;) done += fs.writeSync(fd, bytes, done, Math.min(bytes.length - done, chunk));
}

/**
 * Writes `chunks` to `file` through a temporary file that is renamed over it only when
 * complete and flushed. Throws a WriteFailure naming the file and the reason.
 */
export function writeFileAtomic(file: string, chunks: Iterable<Uint8Array>): void {
  const dir = path.dirname(path.resolve(file));
  const temp = path.join(dir, `.${path.basename(file)}.${randomBytes(8).toString("hex")}.tmp`);
  const { O_WRONLY, O_CREAT, O_EXCL, O_NOFOLLOW } = fs.constants;
  let fd: number | undefined;
  try {
    fd = fs.openSync(temp, O_WRONLY | O_CREAT | O_EXCL | (O_NOFOLLOW ?? 0), 0o666);
    setPending(() => pending.add(temp));
    for (const bytes of chunks) writeAll(fd, bytes);
    // Flushed before the rename, so a crash cannot leave a complete name over incomplete data.
    fs.fsyncSync(fd);
    fs.closeSync(fd);
    fd = undefined;
    fs.renameSync(temp, file);
    setPending(() => pending.delete(temp));
  } catch (err) {
    if (fd !== undefined) {
      try { fs.closeSync(fd); } catch { /* the write error is the one to report */ }
    }
    if (pending.has(temp)) {
      try { fs.rmSync(temp, { force: true }); } catch { /* likewise */ }
      setPending(() => pending.delete(temp));
    }
    const missingDir = (err as NodeJS.ErrnoException).code === "ENOENT" && !fs.existsSync(dir);
    throw new WriteFailure(file, missingDir ? `directory \`${path.dirname(file)}\` does not exist` : describeFileError(err));
  }
}

/** A file the command reads, and how the user named it (`--weights`, `the spec`). */
export interface InputFile {
  readonly path: string;
  readonly role: string;
}

/**
 * Why `target` must not be written, or undefined when it may be: it exists and is not a plain
 * file (a symlink, a directory, a device), it is one of `inputs` (same device and inode), or
 * its directory is missing or not writable. Checked before any work, so a long run never ends
 * in an error that could have been seen at its start.
 */
export function checkOutputPath(target: string, inputs: readonly InputFile[]): string | undefined {
  let stat: fs.Stats | undefined;
  try {
    stat = fs.lstatSync(target);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ENOENT") return describeFileError(err);
  }
  if (stat?.isSymbolicLink()) return "it is a symbolic link; vitc does not write through links (give the path it points to)";
  if (stat?.isDirectory()) return "it is a directory";
  if (stat && !stat.isFile()) return "it exists and is not a regular file (a device, socket or pipe)";
  if (stat) {
    for (const input of inputs) {
      const other = statOrUndefined(input.path);
      if (other && other.dev === stat.dev && other.ino === stat.ino) return `it is ${input.role} (\`${input.path}\`), which this command reads`;
    }
  }
  const dir = path.dirname(path.resolve(target));
  const dirStat = statOrUndefined(dir);
  if (!dirStat) return `directory \`${path.dirname(target)}\` does not exist`;
  if (!dirStat.isDirectory()) return `\`${path.dirname(target)}\` is not a directory`;
  try {
    fs.accessSync(dir, fs.constants.W_OK);
  } catch {
    return `directory \`${path.dirname(target)}\` is not writable`;
  }
  return undefined;
}

function statOrUndefined(file: string): fs.Stats | undefined {
  try {
    return fs.statSync(file);
  } catch {
    return undefined;
  }
}
