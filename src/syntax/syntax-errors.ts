// Turns the parser's recognition errors into V1001 diagnostics that say, in the user's words,
// what was expected, and where the problem started: the bracket left open before the error
// (rustc's "unclosed delimiter"), or the comma missing between two arguments or list items, with
// a fix that inserts it.
// Cost: one pass over the tokens for all errors together (a file may hold hundreds).

import { makeDiagnostic, type Diagnostic, type Label, type Suggestion } from "../diagnostics/diagnostic";
import type { LineIndex } from "../source/line-index";
import { spanOf, type SourceFile } from "../source/span";
import type { IRecognitionException, IToken, TokenType } from "./chevrotain";
import * as T from "./tokens";

const display: Partial<Record<string, string>> = {
  LParen: "`(`", RParen: "`)`", LBracket: "`[`", RBracket: "`]`", LBrace: "`{`", RBrace: "`}`", Comma: "`,`",
  Colon: "`:`", Dot: "`.`", Equals: "`=`", Pipe: "`|`", Ident: "a name", Int: "an integer", Float: "a number",
  StringLit: "a string", EOF: "the end of the file",
};

const ruleWhat: Partial<Record<string, string>> = {
  file: "`use`, `block` or `model`", statement: "a statement (a layer call, `let`, `if`, `repeat`, `residual`, `expect` …)",
  primary: "an expression", expr: "an expression", typeAtom: "a type", label: "a label", stepStmt: "a layer call",
  letStmt: "a value or `{`", ifStmt: "`{` or `if`", notExpr: "an expression", unary: "an expression",
  useDecl: "a module: `std.NAME` or a path in quotes",
};

/** Each closing bracket and the opening one it closes. */
const openerOf = new Map<TokenType, TokenType>([[T.RParen, T.LParen], [T.RBracket, T.LBracket], [T.RBrace, T.LBrace]]);
const openers = new Set<TokenType>(openerOf.values());

/** Tokens that end an operand: after one, a further item needs a comma before it. */
const operandEnds = new Set<TokenType>([T.Ident, T.Int, T.Float, T.StringLit, T.True, T.False, T.RParen, T.RBracket]);
/** Tokens that can start an argument, a parameter or a list item. */
const itemStarts = new Set<TokenType>([T.Ident, T.Int, T.Float, T.StringLit, T.True, T.False, T.LBracket, T.LParen, T.Minus, T.Not, T.If]);
/** The rules whose brackets hold comma-separated items, and what the items are called. */
const itemsOf: Partial<Record<string, string>> = { call: "arguments", list: "list items", blockDecl: "parameters" };

function describeToken(type: TokenType): string {
  const name = type.name;
  if (display[name]) return display[name] as string;
  if (T.keywords.includes(type)) return `\`${name.toLowerCase()}\``;
  return name;
}

function foundText(token: IToken): string {
  return token.tokenType.name === "EOF" ? "the end of the file" : `\`${token.image}\``;
}

function isEnd(token: IToken): boolean {
  return token.tokenType.name === "EOF" || Number.isNaN(token.startOffset);
}

/** The token after the last character of `token`. */
function endOf(token: IToken): number {
  return (token.endOffset ?? token.startOffset) + 1;
}

/** Where the parser is in the file at one error: the tokens around it and the brackets open. */
export interface ErrorSite {
  /** The index of the error's token in `tokens` (their count at the end of the file). */
  readonly index: number;
  /** The brackets open before the error's token, outermost first. */
  readonly open: readonly IToken[];
}

