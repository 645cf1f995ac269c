// Text from a spec (a `require` message, a string value, a source line, a file path) shown on a
// terminal: control characters are written as visible escapes, so a spec cannot move the
// cursor, clear the screen, retitle the window or reorder what is printed (Trojan Source).
// Escaped: C0 controls (tab and newline too, unless the caller lays them out), DEL, C1
// controls, and the bidirectional overrides and isolates U+202A–U+202E and U+2066–U+2069.
// JSON output needs none of this: JSON.stringify escapes what JSON must, and the text stays exact.

export interface VisibleTextOptions {
  /** What a tab becomes, where the caller lays tabs out (a source line: spaces); else `\t`. */
  readonly tab?: string;
  /** Keep line breaks (`\n`) as they are, for text of several lines the caller wrote. */
  readonly newline?: boolean;
}

const shortEscapes = new Map([["\t", "\\t"], ["\n", "\\n"], ["\r", "\\r"]]);

/** Whether the UTF-16 unit `code` is a character this module escapes. */
export function isControlCode(code: number): boolean {
  return code < 0x20 || (code >= 0x7f && code <= 0x9f) || (code >= 0x202a && code <= 0x202e) || (code >= 0x2066 && code <= 0x2069);
}

/** How one character is shown: itself, or its escape (`\u{1b}`, `\t`). */
export function visibleChar(ch: string, options: VisibleTextOptions = {}): string {
  const code = ch.charCodeAt(0);
  if (!isControlCode(code)) return ch;
  if (ch === "\t" && options.tab !== undefined) return options.tab;
  if (ch === "\n" && options.newline) return ch;
  return shortEscapes.get(ch) ?? `\\u{${code.toString(16)}}`;
}

/** `text` with every control character written as a visible escape. */
export function visibleText(text: string, options: VisibleTextOptions = {}): string {
  // Most text has none: return it as is without building a copy.
  let i = 0;
  while (i < text.length && !isControlCode(text.charCodeAt(i))) i++;
  if (i === text.length) return text;
  let out = text.slice(0, i);
  for (; i < text.length; i++) out += visibleChar(text[i], options);
  return out;
}

/** 1234567 → "1,234,567", exactly for any size: counts in messages, reports and hovers. */
export function groupDigits(n: number | bigint): string {
  return n.toLocaleString("en-US");
}
