// parseSource: text → AST with every syntax error reported. Never throws on user input.

import { LineIndex } from "../source/line-index";
import type { IRecognitionException, IToken, TokenType } from "./chevrotain";
import { makeDiagnostic, type Diagnostic, type Staged } from "../diagnostics/diagnostic";
import { spanOf, type SourceFile } from "../source/span";
import type { Expr, SourceAst } from "./ast";
import { convertExpression, convertFile } from "./cst-to-ast";
import { vitParser } from "./parser";
import * as T from "./tokens";

/** Deeper bracket nesting than this is refused before parsing (the parser is recursive). */
export const MAX_NESTING = 64;

const display: Partial<Record<string, string>> = {
  LParen: "`(`", RParen: "`)`", LBracket: "`[`", RBracket: "`]`", LBrace: "`{`", RBrace: "`}`", Comma: "`,`",
  Colon: "`:`", Dot: "`.`", Equals: "`=`", Pipe: "`|`", Ident: "a name", Int: "an integer", Float: "a number",
  StringLit: "a string", EOF: "the end of the file",
};

const ruleWhat: Partial<Record<string, string>> = {
  file: "`use`, `block` or `model`", statement: "a statement (a layer call, `let`, `if`, `repeat`, `residual`, `expect` …)",
  primary: "an expression", expr: "an expression", typeAtom: "a type", label: "a label", stepStmt: "a layer call",
  letStmt: "a value or `{`", ifStmt: "`{` or `if`", notExpr: "an expression", unary: "an expression",
};

function describeToken(type: TokenType): string {
  const name = type.name;
  if (display[name]) return display[name] as string;
  if (T.keywords.includes(type)) return `\`${name.toLowerCase()}\``;
  return name;
}

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

function foundText(token: IToken): string {
  return token.tokenType.name === "EOF" ? "the end of the file" : `\`${token.image}\``;
}

