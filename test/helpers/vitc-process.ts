// Runs the `vitc` command as users do: `node bin/vitc.js …` in a child process, with its own
// working directory and environment. In-process calls of `main` hid a bug that turned every
// `run` error into an "internal error", so the CLI's tests go through this.

import { spawn, spawnSync } from "node:child_process";
import * as path from "node:path";

export const vitcBin = path.resolve(__dirname, "..", "..", "bin", "vitc.js");

export interface VitcResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly out: string;
  readonly err: string;
}

export interface VitcOptions {
  readonly cwd?: string;
  readonly env?: NodeJS.ProcessEnv;
  readonly timeoutMs?: number;
}

/** The environment the tests run the CLI in: no colours, the default backend order. */
function testEnv(extra: NodeJS.ProcessEnv | undefined): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: "1", ...extra };
  for (const key of ["TFJS_BACKENDS", "VITC_WEBGPU_FLAGS", "VITC_CODE_CACHE", "VITC_SAVE_CODE_CACHE"]) if (!extra || !(key in extra)) delete env[key];
  return env;
}

/** Runs `vitc argv…` and waits for it. */
export function vitc(argv: readonly string[], options: VitcOptions = {}): VitcResult {
  const r = spawnSync(process.execPath, [vitcBin, ...argv], {
    cwd: options.cwd ?? path.resolve(__dirname, "..", ".."),
    env: testEnv(options.env),
    encoding: "utf8",
    timeout: options.timeoutMs ?? 120_000,
    maxBuffer: 64 * 1024 * 1024,
  });
  if (r.error) throw r.error;
  return { code: r.status, signal: r.signal, out: r.stdout, err: r.stderr };
}

/** Starts `vitc argv…` without waiting, for tests that signal or read it as it runs. */
export function startVitc(argv: readonly string[], options: VitcOptions = {}) {
  return spawn(process.execPath, [vitcBin, ...argv], { cwd: options.cwd ?? path.resolve(__dirname, "..", ".."), env: testEnv(options.env) });
}

/** Node's stack frames look like `    at f (file.js:1:2)`. */
export const stackLine = /^\s+at .+/m;
