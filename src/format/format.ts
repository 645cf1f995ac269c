// The formatter: one canonical layout for a .vit file. It works on the lexer's tokens with the
// comments between them, keeps the user's line breaks (which tokens start a line) and rewrites
// everything else: indentation (two spaces per bracket opened on an earlier line, two more for a
// continued statement), the spaces between tokens, comments (kept, trailing ones two spaces after
// the code), blank lines (at most one; none after an opening or before a closing brace), a single
// newline at the end. A `model` line longer than MAX_WIDTH is wrapped, one argument per line.
// Invariants: whitespace means nothing in the grammar, so the tokens and thus the AST are those
// of the input; a file with a syntax error is left as it is; and the result is checked by parsing
// it again (parse-preserving), else the input is returned. Formatting twice changes nothing.

import type { Diagnostic, Staged } from "../diagnostics/diagnostic";
import type { SourceFile } from "../source/span";
import type { IToken } from "../syntax/chevrotain";
import { parseSource } from "../syntax/parse";
import * as T from "../syntax/tokens";
import { sameTree } from "./same-tree";

export const MAX_WIDTH = 100;
const INDENT = 2;
const CONTINUATION = 2;

interface Item {
  /** A token's image, or a comment's text (`# …`, `## …`) without trailing spaces. */
  readonly text: string;
  readonly token?: IToken;
  readonly comment: boolean;
  /** Line breaks in the whitespace before this item. */
  readonly breaks: number;
}

interface Line {
  readonly items: Item[];
  /** Blank lines before it in the input. */
  readonly blank: boolean;
}

const openers = new Set(["(", "[", "{"]);
const closers = new Set([")", "]", "}"]);
/** Tokens after which a `-` is binary, as in the parser's nesting check. */
const operandEnds = new Set([T.Ident, T.Int, T.Float, T.StringLit, T.True, T.False, T.RParen, T.RBracket]);
/** A line that starts with one of these continues the statement above it. */
const continuing = new Set([T.Help, T.Note, T.Suggest, T.Then, T.Plus, T.Star, T.Slash, T.SlashSlash, T.Percent, T.CmpOp, T.And, T.Or, T.Pipe]);
/** A line that ends with one of these is continued by the next. */
const unfinished = new Set([T.Plus, T.Minus, T.Star, T.Slash, T.SlashSlash, T.Percent, T.CmpOp, T.Equals, T.And, T.Or, T.Not, T.Pipe, T.Then, T.Else, T.Colon, T.Require, T.Expect, T.Input, T.Let, T.Model, T.Use, T.Block]);

/**
 * The formatted text, or the input unchanged with the syntax errors that keep it from being
 * formatted. Never throws on user input.
 */
export function formatSource(file: SourceFile): Staged<string> {
  const parsed = parseSource(file);
  if (parsed.diagnostics.length > 0) return { value: file.text, diagnostics: parsed.diagnostics };
  const lexed = T.vitLexer.tokenize(file.text);
  const items = itemsOf(file.text, [...lexed.tokens, ...(lexed.groups.docs ?? [])].sort((a, b) => a.startOffset - b.startOffset));
  const text = render(linesOf(items));
  const again = parseSource({ ...file, text });
  // A layout that changed what the file means is a bug of the formatter: keep the input.
  const diagnostics: Diagnostic[] = [];
  if (again.diagnostics.length > 0 || !sameTree(parsed.value, again.value)) return { value: file.text, diagnostics };
  return { value: text, diagnostics };
}