export function parseSource(file: SourceFile): Staged<SourceAst> {
  const diagnostics: Diagnostic[] = [];
  const empty: SourceAst = { file: file.id, uses: [], blocks: [], models: [] };
  const lexed = T.vitLexer.tokenize(file.text);
  for (const err of lexed.errors) {
    const ch = String.fromCodePoint(file.text.codePointAt(err.offset) ?? 0xfffd);
    diagnostics.push(makeDiagnostic("V1003", `unexpected character ${describeCharacter(ch)}`, spanOf(file.id, err.offset, err.offset + (err.length || 1)), {
      label: "not part of the .vit language",
      help: "'‘’“”".includes(ch) ? ["strings use straight double quotes: \"avg\""] : [],
    }));
  }
  const tokens: IToken[] = [];
  for (const token of lexed.tokens) {
    if (token.tokenType === T.UnterminatedString) {
      diagnostics.push(makeDiagnostic("V1002", "unterminated string", spanOf(file.id, token.startOffset, (token.endOffset ?? token.startOffset) + 1), {
        label: "this string has no closing `\"` on its line",
        help: ["add a `\"` where the string ends"],
      }));
    } else tokens.push(token);
  }
  diagnostics.push(...strayCommas(tokens, file));
  const tooDeep = findExcessNesting(tokens);
  if (tooDeep) {
    diagnostics.push(makeDiagnostic("V1004", `${tooDeep.what} nested more than ${MAX_NESTING} deep`, spanOf(file.id, tooDeep.token.startOffset, (tooDeep.token.endOffset ?? tooDeep.token.startOffset) + 1), {
      label: `nesting level ${MAX_NESTING + 1} starts here`,
      notes: [{ text: "the file was not parsed further" }],
      help: ["name intermediate values with `let` instead of nesting them"],
    }));
    return { value: empty, diagnostics };
  }
  try {
    vitParser.input = tokens;
    const cst = vitParser.file();
    const quiet = echoesOfUnterminatedStrings(lexed.tokens, tokens);
    for (const err of vitParser.errors) {
      const d = toSyntaxDiagnostic(err, file, tokens);
      if (!quiet.some(([from, to]) => d.primary.span.start >= from && d.primary.span.start < to)) diagnostics.push(d);
    }
    const ast = convertFile(cst, { file: file.id, text: file.text, docs: lexed.groups.docs ?? [] });
    return { value: ast, diagnostics: firstPerLine(diagnostics, file) };
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
 * An unterminated string swallows the rest of its line, closing brackets included, so the
 * parser then fails until the next declaration: those failures are the string's V1002 again.
 * Returns the offset ranges, each from such a string to the next `use`, `block` or `model`.
 */
function echoesOfUnterminatedStrings(all: readonly IToken[], kept: readonly IToken[]): Array<[number, number]> {
  const starts = new Set<TokenType>([T.Use, T.Block, T.Model]);
  return all.filter((t) => t.tokenType === T.UnterminatedString).map((t) => {
    const next = kept.find((k) => k.startOffset > t.startOffset && starts.has(k.tokenType));
    return [t.startOffset, next?.startOffset ?? Infinity];
  });
}

/**
 * The grammar lets a trailing comma end a list (`f(a, b,)`), so `f(a,, b)` and `f(, a)` parse;
 * a comma right after `(`, `[` or another comma is reported here instead.
 */
function strayCommas(tokens: readonly IToken[], file: SourceFile): Diagnostic[] {
  const openers = new Set<TokenType>([T.LParen, T.LBracket, T.Comma]);
  return tokens.flatMap((token, i) => {
    if (token.tokenType !== T.Comma || i === 0 || !openers.has(tokens[i - 1].tokenType)) return [];
    return [makeDiagnostic("V1001", "expected a value, found `,`", spanOf(file.id, token.startOffset, token.startOffset + 1), {
      label: "nothing before this comma",
      help: ["remove the extra `,`"],
    })];
  });
}

/**
 * After one syntax error the parser resynchronises by guessing, and its further errors on the
 * same line (a missing comma gives three) are that guess failing: keep the first of each line.
 */
function firstPerLine(diagnostics: Diagnostic[], file: SourceFile): Diagnostic[] {
  if (diagnostics.length < 2) return diagnostics;
  const lines = new LineIndex(file.text);
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

/** The innermost bracket still open at the end of the tokens, if any. */
function unclosedBracket(tokens: readonly IToken[]): IToken | undefined {
  const open: IToken[] = [];
  const closes = new Map<TokenType, TokenType>([[T.RParen, T.LParen], [T.RBracket, T.LBracket], [T.RBrace, T.LBrace]]);
  for (const token of tokens) {
    if (token.tokenType === T.LParen || token.tokenType === T.LBracket || token.tokenType === T.LBrace) open.push(token);
    else if (closes.get(token.tokenType) === open[open.length - 1]?.tokenType) open.pop();
  }
  return open[open.length - 1];
}

function toSyntaxDiagnostic(err: IRecognitionException, file: SourceFile, tokens: readonly IToken[]): Diagnostic {
  const token = err.token;
  const atEnd = token.tokenType.name === "EOF" || Number.isNaN(token.startOffset);
  const start = atEnd ? file.text.length : token.startOffset;
  const end = atEnd ? file.text.length : (token.endOffset ?? token.startOffset) + 1;
  const rule = err.context?.ruleStack?.[err.context.ruleStack.length - 1] ?? "file";
  let expected: string;
  if (err.name === "MismatchedTokenException") {
    const match = /-->\s*([A-Za-z]+)\s*<--/.exec(err.message);
    const type = match ? T.allTokens.find((t) => t.name === match[1]) : undefined;
    expected = type ? describeToken(type) : (ruleWhat[rule] ?? "something else");
  } else if (err.name === "NotAllInputParsedException") {
    expected = ruleWhat.file as string;
  } else {
    expected = ruleWhat[rule] ?? `a ${rule}`;
  }
  const help: string[] = [];
  if (token.image === "=" && (rule === "argument" || expected === "`)`" || expected === "`,`")) help.push("keyword arguments use `:`, as in `embed_dim: 768`");
  if (token.tokenType === T.Ident && expected === "`,`") help.push("separate arguments with `,`");
  // Habits from other languages, recognised where they begin a line or an operator.
  const startsLine = !atEnd && /(^|\n)[ \t]*$/.test(file.text.slice(0, start));
  if (startsLine && token.image === "//") help.push("comments start with `#`");
  if (startsLine && (token.image === "import" || token.image === "from")) help.push("modules are brought in with `use`, as in `use std.vit`");
  if (token.image === "*" && (file.text[end] === "*" || file.text[start - 1] === "*")) help.push("powers are written `pow(a, b)`");
  // At the end of the file, the bracket left open is what the reader needs to find.
  const opener = atEnd ? unclosedBracket(tokens) : undefined;
  return makeDiagnostic("V1001", `expected ${expected}, found ${foundText(token)}`, spanOf(file.id, start, end), {
    label: `expected ${expected}`,
    labels: opener ? [{ span: spanOf(file.id, opener.startOffset, opener.startOffset + 1), text: `this \`${opener.image}\` is never closed` }] : [],
    help,
  });
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
  const expr = convertExpression(cst, { file, text, docs: [] });
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
