// Turns Chevrotain's concrete syntax tree into the AST. Pieces that error recovery could not
// find, and lists and calls it cut short, become `missing` nodes (or empty names), so every later
// stage gets a complete tree and no value the user did not write.

import type { CstElement, CstNode, IToken } from "./chevrotain";
import { spanOf, type Span } from "../source/span";
import type * as A from "./ast";

type Children = Record<string, CstElement[] | undefined>;

export interface ConvertContext {
  readonly file: number;
  readonly text: string;
  /** Doc-comment tokens in source order. */
  readonly docs: readonly IToken[];
  /**
   * The offsets of the brackets that syntax errors happened in. A list or a call in an expression
   * opened by one of them was cut short by recovery (`[8 16]` reads as `[8]`), so its value is
   * not what the user wrote: it becomes `missing`, and nothing computed from it is reported again.
   */
  readonly cutShort: ReadonlySet<number>;
}

export function convertFile(cst: CstNode, ctx: ConvertContext): A.SourceAst {
  const c = cst.children as Children;
  return {
    file: ctx.file,
    uses: nodes(c.useDecl).map((n) => convertUse(n, ctx)),
    blocks: nodes(c.blockDecl).map((n) => convertBlock(n, ctx)),
    models: nodes(c.modelDecl).map((n) => convertModel(n, ctx)),
  };
}

function nodes(elements: CstElement[] | undefined): CstNode[] {
  return (elements ?? []).filter((e): e is CstNode => "children" in e);
}

function tokens(elements: CstElement[] | undefined): IToken[] {
  return (elements ?? []).filter((e): e is IToken => "image" in e && !Number.isNaN(e.startOffset));
}

function tokenSpan(token: IToken, ctx: ConvertContext): Span {
  return spanOf(ctx.file, token.startOffset, (token.endOffset ?? token.startOffset) + 1);
}

/** The span of a node; a node recovery left empty gets an empty span at `fallback`. */
function nodeSpan(node: CstNode | undefined, ctx: ConvertContext, fallback = 0): Span {
  const loc = node?.location;
  if (!loc || Number.isNaN(loc.startOffset)) return spanOf(ctx.file, fallback, fallback);
  const end = Number.isNaN(loc.endOffset ?? NaN) ? loc.startOffset : (loc.endOffset as number) + 1;
  return spanOf(ctx.file, loc.startOffset, end);
}

function name(token: IToken | undefined, ctx: ConvertContext, fallback: Span): A.Name {
  return token ? { text: token.image, span: tokenSpan(token, ctx) } : { text: "", span: { ...fallback, start: fallback.end } };
}