/** Tokens and the comments in the whitespace between them, in order. */
function itemsOf(text: string, tokens: readonly IToken[]): Item[] {
  const items: Item[] = [];
  let cursor = 0;
  const gap = (end: number) => {
    const between = text.slice(cursor, end);
    let breaks = 0;
    for (const m of between.matchAll(/(\r\n|\r|\n)|#[^\n\r]*/g)) {
      if (m[1]) breaks++;
      else {
        items.push({ text: m[0].trimEnd(), comment: true, breaks });
        breaks = 0;
      }
    }
    return breaks;
  };
  for (const token of tokens) {
    const breaks = gap(token.startOffset);
    const isDoc = token.tokenType === T.DocComment;
    items.push({ text: isDoc ? token.image.trimEnd() : token.image, token: isDoc ? undefined : token, comment: isDoc, breaks });
    cursor = (token.endOffset ?? token.startOffset) + 1;
  }
  gap(text.length);
  return items;
}

function linesOf(items: readonly Item[]): Line[] {
  const lines: Line[] = [];
  for (const item of items) {
    if (lines.length === 0 || item.breaks > 0) lines.push({ items: [item], blank: item.breaks > 1 && lines.length > 0 });
    else lines[lines.length - 1].items.push(item);
  }
  return lines;
}

function render(lines: readonly Line[]): string {
  const out: string[] = [];
  /** Per open bracket: the indentation of the line that opened it. */
  const open: number[] = [];
  let previous: Line | undefined;
  for (const line of lines) {
    const first = line.items[0];
    const last = lastToken(previous);
    let indent = open.length > 0 ? open[open.length - 1] + INDENT : 0;
    if (first.token && closers.has(first.text)) indent = open.length > 0 ? open[open.length - 1] : 0;
    else if ((first.token && continuing.has(first.token.tokenType)) || (last && unfinished.has(last.tokenType))) indent += CONTINUATION;
    const afterOpen = last !== undefined && last.image === "{";
    const beforeClose = first.token !== undefined && first.text === "}";
    if (line.blank && !afterOpen && !beforeClose && out.length > 0) out.push("");
    let text = " ".repeat(indent) + joinItems(line.items);
    if (first.token?.tokenType === T.Model && indent === 0 && text.length > MAX_WIDTH) text = wrapModel(line.items) ?? text;
    out.push(text);
    for (const item of line.items) {
      if (!item.token) continue;
      if (openers.has(item.text)) open.push(indent);
      else if (closers.has(item.text)) open.pop();
    }
    if (line.items.some((i) => i.token)) previous = line;
  }
  return out.length === 0 ? "" : `${out.join("\n")}\n`;
}

function lastToken(line: Line | undefined): IToken | undefined {
  return line?.items.filter((i) => i.token).at(-1)?.token;
}

function joinItems(items: readonly Item[]): string {
  let text = "";
  let prev: IToken | undefined;
  let prevPrev: IToken | undefined;
  for (const item of items) {
    if (item.comment) {
      text += text === "" ? item.text : `  ${item.text}`;
      continue;
    }
    const token = item.token as IToken;
    if (text !== "") text += prev ? spaceBetween(prev, token, prevPrev) : " ";
    text += token.image;
    prevPrev = prev;
    prev = token;
  }
  return text;
}

/** `-` as a prefix (`-1`, `[-1, 2]`, `x * -y`), not a subtraction. */
function isUnaryMinus(token: IToken, before: IToken | undefined): boolean {
  return token.tokenType === T.Minus && !(before && operandEnds.has(before.tokenType));
}

function spaceBetween(prev: IToken, next: IToken, beforePrev: IToken | undefined): string {
  const p = prev.image;
  const n = next.image;
  if (n === "," || n === ":" || n === ")" || n === "]") return "";
  if (p === "(" || p === "[") return "";
  if (p === "." || n === ".") return "";
  if (isUnaryMinus(prev, beforePrev)) return "";
  if (n === "(") return prev.tokenType === T.Ident ? "" : " ";
  if (n === "[") return operandEnds.has(prev.tokenType) ? "" : " ";
  // Everything else, binary operators and keywords included, is one space apart.
  return " ";
}

/**
 * `model m = family(a: 1, b: [2, 3])` as one argument per line with a trailing comma, when the
 * whole call is on the line; a trailing comment goes after the closing parenthesis.
 */
function wrapModel(items: readonly Item[]): string | undefined {
  const tokens = items.filter((i) => i.token);
  const comment = items.filter((i) => i.comment).map((i) => i.text).join(" ");
  const openAt = tokens.findIndex((i) => i.text === "(");
  if (openAt < 0 || tokens[tokens.length - 1].text !== ")") return undefined;
  const args: Item[][] = [[]];
  let depth = 0;
  for (const item of tokens.slice(openAt + 1, -1)) {
    if (openers.has(item.text)) depth++;
    if (closers.has(item.text)) depth--;
    if (depth < 0) return undefined;
    if (item.text === "," && depth === 0) args.push([]);
    else args[args.length - 1].push(item);
  }
  if (depth !== 0) return undefined;
  const filled = args.filter((a) => a.length > 0);
  if (filled.length === 0) return undefined;
  return [
    joinItems(tokens.slice(0, openAt + 1)),
    ...filled.map((a) => `${" ".repeat(INDENT)}${joinItems(a)},`),
    `)${comment ? `  ${comment}` : ""}`,
  ].join("\n");
}
