// The `vitc` command line: finds the command, parses its flags against its declaration
// (commands.ts) and renders what went wrong at the edge. The only code (with lsp/) that touches
// process, stdout and files. Exit codes: 0 done, 1 the input has errors (diagnostics or a coded
// ToolError), 2 the command line cannot mean anything, 70 a bug in vitc; 130/143 interrupted.

import { isToolError, renderToolError } from "../diagnostics/tool-error";
import { visibleText } from "../diagnostics/visible-text";
import { parseCommandArgs, UsageError, type ParsedArgs } from "./args";
import { checkCommand, summaryCommand } from "./check";
import { commandHelp, findCommand, generalHelp, usageLine } from "./commands";
import type { Io } from "./io";
import { dropOutputAfterClosedPipe, processIo } from "./io";
import { removeTempFilesOnSignal } from "./signals";
import { packageVersion } from "./version";

/**
 * `run` and `bench` pull in tfjs, the image decoders and the weight reader; `check`, which
 * must start fast, never loads them (the bundle keeps them in a module that runs on first use).
 */
const loadRunner = () => import("./run");

const handlers: Record<string, (args: ParsedArgs, io: Io) => number | Promise<number>> = {
  check: checkCommand,
  summary: summaryCommand,
  // Their output is plain lines that quote the user's paths and names: shown escaped.
  run: async (args, io) => (await loadRunner()).runCommand(args, escapedIo(io)),
  bench: async (args, io) => (await loadRunner()).benchCommand(args, escapedIo(io)),
  build: async (args, io) => (await import("./build")).buildCommand(args, escapedIo(io)),
  // The server's protocol library is loaded only for `lsp`.
  fmt: async (args, io) => (await import("./fmt")).fmtCommand(args, io),
  lsp: async (args, io) => (await import("../lsp/server")).lspCommand(args, io),
};

export async function main(argv: readonly string[], io: Io = processIo): Promise<number> {
  if (io === processIo) {
    dropOutputAfterClosedPipe();
    removeTempFilesOnSignal();
  }
  try {
    return await dispatch(argv, io);
  } catch (err) {
    if (err instanceof UsageError) {
      const where = err.command ? `vitc ${err.command.name}` : "vitc";
      const lines = [`${where}: ${err.message}`, ...err.help.map((h) => `  = help: ${h}`)];
      if (err.command) lines.push(usageLine(err.command), `run \`vitc ${err.command.name} --help\` for its flags`);
      else lines.push("run `vitc help` for the commands");
      io.err(visibleText(lines.join("\n"), { newline: true }));
      return 2;
    }
    if (isToolError(err)) {
      io.err(renderToolError(err));
      return 1;
    }
    // A bug in vitc: say so plainly instead of printing a stack trace.
    io.err(`vitc: internal error: ${visibleText(err instanceof Error ? err.message : String(err))}\nthis is a bug in vitc; please report it with the command and the spec that caused it`);
    return 70;
  }
}

async function dispatch(argv: readonly string[], io: Io): Promise<number> {
  const [first, ...rest] = argv;
  if (first === undefined) {
    io.err(generalHelp(packageVersion()));
    return 2;
  }
  if (first === "--version" || first === "-V" || first === "version") {
    io.out(`vitc ${packageVersion()}`);
    return 0;
  }
  if (first === "help" || first === "--help" || first === "-h") {
    const topic = rest[0] === undefined ? undefined : findCommand(rest[0]);
    if (rest[0] !== undefined && !topic) throw unknownCommand(rest[0]);
    io.out(topic ? commandHelp(topic) : generalHelp(packageVersion()));
    return 0;
  }
  const command = findCommand(first);
  if (!command) throw unknownCommand(first);
  const args = parseCommandArgs(command, rest);
  if (args.help) {
    io.out(commandHelp(command));
    return 0;
  }
  return handlers[command.name](args, io);
}

/**
 * `io` with control characters in report lines shown as escapes (progress lines pass as they
 * are). Error output is left alone: diagnostics and tool errors escape what they quote of the
 * user's where they are rendered, and keep their colours.
 */
function escapedIo(io: Io): Io {
  return { ...io, out: (t) => io.out(visibleText(t, { newline: true })) };
}

function unknownCommand(name: string): UsageError {
  if (name.startsWith("-")) return new UsageError(`unknown flag \`${name}\`; flags come after the command`, undefined, ["`vitc check --format json x.vit`, `vitc run x.vit --backend wasm`"]);
  return new UsageError(`unknown command \`${name}\``);
}