/** The index of each error's token and the brackets open there, in one pass over the tokens. */
export function errorSites(errors: readonly IRecognitionException[], tokens: readonly IToken[]): ErrorSite[] {
  const indexOf = (token: IToken): number => {
    if (isEnd(token)) return tokens.length;
    let lo = 0;
    let hi = tokens.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (tokens[mid].startOffset < token.startOffset) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
  const indexes = errors.map((e) => indexOf(e.token));
  const wanted = [...new Set(indexes)].sort((a, b) => a - b);
  const openAt = new Map<number, IToken[]>();
  const open: IToken[] = [];
  let next = 0;
  for (let i = 0; next < wanted.length; i++) {
    while (next < wanted.length && wanted[next] === i) openAt.set(wanted[next++], [...open]);
    if (i >= tokens.length) break;
    const type = tokens[i].tokenType;
    if (openers.has(type)) open.push(tokens[i]);
    else if (openerOf.get(type) === open[open.length - 1]?.tokenType) open.pop();
  }
  return indexes.map((index) => ({ index, open: openAt.get(index) ?? [] }));
}

/** What toSyntaxDiagnostics reads besides the errors: the file, its tokens and its lines. */
export interface Context {
  readonly file: SourceFile;
  readonly tokens: readonly IToken[];
  readonly lines: LineIndex;
}

/** One diagnostic per error; `sites` are errorSites(errors, ctx.tokens). */
export function toSyntaxDiagnostics(errors: readonly IRecognitionException[], sites: readonly ErrorSite[], ctx: Context): Diagnostic[] {
  return errors.map((err, i) => toSyntaxDiagnostic(err, sites[i], ctx));
}

function toSyntaxDiagnostic(err: IRecognitionException, site: ErrorSite, ctx: Context): Diagnostic {
  const { file } = ctx;
  const token = err.token;
  const atEnd = isEnd(token);
  const start = atEnd ? file.text.length : token.startOffset;
  const end = atEnd ? file.text.length : endOf(token);
  const rule = err.context?.ruleStack?.[err.context.ruleStack.length - 1] ?? "file";
  let expected: string;
  let expectedType: TokenType | undefined;
  if (err.name === "MismatchedTokenException") {
    const match = /-->\s*([A-Za-z]+)\s*<--/.exec(err.message);
    expectedType = match ? T.allTokens.find((t) => t.name === match[1]) : undefined;
    expected = expectedType ? describeToken(expectedType) : (ruleWhat[rule] ?? "something else");
  } else if (err.name === "NotAllInputParsedException") {
    expected = ruleWhat.file as string;
  } else {
    expected = ruleWhat[rule] ?? `a ${rule}`;
  }
  const help: string[] = [];
  if (token.image === "=" && (rule === "argument" || expected === "`)`" || expected === "`,`")) help.push("keyword arguments use `:`, as in `embed_dim: 768`");
  // Habits from other languages, recognised where they begin a line or an operator.
  const startsLine = !atEnd && /^[ \t]*$/.test(ctx.lines.lineText(ctx.lines.position(start).line).slice(0, ctx.lines.position(start).character));
  if (startsLine && token.image === "//") help.push("comments start with `#`");
  if (startsLine && (token.image === "import" || token.image === "from")) help.push("modules are brought in with `use`, as in `use std.vit`");
  if (token.image === "*" && (file.text[end] === "*" || file.text[start - 1] === "*")) help.push("powers are written `pow(a, b)`");
  const labels: Label[] = [];
  const suggestions: Suggestion[] = [];
  if (atEnd) {
    // At the end of the file, the bracket left open is what the reader needs to find.
    const opener = site.open[site.open.length - 1];
    if (opener) labels.push({ span: spanOf(file.id, opener.startOffset, endOf(opener)), text: `this \`${opener.image}\` is never closed` });
  } else if (expectedType && openerOf.has(expectedType)) {
    const opener = [...site.open].reverse().find((t) => t.tokenType === openerOf.get(expectedType as TokenType));
    const previous = ctx.tokens[site.index - 1];
    const items = itemsOf[rule];
    if (opener && previous && items && expectedType !== T.RBrace && missingComma(previous, site.index, opener, ctx)) {
      suggestions.push({
        message: `add a \`,\` after \`${previous.image}\`: ${items} are separated by commas`,
        edits: [{ span: spanOf(file.id, endOf(previous), endOf(previous)), newText: "," }],
        applicability: "machine-applicable",
      });
    } else if (opener && previous && (onLaterLine(previous, token, ctx) || openerOf.has(token.tokenType))) {
      labels.push({ span: spanOf(file.id, opener.startOffset, endOf(opener)), text: `unclosed \`${opener.image}\`` });
    }
  }
  return makeDiagnostic("V1001", `expected ${expected}, found ${foundText(token)}`, spanOf(file.id, start, end), {
    label: `expected ${expected}`, labels, help, suggestions,
  });
}

function onLaterLine(previous: IToken, token: IToken, ctx: Context): boolean {
  return ctx.lines.position(token.startOffset).line > ctx.lines.position(previous.startOffset).line;
}

function indentation(offset: number, ctx: Context): number {
  const line = ctx.lines.lineText(ctx.lines.position(offset).line);
  return line.length - line.trimStart().length;
}

/**
 * Whether the token at `index`, where the bracket `opener` should have been closed, is rather a
 * further item after a missing comma: it can start an item, the token before ends one, and it
 * is on the same line, or on a line indented deeper than the opener's (a call written over
 * several lines), or on a line that then closes the bracket (`  bias: true)`). Otherwise the
 * bracket was left open and the token starts the next statement.
 */
function missingComma(previous: IToken, index: number, opener: IToken, ctx: Context): boolean {
  const token = ctx.tokens[index];
  if (!itemStarts.has(token.tokenType) || !operandEnds.has(previous.tokenType)) return false;
  if (!onLaterLine(previous, token, ctx)) return true;
  if (indentation(token.startOffset, ctx) > indentation(opener.startOffset, ctx)) return true;
  const line = ctx.lines.position(token.startOffset).line;
  let depth = 0;
  for (let i = index; i < ctx.tokens.length && ctx.lines.position(ctx.tokens[i].startOffset).line === line; i++) {
    const type = ctx.tokens[i].tokenType;
    if (openers.has(type)) depth++;
    else if (openerOf.has(type) && depth-- === 0) return openerOf.get(type) === opener.tokenType;
  }
  return false;
}
