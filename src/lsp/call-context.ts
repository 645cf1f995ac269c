// Where the cursor is in half-typed text, for completion and signature help: inside which call's
// parentheses (its callee, the keyword arguments already given, the index of the argument being
// typed), or at the start of a statement of a block, or at the top level. Read from the lexer's
// tokens before the cursor, since the text there is often not a complete statement yet.

import { vitLexer } from "../syntax/tokens";
import type { IToken } from "../syntax/chevrotain";

export interface CallContext {
  readonly callee: string;
  readonly given: ReadonlySet<string>;
  /** The index of the argument the cursor is in (commas before it). */
  readonly index: number;
  /** The keyword of the argument being typed, once its `:` is there. */
  readonly keyword?: string;
  /** Whether the cursor is where an argument's keyword goes (nothing but a partial name before it). */
  readonly atKeyword: boolean;
}

export interface CursorContext {
  /** The innermost call whose parentheses hold the cursor. */
  readonly call?: CallContext;
  /** Inside `{ … }` of a block, not inside a call or list. */
  readonly inBody: boolean;
  /** At the start of a statement or declaration (only a partial name before the cursor on its line). */
  readonly atStatement: boolean;
  /** The line so far. */
  readonly linePrefix: string;
  /** Inside a comment or a string: nothing to complete. */
  readonly inText: boolean;
}

interface Frame { readonly open: string; callee?: string; given: Set<string>; index: number; sinceComma: IToken[] }

export function cursorContext(text: string, offset: number): CursorContext {
  const before = text.slice(0, offset);
  const lineStart = Math.max(before.lastIndexOf("\n"), before.lastIndexOf("\r")) + 1;
  const linePrefix = before.slice(lineStart);
  const inText = /^(?:[^"#]|"(?:[^"\\]|\\.)*")*(?:#|"(?:[^"\\]|\\.)*$)/.test(linePrefix);
  const all = vitLexer.tokenize(text).tokens;
  let cut = all.findIndex((t) => (t.endOffset ?? t.startOffset) + 1 > offset);
  if (cut < 0) cut = all.length;
  // A name the cursor is inside of (or just after) counts as typed so far.
  if (cut < all.length && all[cut].startOffset < offset) cut++;
  const tokens = all.slice(0, cut);
  const stack: Frame[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    const image = t.image;
    const top = stack[stack.length - 1];
    if (image === "(" || image === "[" || image === "{") {
      const prev = tokens[i - 1];
      const callee = image === "(" && prev?.tokenType.name === "Ident" ? prev.image : undefined;
      if (top) top.sinceComma.push(t);
      stack.push({ open: image, callee, given: new Set(), index: 0, sinceComma: [] });
    } else if (image === ")" || image === "]" || image === "}") {
      stack.pop();
      stack[stack.length - 1]?.sinceComma.push(t);
    } else if (top) {
      if (image === "," && top.open !== "{") {
        top.index++;
        top.sinceComma = [];
      } else {
        if (image === ":" && top.open === "(" && top.sinceComma.length === 1 && top.sinceComma[0].tokenType.name === "Ident") top.given.add(top.sinceComma[0].image);
        top.sinceComma.push(t);
      }
    }
  }
  const top = stack[stack.length - 1];
  const partial = /[A-Za-z_][A-Za-z0-9_]*$/.exec(before)?.[0] ?? "";
  let call: CallContext | undefined;
  if (top?.open === "(" && top.callee) {
    const own = top.sinceComma;
    const typing = partial !== "" && own.length > 0 && own[own.length - 1].image === partial && own[own.length - 1].endOffset === offset - 1;
    const keyed = own.length >= 2 && own[0].tokenType.name === "Ident" && own[1].image === ":" ? own[0].image : undefined;
    const given = new Set(top.given);
    // Keyword arguments after the cursor, up to the call's `)`, are given too.
    let depth = 0;
    for (let i = cut; i < all.length; i++) {
      const image = all[i].image;
      if (image === "(" || image === "[" || image === "{") depth++;
      else if (image === ")" || image === "]" || image === "}") {
        if (depth === 0) break;
        depth--;
      } else if (depth === 0 && image === ":" && all[i - 1]?.tokenType.name === "Ident" && i - 1 >= cut) given.add(all[i - 1].image);
    }
    if (keyed) given.delete(keyed);
    call = { callee: top.callee, given, index: top.index, keyword: keyed, atKeyword: own.length === 0 || (own.length === 1 && typing) };
  }
  const inBody = top?.open === "{";
  const statementSoFar = linePrefix.trim();
  const atStatement = (!top || inBody) && (statementSoFar === "" || statementSoFar === partial || /^[A-Za-z_][A-Za-z0-9_]*\s*:\s*[A-Za-z_0-9]*$/.test(statementSoFar));
  return { call, inBody, atStatement, linePrefix, inText };
}
