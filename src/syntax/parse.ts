// parseSource: text → AST with every syntax error reported. Never throws on user input.

import { LineIndex } from "../source/line-index";
import type { IToken, TokenType } from "./chevrotain";
import { makeDiagnostic, type Diagnostic, type Staged } from "../diagnostics/diagnostic";
import { spanOf, type SourceFile, type Span } from "../source/span";
import type { Expr, SourceAst } from "./ast";
import { convertExpression, convertFile } from "./cst-to-ast";
import { vitParser } from "./bounded-parser";
import { errorSites, toSyntaxDiagnostics } from "./syntax-errors";
import * as T from "./tokens";

/** Deeper bracket nesting than this is refused before parsing (the parser is recursive). */
export const MAX_NESTING = 64;

/**
 * A character as an error message shows it: `@`, or with its code point where it is not plain
 * ASCII (`“` U+201C), or by code point alone where it cannot be seen (U+200B, invisible).
 */
function describeCharacter(ch: string): string {
  const code = `U+${(ch.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, "0")}`;
  if (/^[\x21-\x7e]$/.test(ch)) return `\`${ch}\``;
  if (/^[\p{Cc}\p{Cf}\p{Z}]$/u.test(ch)) return `${code} (invisible)`;
  return `\`${ch}\` (${code})`;
}

/**
 * Syntax errors reported per file. A file with more (not a spec, or a spec mangled by a tool) gets
 * one V1005 after them, and the parser stops at the first error past them: its recovery costs
 * 0.1 ms or more per error, so 16,000 lines of `model =` took 20 s to check (bounded-parser.ts).
 */
export const MAX_SYNTAX_ERRORS = 100;

export function parseSource(file: SourceFile): Staged<SourceAst> {
  const diagnostics: Diagnostic[] = [];
  const empty: SourceAst = { file: file.id, uses: [], blocks: [], models: [] };
  const lines = new LineIndex(file.text);
  const lexed = T.vitLexer.tokenize(file.text);
  for (const err of lexed.errors) {
    const ch = String.fromCodePoint(file.text.codePointAt(err.offset) ?? 0xfffd);
    diagnostics.push(makeDiagnostic("V1003", `unexpected character ${describeCharacter(ch)}`, spanOf(file.id, err.offset, err.offset + (err.length || 1)), {
      label: "not part of the .vit language",
      help: "'‘’“”".includes(ch) ? ["strings use straight double quotes: \"avg\""] : [],
    }));
  }
  let tokens: IToken[] = [];
  for (const token of lexed.tokens) {
    if (token.tokenType === T.UnterminatedString) {
      diagnostics.push(makeDiagnostic("V1002", "unterminated string", spanOf(file.id, token.startOffset, (token.endOffset ?? token.startOffset) + 1), {
        label: "this string has no closing `\"` on its line",
        help: ["add a `\"` where the string ends"],
      }));
    } else tokens.push(token);
  }
  diagnostics.push(...strayCommas(tokens, file));
  // Past the errors shown, the parser would only add more: it reads the file up to the first
  // line with an error not shown.
  const early = firstPerLine(diagnostics, lines);
  const cut = early.length > MAX_SYNTAX_ERRORS ? early[MAX_SYNTAX_ERRORS].primary.span : undefined;
  if (cut) tokens = tokens.filter((t) => t.startOffset < cut.start);
  const tooDeep = findExcessNesting(tokens);
  if (tooDeep) {
    const nested = makeDiagnostic("V1004", `${tooDeep.what} nested more than ${MAX_NESTING} deep`, spanOf(file.id, tooDeep.token.startOffset, (tooDeep.token.endOffset ?? tooDeep.token.startOffset) + 1), {
      label: `nesting level ${MAX_NESTING + 1} starts here`,
      notes: [{ text: "the file was not parsed further" }],
      help: ["name intermediate values with `let` instead of nesting them"],
    });
    return { value: empty, diagnostics: [...capSyntaxErrors(early, cut), nested] };
  }
  try {
    const parsed = vitParser.parseFile(tokens, { lines: MAX_SYNTAX_ERRORS, lineOf: (offset) => lines.position(offset).line });
    // Where the tokens were cut, the parser met an end that is not the file's.
    const errors = cut ? parsed.errors.filter((e) => !Number.isNaN(e.token.startOffset)) : parsed.errors;
    const quiet = echoesOfUnterminatedStrings(lexed.tokens, tokens);
    const sites = errorSites(errors, tokens);
    for (const d of toSyntaxDiagnostics(errors, sites, { file, tokens, lines })) {
      if (!quiet.some(([from, to]) => d.primary.span.start >= from && d.primary.span.start < to)) diagnostics.push(d);
    }
    // The bracket each error happened in: what recovery made of its contents is a guess.
    const cutShort = new Set(sites.flatMap((site) => site.open.slice(-1).map((t) => t.startOffset)));
    const ast = convertFile(parsed.cst, { file: file.id, text: file.text, docs: lexed.groups.docs ?? [], cutShort });
    const stop = parsed.stoppedAt ? spanOf(file.id, parsed.stoppedAt.startOffset, (parsed.stoppedAt.endOffset ?? parsed.stoppedAt.startOffset) + 1) : cut;
    return { value: ast, diagnostics: capSyntaxErrors(firstPerLine(diagnostics, lines), stop) };
  } catch (err) {
    // findExcessNesting should leave the recursive parser enough stack; if some other shape of
    // input still overflows it, that is a file too deep to parse, not a crash.
    if (!(err instanceof RangeError && /call stack/i.test(err.message))) throw err;
    diagnostics.push(makeDiagnostic("V1004", "the file is nested too deeply to parse", spanOf(file.id, 0, 0), {
      notes: [{ text: "the file was not parsed further" }],
      help: ["name intermediate values with `let` instead of nesting them"],
    }));
    return { value: empty, diagnostics };
  }
}

