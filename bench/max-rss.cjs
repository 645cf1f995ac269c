// Preloaded with `node -r` by bench/onnx-speed.mjs: prints the process's peak resident set at exit,
// so that a benchmark can read the peak memory of a whole `vitc` command. Linux's VmHWM belongs to
// this program's own address space; getrusage's maxrss would include the parent's memory at fork
// (a benchmark holding ViT-B made a 476 MiB run read 1282 MiB).
"use strict";
const fs = require("node:fs");
process.on("exit", () => {
  let kib = process.resourceUsage().maxRSS;
  try {
    const hwm = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync("/proc/self/status", "utf8"));
    if (hwm) kib = Number(hwm[1]);
  } catch {
    // Not Linux: getrusage's figure it is.
  }
  fs.writeSync(2, `maxrss-kib ${kib}\n`);
});
