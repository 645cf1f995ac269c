// Where the command line writes: stdout for results, stderr for diagnostics and progress.

export interface Io {
  out(text: string): void;
  err(text: string): void;
  /** Rewrites one status line on a terminal; absent when stderr is not a terminal. */
  progress?(text: string): void;
  color: boolean;
}

export const processIo: Io = {
  out: (t) => { process.stdout.write(t.endsWith("\n") ? t : `${t}\n`); },
  err: (t) => { process.stderr.write(t.endsWith("\n") ? t : `${t}\n`); },
  progress: process.stderr.isTTY ? (t) => { process.stderr.write(`\r\x1b[2K${t}`); } : undefined,
  color: process.stdout.isTTY === true && !process.env.NO_COLOR,
};

let guarded = false;

/**
 * A reader that stops early (`vitc check … | head`) closes the pipe under us; Node then raises
 * EPIPE on the next write. That is the reader's choice, not an error: what is left unwritten is
 * dropped, and the exit code still says whether the specs had errors.
 */
export function dropOutputAfterClosedPipe(): void {
  if (guarded) return;
  guarded = true;
  for (const stream of [process.stdout, process.stderr]) {
    stream.on("error", (err: NodeJS.ErrnoException) => {
      if (err.code !== "EPIPE" && err.code !== "ERR_STREAM_DESTROYED") throw err;
    });
  }
}