/**
 * The first MAX_SYNTAX_ERRORS errors (sorted by position), then one V1005: where the parser
 * stopped reading (`stop`) if it did, else at the first error not shown, with how many were not.
 */
function capSyntaxErrors(sorted: Diagnostic[], stop: Span | undefined): Diagnostic[] {
  const hidden = sorted.slice(MAX_SYNTAX_ERRORS);
  if (hidden.length === 0 && !stop) return sorted;
  const shown = sorted.slice(0, MAX_SYNTAX_ERRORS);
  const limit = `vitc shows the first ${MAX_SYNTAX_ERRORS} syntax errors of a file`;
  const count = (n: number) => `${n} more syntax ${n === 1 ? "error" : "errors"}`;
  if (!stop) {
    return [...shown, makeDiagnostic("V1005", `too many syntax errors: ${hidden.length} more not shown`, hidden[0].primary.span, {
      notes: [{ text: limit }], help: ["fix the errors shown and check the file again"],
    })];
  }
  const before = hidden.filter((d) => d.primary.span.start < stop.start).length;
  return [...shown, makeDiagnostic("V1005", "too many syntax errors: the file was not checked from here on", stop, {
    notes: [{ text: `${limit}, and stops reading it at the next one` }, ...(before > 0 ? [{ text: `${count(before)} before this point ${before === 1 ? "is" : "are"} not shown` }] : [])],
    help: ["fix the errors shown and check the file again"],
  })];
}

/**
 * An unterminated string swallows the rest of its line, closing brackets included, so the
 * parser then fails until the next declaration: those failures are the string's V1002 again.
 * Returns the offset ranges, each from such a string to the next `use`, `block` or `model`.
 */
function echoesOfUnterminatedStrings(all: readonly IToken[], kept: readonly IToken[]): Array<[number, number]> {
  const starts = new Set<TokenType>([T.Use, T.Block, T.Model]);
  const declarations = kept.filter((k) => starts.has(k.tokenType)).map((k) => k.startOffset);
  let next = 0;
  return all.filter((t) => t.tokenType === T.UnterminatedString).map((t) => {
    while (next < declarations.length && declarations[next] <= t.startOffset) next++;
    return [t.startOffset, declarations[next] ?? Infinity];
  });
}

/**
 * The grammar lets a trailing comma end a list (`f(a, b,)`), so `f(a,, b)` and `f(, a)` parse;
 * a comma right after `(`, `[` or another comma is reported here instead.
 */
function strayCommas(tokens: readonly IToken[], file: SourceFile): Diagnostic[] {
  const openers = new Set<TokenType>([T.LParen, T.LBracket, T.Comma]);
  const found: Diagnostic[] = [];
  for (let i = 1; i < tokens.length; i++) {
    const token = tokens[i];
    if (token.tokenType !== T.Comma || !openers.has(tokens[i - 1].tokenType)) continue;
    found.push(makeDiagnostic("V1001", "expected a value, found `,`", spanOf(file.id, token.startOffset, token.startOffset + 1), {
      label: "nothing before this comma",
      help: ["remove the extra `,`"],
    }));
  }
  return found;
}

/**
 * After one syntax error the parser resynchronises by guessing, and its further errors on the
 * same line (a missing comma gives three) are that guess failing: keep the first of each line.
 * Sorted by position.
 */