/** The `##` lines directly above `offset` (only whitespace between them), without the `##`. */
function docAbove(offset: number, ctx: ConvertContext): string {
  const lines: string[] = [];
  let cursor = offset;
  for (let i = ctx.docs.length - 1; i >= 0; i--) {
    const doc = ctx.docs[i];
    if (doc.startOffset >= cursor) continue;
    if (ctx.text.slice((doc.endOffset ?? doc.startOffset) + 1, cursor).trim() !== "") break;
    lines.unshift(doc.image.replace(/^##\s?/, ""));
    cursor = doc.startOffset;
  }
  return lines.join("\n");
}

function convertUse(node: CstNode, ctx: ConvertContext): A.UseDecl {
  const c = node.children as Children;
  const span = nodeSpan(node, ctx);
  const file = tokens(c.StringLit)[0];
  return {
    kind: "use",
    path: tokens(c.Ident).map((t) => name(t, ctx, span)),
    file: file ? { kind: "string", value: unquote(file.image), span: tokenSpan(file, ctx) } : undefined,
    span,
  };
}

function convertModel(node: CstNode, ctx: ConvertContext): A.ModelDecl {
  const c = node.children as Children;
  const span = nodeSpan(node, ctx);
  return {
    kind: "model",
    name: name(tokens(c.Ident)[0], ctx, span),
    call: convertCall(nodes(c.call)[0], ctx, span),
    doc: docAbove(span.start, ctx),
    span,
  };
}

function convertBlock(node: CstNode, ctx: ConvertContext): A.BlockDecl {
  const c = node.children as Children;
  const span = nodeSpan(node, ctx);
  const params = nodes(c.param).map((p) => convertParam(p, ctx));
  // Parameters after a syntax error in the list are lost: one with no name stands for them.
  const open = tokens(c.LParen)[0];
  if (open && ctx.cutShort.has(open.startOffset)) {
    const at = params.at(-1)?.span.end ?? open.startOffset + 1;
    params.push({ name: { text: "", span: spanOf(ctx.file, at, at) }, doc: "", span: spanOf(ctx.file, at, at) });
  }
  return {
    kind: "block",
    name: name(tokens(c.Ident)[0], ctx, span),
    params,
    body: convertBody(nodes(c.body)[0], ctx, span.end),
    doc: docAbove(span.start, ctx),
    span,
  };
}

function convertParam(node: CstNode, ctx: ConvertContext): A.ParamDecl {
  const c = node.children as Children;
  const span = nodeSpan(node, ctx);
  const type = nodes(c.type)[0];
  const value = nodes(c.expr)[0];
  return {
    name: name(tokens(c.Ident)[0], ctx, span),
    type: type ? convertType(type, ctx) : undefined,
    default: value ? convertExpr(value, ctx) : undefined,
    doc: docAbove(span.start, ctx),
    span,
  };
}

function convertType(node: CstNode, ctx: ConvertContext): A.TypeExpr {
  const atoms = nodes((node.children as Children).typeAtom).map((atom): A.TypeExpr => {
    const c = atom.children as Children;
    const span = nodeSpan(atom, ctx);
    const inner = nodes(c.type)[0];
    if (inner) return { kind: "list", element: convertType(inner, ctx), span };
    return { kind: "named", name: name(tokens(c.Ident)[0], ctx, span), span };
  });
  const span = nodeSpan(node, ctx);
  if (atoms.length === 1) return atoms[0];
  return { kind: "union", options: atoms, span };
}

function convertBody(node: CstNode | undefined, ctx: ConvertContext, fallback: number): A.Body {
  const span = nodeSpan(node, ctx, fallback);
  if (!node) return { statements: [], span };
  return { statements: nodes((node.children as Children).statement).flatMap((s) => convertStatement(s, ctx)), span };
}

function convertStatement(node: CstNode, ctx: ConvertContext): A.Statement[] {
  const inner = nodes(Object.values(node.children).flat() as CstElement[])[0];
  if (!inner) return [];
  const c = inner.children as Children;
  const span = nodeSpan(inner, ctx);
  const expr = (i = 0): A.Expr => convertExprOrMissing(nodes(c.expr)[i], ctx, span.end);
  switch (inner.name) {
    case "letStmt": {
      const body = nodes(c.body)[0];
      return [{ kind: "let", name: name(tokens(c.Ident)[0], ctx, span), value: body ? convertBody(body, ctx, span.end) : expr(), span }];
    }
    case "ifStmt":
      return [convertIf(inner, ctx)];
    case "requireStmt":
      return [convertRequire(inner, ctx)];
    case "expectStmt":
      return [{ kind: "expect", shape: expr(), span }];
    case "inputStmt":
      return [{ kind: "input", shape: expr(), span }];
    case "outputStmt":
      return [{ kind: "output", name: name(tokens(c.Ident)[0], ctx, span), span }];
    case "stepStmt":
      return [convertStep(inner, ctx)];
    default:
      return [];
  }
}

function convertIf(node: CstNode, ctx: ConvertContext): A.IfStmt {
  const c = node.children as Children;
  const span = nodeSpan(node, ctx);
  const bodies = nodes(c.body);
  const elseIf = nodes(c.ifStmt)[0];
  return {
    kind: "if",
    condition: convertExprOrMissing(nodes(c.expr)[0], ctx, span.start),
    then: convertBody(bodies[0], ctx, span.end),
    otherwise: elseIf ? convertIf(elseIf, ctx) : bodies[1] ? convertBody(bodies[1], ctx, span.end) : undefined,
    span,
  };
}

function convertRequire(node: CstNode, ctx: ConvertContext): A.Statement {
  const c = node.children as Children;
  const span = nodeSpan(node, ctx);
  const exprs = nodes(c.expr);
  const message = tokens(c.StringLit)[0];
  // `help`, `note` and `suggest` expressions share one list; each belongs to the keyword before it.
  const keywordsByOffset = [
    ...tokens(c.Help).map((t) => ({ t, kind: "help" })), ...tokens(c.Note).map((t) => ({ t, kind: "note" })), ...tokens(c.Suggest).map((t) => ({ t, kind: "suggest" })),
  ].sort((a, b) => a.t.startOffset - b.t.startOffset);
  // The code is the name before the message; the names after it are those of `suggest`.
  const idents = tokens(c.Ident);
  const code = message ? idents.find((t) => t.startOffset < message.startOffset) : idents[0];
  const suggested = idents.filter((t) => t !== code);
  const help: A.Expr[] = [];
  const notes: A.Expr[] = [];
  const suggestions: Array<{ name: A.Name; value: A.Expr; span: Span }> = [];
  for (const e of exprs.slice(1)) {
    const start = e.location?.startOffset ?? 0;
    const owner = keywordsByOffset.filter((k) => k.t.startOffset < start).pop();
    const value = convertExpr(e, ctx);
    if (owner?.kind === "suggest") {
      const target = suggested.filter((t) => t.startOffset > owner.t.startOffset && t.startOffset < start)[0];
      if (target) suggestions.push({ name: name(target, ctx, span), value, span: spanOf(ctx.file, owner.t.startOffset, value.span.end) });
    } else (owner?.kind === "note" ? notes : help).push(value);
  }
  return {
    kind: "require",
    condition: convertExprOrMissing(exprs[0], ctx, span.start),
    code: code ? name(code, ctx, span) : undefined,
    message: message ? { kind: "string", value: unquote(message.image), span: tokenSpan(message, ctx) } : { kind: "string", value: "", span },
    help,
    notes,
    suggestions,
    span,
  };
}

function convertStep(node: CstNode, ctx: ConvertContext): A.StepStmt {
  const c = node.children as Children;
  const span = nodeSpan(node, ctx);
  const labelNode = nodes(c.label)[0];
  let action: A.StepStmt["action"];
  const repeat = nodes(c.repeatStmt)[0];
  const residual = nodes(c.residualStmt)[0];
  if (repeat) {
    const rc = repeat.children as Children;
    const rspan = nodeSpan(repeat, ctx);
    action = {
      kind: "repeat",
      count: convertExprOrMissing(nodes(rc.expr)[0], ctx, rspan.start),
      index: name(tokens(rc.Ident)[0], ctx, rspan),
      body: convertBody(nodes(rc.body)[0], ctx, rspan.end),
      span: rspan,
    };
  } else if (residual) {
    const rspan = nodeSpan(residual, ctx);
    action = { kind: "residual", body: convertBody(nodes((residual.children as Children).body)[0], ctx, rspan.end), span: rspan };
  } else {
    action = convertCall(nodes(c.call)[0], ctx, span);
  }
  return { kind: "step", label: labelNode ? convertLabel(labelNode, ctx) : undefined, action, span };
}

function convertLabel(node: CstNode, ctx: ConvertContext): A.Label {
  const c = node.children as Children;
  const span = nodeSpan(node, ctx);
  const token = tokens(c.Ident)[0] ?? tokens(c.Int)[0];
  if (token) return { kind: "name", text: token.image, span: tokenSpan(token, ctx) };
  return { kind: "computed", expr: convertExprOrMissing(nodes(c.expr)[0], ctx, span.start), span };
}

function convertCall(node: CstNode | undefined, ctx: ConvertContext, parent: Span): A.CallExpr {
  const span = node ? nodeSpan(node, ctx, parent.end) : { ...parent, start: parent.end };
  if (!node) return { kind: "call", callee: { text: "", span }, args: [], span };
  const c = node.children as Children;
  const args = nodes(c.argument).map((arg): A.Argument => {
    const ac = arg.children as Children;
    const aspan = nodeSpan(arg, ctx);
    const key = tokens(ac.Ident)[0];
    return { name: key ? name(key, ctx, aspan) : undefined, value: convertExprOrMissing(nodes(ac.expr)[0], ctx, aspan.end), span: aspan };
  });
  return { kind: "call", callee: name(tokens(c.Ident)[0], ctx, span), args, span };
}

function convertExprOrMissing(node: CstNode | undefined, ctx: ConvertContext, at: number): A.Expr {
  return node ? convertExpr(node, ctx) : { kind: "missing", span: spanOf(ctx.file, at, at) };
}

const binaryRules: Record<string, string> = {
  orExpr: "andExpr", andExpr: "notExpr", comparison: "additive", additive: "multiplicative", multiplicative: "unary",
};

function convertExpr(node: CstNode, ctx: ConvertContext): A.Expr {
  const c = node.children as Children;
  const span = nodeSpan(node, ctx);
  switch (node.name) {
    case "expr":
      return convertExprOrMissing(nodes(c.conditional)[0] ?? nodes(c.orExpr)[0], ctx, span.start);
    case "conditional": {
      const [cond, then, otherwise] = [0, 1, 2].map((i) => convertExprOrMissing(nodes(c.expr)[i], ctx, span.end));
      return { kind: "conditional", condition: cond, then, otherwise, span };
    }
    case "notExpr": {
      const inner = nodes(c.notExpr)[0];
      if (inner) return { kind: "unary", op: "not", operand: convertExpr(inner, ctx), span };
      return convertExprOrMissing(nodes(c.comparison)[0], ctx, span.start);
    }
    case "unary": {
      const inner = nodes(c.unary)[0];
      if (inner) return { kind: "unary", op: "-", operand: convertExpr(inner, ctx), span };
      return convertExprOrMissing(nodes(c.postfix)[0], ctx, span.start);
    }
    case "postfix": {
      let result = convertExprOrMissing(nodes(c.primary)[0], ctx, span.start);
      const closers = tokens(c.RBracket);
      nodes(c.expr).forEach((indexNode, i) => {
        const end = closers[i] ? closers[i].startOffset + 1 : nodeSpan(indexNode, ctx).end;
        result = { kind: "index", target: result, index: convertExpr(indexNode, ctx), span: spanOf(ctx.file, span.start, end) };
      });
      return result;
    }
    case "primary":
      return convertPrimary(node, ctx);
    case "list":
      if (ctx.cutShort.has(span.start)) return { kind: "missing", span };
      return { kind: "list", items: nodes(c.expr).map((e) => convertExpr(e, ctx)), span };
    case "call": {
      const open = tokens(c.LParen)[0];
      return open && ctx.cutShort.has(open.startOffset) ? { kind: "missing", span } : convertCall(node, ctx, span);
    }
    default:
      return convertBinary(node, ctx);
  }
}

function convertBinary(node: CstNode, ctx: ConvertContext): A.Expr {
  const c = node.children as Children;
  const operandRule = binaryRules[node.name];
  const operandNodes = nodes(c[operandRule]);
  // Every expression passes through all five binary levels, nearly always with one operand and
  // no operator: skipping the operator sort there took parseSource of specs/std/mobilevit.vit
  // from 7.8 to 3.4 ms (warm, Node 20).
  if (operandNodes.length === 1) return convertExpr(operandNodes[0], ctx);
  const operands = operandNodes.map((n) => convertExpr(n, ctx));
  const ops = Object.entries(c)
    .filter(([key]) => key !== operandRule)
    .flatMap(([, elements]) => tokens(elements))
    .sort((a, b) => a.startOffset - b.startOffset);
  if (operands.length === 0) return { kind: "missing", span: nodeSpan(node, ctx) };
  let result = operands[0];
  for (let i = 1; i < operands.length; i++) {
    const right = operands[i];
    const op = (ops[i - 1]?.image ?? "+") as A.BinaryOp;
    result = { kind: "binary", op, left: result, right, span: spanOf(ctx.file, result.span.start, right.span.end) };
  }
  return result;
}

function convertPrimary(node: CstNode, ctx: ConvertContext): A.Expr {
  const c = node.children as Children;
  const span = nodeSpan(node, ctx);
  const first = (key: string) => tokens(c[key])[0];
  if (first("Int")) {
    const digits = first("Int").image;
    const value = Number(digits);
    return Number.isSafeInteger(value) ? { kind: "int", value, span } : { kind: "int", value, digits, span };
  }
  if (first("Float")) return { kind: "float", value: Number(first("Float").image), span };
  if (first("StringLit")) return { kind: "string", value: unquote(first("StringLit").image), span };
  if (first("True")) return { kind: "bool", value: true, span };
  if (first("False")) return { kind: "bool", value: false, span };
  const call = nodes(c.call)[0];
  if (call) return convertExpr(call, ctx);
  if (first("Ident")) return { kind: "name", name: first("Ident").image, span };
  const list = nodes(c.list)[0];
  if (list) return convertExpr(list, ctx);
  const inner = nodes(c.expr)[0];
  if (inner) {
    const e = convertExpr(inner, ctx);
    return { ...e, span } as A.Expr; // A parenthesised expression spans its parentheses.
  }
  return { kind: "missing", span };
}

function unquote(image: string): string {
  const body = image.endsWith('"') && image.length > 1 ? image.slice(1, -1) : image.slice(1);
  return body.replace(/\\(.)/g, (_, ch: string) => (ch === "n" ? "\n" : ch === "t" ? "\t" : ch));
}

/** Converts an `expr` CST node on its own (for expressions embedded in strings). */
export function convertExpression(node: CstNode, ctx: ConvertContext): A.Expr {
  return convertExpr(node, ctx);
}
