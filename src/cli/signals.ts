// Interruption while an output file is written: SIGINT or SIGTERM removes any temporary file in
// flight (source/write-file.ts) and ends the process with the signal's usual exit code. Node's
// default for these signals kills the process at once, in the middle of a write, leaving the
// temporary file behind; a JavaScript handler instead runs once the synchronous write has
// returned. The handlers are installed when the first output starts, not before, so Ctrl-C
// during a long forward pass still ends the process at once; and never removed, since a signal
// that arrived during the write is delivered only after it.

import { onPendingTempFiles, removePendingTempFiles } from "../source/write-file";

const exitCodes = { SIGINT: 130, SIGTERM: 143 } as const;
let watching = false;
let installed = false;

function onSignal(signal: NodeJS.Signals): void {
  removePendingTempFiles();
  process.exit(exitCodes[signal as keyof typeof exitCodes]);
}

export function removeTempFilesOnSignal(): void {
  if (watching) return;
  watching = true;
  onPendingTempFiles((count) => {
    if (count === 0 || installed) return;
    installed = true;
    for (const signal of Object.keys(exitCodes)) process.on(signal, onSignal);
  });
}