function firstPerLine(diagnostics: Diagnostic[], lines: LineIndex): Diagnostic[] {
  if (diagnostics.length < 2) return diagnostics;
  const seen = new Set<number>();
  return [...diagnostics].sort((a, b) => a.primary.span.start - b.primary.span.start).filter((d) => {
    const line = lines.position(d.primary.span.start).line;
    if (seen.has(line)) return false;
    seen.add(line);
    return true;
  });
}

/** Tokens after which a `-` is binary (it follows an operand). */
const operandEnds = new Set<TokenType>([T.Ident, T.Int, T.Float, T.StringLit, T.True, T.False, T.RParen, T.RBracket]);
/** Keywords that start a statement or declaration: an `else if` chain before them is over. */
const statementStarts = new Set<TokenType>([T.Let, T.Input, T.Expect, T.Output, T.Require, T.Repeat, T.Residual, T.Block, T.Model, T.Use]);

interface ExcessNesting { readonly token: IToken; readonly what: string }

/**
 * The first token at which the recursive parser would go more than MAX_NESTING levels deep, so
 * that `((((…`, `- - - … 1`, `not not …` and long `else if` chains are refused instead of
 * overflowing the stack. A level is an open bracket, a prefix `-` or `not` until its operand
 * starts, or an `if` chained after `else`/`then` until its chain ends. Levels add up: `-(-(…`
 * counts both.
 */
function findExcessNesting(tokens: readonly IToken[]): ExcessNesting | undefined {
  // Per open bracket (index 0: outside any), the prefix operators and chained `if`s still open.
  const prefix = [0];
  const chain = [0];
  let total = 0;
  let previous: TokenType | undefined;
  const sum = (levels: number[]) => levels.reduce((a, b) => a + b, 0);
  // The message names what contributes most levels.
  const tooDeep = (token: IToken): ExcessNesting | undefined => {
    if (total <= MAX_NESTING) return undefined;
    const counts: Array<[string, number]> = [["brackets", prefix.length - 1], ["`-` and `not`", sum(prefix)], ["`if` expressions and `else if`", sum(chain)]];
    return { token, what: counts.reduce((best, c) => (c[1] > best[1] ? c : best))[0] };
  };
  for (const token of tokens) {
    const t = token.tokenType;
    const top = prefix.length - 1;
    let found: ExcessNesting | undefined;
    if (t === T.LParen || t === T.LBracket || t === T.LBrace) {
      prefix.push(0);
      chain.push(0);
      total++;
      found = tooDeep(token);
    } else if (t === T.RParen || t === T.RBracket || t === T.RBrace) {
      if (top > 0) total -= 1 + (prefix.pop() as number) + (chain.pop() as number);
    } else if (t === T.Not || (t === T.Minus && !(previous && operandEnds.has(previous)))) {
      prefix[top]++;
      total++;
      found = tooDeep(token);
    } else {
      total -= prefix[top];
      prefix[top] = 0;
      const chained = t === T.If && (previous === T.Else || previous === T.Then || previous === T.If);
      const chainOver = t === T.If || statementStarts.has(t) || (previous === T.RBrace && t !== T.Else);
      if (chainOver && !chained) {
        total -= chain[top];
        chain[top] = 0;
      }
      if (chained) {
        chain[top]++;
        total++;
        found = tooDeep(token);
      }
    }
    if (found) return found;
    previous = t;
  }
  return undefined;
}

/**
 * Parses one expression embedded in a string (a `{…}` placeholder of a `require` message),
 * with spans shifted to where the text sits in its file. Undefined if it does not parse.
 */
export function parseEmbeddedExpression(text: string, file: number, offset: number): Expr | undefined {
  const lexed = T.vitLexer.tokenize(text);
  if (lexed.errors.length > 0 || findExcessNesting(lexed.tokens)) return undefined;
  vitParser.input = lexed.tokens;
  const cst = vitParser.expr();
  if (vitParser.errors.length > 0) return undefined;
  const expr = convertExpression(cst, { file, text, docs: [], cutShort: new Set() });
  return shiftSpans(expr, file, offset);
}

function shiftSpans<T>(value: T, file: number, offset: number): T {
  if (Array.isArray(value)) return value.map((v) => shiftSpans(v, file, offset)) as T;
  if (value && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [key, v] of Object.entries(value)) {
      out[key] = key === "span" ? spanOf(file, (v as { start: number }).start + offset, (v as { end: number }).end + offset) : shiftSpans(v, file, offset);
    }
    return out as T;
  }
  return value;
}
