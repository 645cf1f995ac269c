// `vitc fmt [--check] <files…>`: rewrites each file in the formatter's layout (format/), or with
// `--check` only says which files it would change (exit 1 if any). A file with a syntax error is
// reported and left alone; files are replaced whole (writeFileAtomic), through symbolic links.

import * as fs from "node:fs";
import { renderToolError, ToolError, unreadableSpec } from "../diagnostics/tool-error";
import { renderTerminal } from "../diagnostics/render-terminal";
import { visibleText } from "../diagnostics/visible-text";
import { formatSource } from "../format/format";
import { FileTable } from "../source/file-table";
import { readTextFile } from "../source/host";
import { writeFileAtomic, WriteFailure } from "../source/write-file";
import { hasFlag, type ParsedArgs } from "./args";
import type { Io } from "./io";

export function fmtCommand(args: ParsedArgs, io: Io): number {
  const check = hasFlag(args, "check");
  let failed = 0;
  let changed = 0;
  for (const file of args.operands) {
    const read = readTextFile(file);
    if (!read.ok) {
      io.err(renderToolError(unreadableSpec(file, read.reason)));
      failed++;
      continue;
    }
    const files = new FileTable();
    const source = files.add(file, read.text);
    const formatted = formatSource(source);
    if (formatted.diagnostics.length > 0) {
      for (const d of formatted.diagnostics) io.err(`${renderTerminal(files, d, { color: io.color })}\n`);
      io.err(visibleText(`${file}: not formatted: it has syntax errors`));
      failed++;
      continue;
    }
    if (formatted.value === read.text) continue;
    changed++;
    if (check) {
      io.out(visibleText(`would reformat ${file}`));
      continue;
    }
    try {
      writeFileAtomic(fs.realpathSync(file), [new TextEncoder().encode(formatted.value)]);
    } catch (err) {
      if (err instanceof WriteFailure) throw new ToolError("V4005", err.message, { file });
      throw err;
    }
    io.out(visibleText(`formatted ${file}`));
  }
  const count = args.operands.length;
  const what = check ? `${changed} would be reformatted` : `${changed} reformatted`;
  io.err(`${count} file${count === 1 ? "" : "s"}: ${what}${failed > 0 ? `, ${failed} not formatted` : ""}`);
  return failed > 0 || (check && changed > 0) ? 1 : 0;
}
