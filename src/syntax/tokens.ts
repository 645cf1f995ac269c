// The tokens of the .vit language. `#` starts a comment; `##` starts a doc comment, which
// attaches to the block, model or parameter that follows it.

import { createToken, Lexer, type TokenType } from "./chevrotain";

export const WhiteSpace = createToken({ name: "WhiteSpace", pattern: /[ \t\r\n]+/, group: Lexer.SKIPPED });
export const DocComment = createToken({ name: "DocComment", pattern: /##[^\n\r]*/, group: "docs" });
export const Comment = createToken({ name: "Comment", pattern: /#[^\n\r]*/, group: Lexer.SKIPPED });

export const Ident = createToken({ name: "Ident", pattern: /[A-Za-z_][A-Za-z0-9_]*/ });
const keyword = (name: string) => createToken({ name: name[0].toUpperCase() + name.slice(1), pattern: new RegExp(`${name}\\b`), longer_alt: Ident });

export const Use = keyword("use");
export const Model = keyword("model");
export const Block = keyword("block");
export const Let = keyword("let");
export const If = keyword("if");
export const Then = keyword("then");
export const Else = keyword("else");
export const Repeat = keyword("repeat");
export const As = keyword("as");
export const Residual = keyword("residual");
export const Expect = keyword("expect");
export const Input = keyword("input");
export const Output = keyword("output");
export const Require = keyword("require");
export const Help = keyword("help");
export const Note = keyword("note");
export const Suggest = keyword("suggest");
export const True = keyword("true");
export const False = keyword("false");
export const And = keyword("and");
export const Or = keyword("or");
export const Not = keyword("not");

export const Float = createToken({ name: "Float", pattern: /(?:\d+\.\d*|\.\d+)(?:[eE][+-]?\d+)?|\d+[eE][+-]?\d+/ });
export const Int = createToken({ name: "Int", pattern: /\d+/ });
export const StringLit = createToken({ name: "StringLit", pattern: /"(?:[^"\\\n\r]|\\.)*"/ });
/** A string that runs to the end of the line: reported as V1002 rather than as stray characters. */
export const UnterminatedString = createToken({ name: "UnterminatedString", pattern: /"(?:[^"\\\n\r]|\\.)*/ });

export const LParen = createToken({ name: "LParen", pattern: "(" });
export const RParen = createToken({ name: "RParen", pattern: ")" });
export const LBracket = createToken({ name: "LBracket", pattern: "[" });
export const RBracket = createToken({ name: "RBracket", pattern: "]" });
export const LBrace = createToken({ name: "LBrace", pattern: "{" });
export const RBrace = createToken({ name: "RBrace", pattern: "}" });
export const Comma = createToken({ name: "Comma", pattern: "," });
export const Colon = createToken({ name: "Colon", pattern: ":" });
export const Dot = createToken({ name: "Dot", pattern: "." });
export const Pipe = createToken({ name: "Pipe", pattern: "|" });
export const CmpOp = createToken({ name: "CmpOp", pattern: /==|!=|<=|>=|<|>/ });
export const Equals = createToken({ name: "Equals", pattern: "=" });
export const Plus = createToken({ name: "Plus", pattern: "+" });
export const Minus = createToken({ name: "Minus", pattern: "-" });
export const SlashSlash = createToken({ name: "SlashSlash", pattern: "//" });
export const Slash = createToken({ name: "Slash", pattern: "/" });
export const Star = createToken({ name: "Star", pattern: "*" });
export const Percent = createToken({ name: "Percent", pattern: "%" });

export const keywords = [Use, Model, Block, Let, If, Then, Else, Repeat, As, Residual, Expect, Input, Output, Require, Help, Note, Suggest, True, False, And, Or, Not];

/** Order matters: comments before everything, keywords before Ident, Float before Int, `==` before `=`. */
export const allTokens: TokenType[] = [
  WhiteSpace, DocComment, Comment, ...keywords, Ident, Float, Int, StringLit, UnterminatedString,
  LParen, RParen, LBracket, RBracket, LBrace, RBrace, Comma, Colon, Dot, Pipe, CmpOp, Equals,
  Plus, Minus, SlashSlash, Slash, Star, Percent,
];

export const vitLexer = new Lexer(allTokens, { ensureOptimizations: true, positionTracking: "full", skipValidations: true });
