// Errors about things outside a spec (weight files, inputs, images, backends): they have a code
// and a message like every diagnostic, but a file path instead of a span. Code that reads such
// inputs throws a ToolError; the CLI renders it as `path: error[CODE]: message` and exits 1.
// Any other exception is a bug in vitc.

import type { Code } from "./codes";
import { visibleText } from "./visible-text";

export class ToolError extends Error {
  constructor(
    readonly code: Code,
    message: string,
    readonly details: { readonly file?: string; readonly notes?: readonly string[]; readonly help?: readonly string[] } = {},
  ) {
    super(message);
    this.name = "ToolError";
  }
}

export function isToolError(err: unknown): err is ToolError {
  return err instanceof ToolError;
}

/** V1000: a spec that cannot be read (missing, a folder, binary, too large). */
export function unreadableSpec(path: string, reason: string): ToolError {
  return new ToolError("V1000", `cannot read \`${path}\`: ${reason}`, { file: path });
}

/**
 * `file: error[CODE]: message`, then its notes and help, as the terminal renderer does, with
 * control characters (from a file name, a tensor name) shown as escapes.
 */
export function renderToolError(err: ToolError): string {
  const lines = [`${visibleText(err.details.file ?? "vitc")}: error[${err.code}]: ${visibleText(err.message)}`];
  for (const note of err.details.notes ?? []) lines.push(`  = note: ${visibleText(note)}`);
  for (const help of err.details.help ?? []) lines.push(`  = help: ${visibleText(help)}`);
  return lines.join("\n");
}

/** The first line of a thrown value's message (a library's error can be any object), trimmed. */
export function errorFirstLine(err: unknown): string {
  const text = err instanceof Error ? err.message : typeof err === "object" && err !== null && "message" in err ? String(err.message) : String(err);
  return text.split("\n")[0].trim();
}
