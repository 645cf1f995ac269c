// Evaluates expressions to values: arithmetic with Python's semantics (`/` gives a float, `//`
// floors, `%` takes the divisor's sign), comparisons, lists, indexing and built-in calls.
// Every expression, list item made or read and built-in call is charged to the work budget
// (limits.ts) before it is done, so a hostile spec stops instead of hanging.

import { makeDiagnostic, type Diagnostic } from "../diagnostics/diagnostic";
import type { Span } from "../source/span";
import type * as A from "../syntax/ast";
import { builtins, builtinWork } from "./builtins";
import { limits } from "./limits";
import { depthOf, describeValue, formatValue, isNumber, sameValue, typeName, unknown, weightOf, type Value } from "./values";

export interface EvalContext {
  lookup(name: string): Value | undefined;
  names(): string[];
  report(d: Diagnostic): void;
  isBlock(name: string): boolean;
  /** Spends work units (limits.ts) for what is evaluated at `span`; ends expansion when spent. */
  charge(units: number, span: Span): void;
  /** A similar name among the candidates, for a suggestion (its search is charged too). */
  similar(name: string, candidates: Iterable<string>, span: Span): string | undefined;
}

export function evaluate(expr: A.Expr, ctx: EvalContext): Value {
  ctx.charge(1, expr.span);
  const origin = { span: expr.span };
  switch (expr.kind) {
    case "int":
      if (!Number.isSafeInteger(expr.value)) return invalid(ctx, expr, `integer ${expr.digits ?? expr.value} is too large`);
      return { kind: "int", value: expr.value, origin };
    case "float":
      if (!Number.isFinite(expr.value)) return invalid(ctx, expr, "this number is too large for a float (it overflows to infinity)");
      return { kind: "float", value: expr.value, origin };
    case "string": return { kind: "string", value: expr.value, origin };
    case "bool": return { kind: "bool", value: expr.value, origin };
    case "missing": return unknown;
    case "name": return lookupName(expr, ctx);
    case "list": {
      const list: Value = { kind: "list", items: expr.items.map((i) => evaluate(i, ctx)), origin };
      const unfit = outOfBounds(list);
      return unfit ? invalid(ctx, expr, `the list ${unfit}`) : list;
    }
    case "index": return evalIndex(expr, ctx);
    case "unary": {
      const v = evaluate(expr.operand, ctx);
      if (v.kind === "unknown") return unknown;
      if (expr.op === "not") return v.kind === "bool" ? { kind: "bool", value: !v.value, origin } : typeError(ctx, expr, "`not` needs a bool", v);
      return isNumber(v) ? { ...v, value: -v.value, origin } : typeError(ctx, expr, "`-` needs a number", v);
    }
    case "conditional": {
      const c = evaluate(expr.condition, ctx);
      if (c.kind === "unknown") return unknown;
      if (c.kind !== "bool") return typeError(ctx, expr.condition, "a condition must be a bool", c);
      return evaluate(c.value ? expr.then : expr.otherwise, ctx);
    }
    case "binary": return evalBinary(expr, ctx);
    case "call": return evalCall(expr, ctx);
  }
}

/** Python's spellings of the literals, which users coming from timm write by habit. */
const pythonLiterals = new Map([["True", "true"], ["False", "false"]]);

function lookupName(expr: Extract<A.Expr, { kind: "name" }>, ctx: EvalContext): Value {
  const v = ctx.lookup(expr.name);
  if (v) return v;
  if (expr.name === "B") return { kind: "batch", factor: 1, origin: { span: expr.span } };
  if (ctx.isBlock(expr.name) || builtins.has(expr.name)) {
    ctx.report(makeDiagnostic("V2001", `\`${expr.name}\` is a ${ctx.isBlock(expr.name) ? "block" : "function"}, not a value`, expr.span, {
      help: ctx.isBlock(expr.name) ? [`apply it as a layer: \`${expr.name}(…)\` on a line of its own`] : [`call it: \`${expr.name}(…)\``],
    }));
    return unknown;
  }
  const similar = pythonLiterals.get(expr.name) ?? ctx.similar(expr.name, ctx.names(), expr.span);
  ctx.report(makeDiagnostic("V2001", `unknown name \`${expr.name}\``, expr.span, {
    label: "not defined here",
    suggestions: similar ? [{ message: `a name with a similar spelling exists: \`${similar}\``, edits: [{ span: expr.span, newText: similar }], applicability: "maybe-incorrect" }] : [],
  }));
  return unknown;
}

function evalIndex(expr: Extract<A.Expr, { kind: "index" }>, ctx: EvalContext): Value {
  const target = evaluate(expr.target, ctx);
  const index = evaluate(expr.index, ctx);
  if (target.kind === "unknown" || index.kind === "unknown") return unknown;
  if (target.kind !== "list") return typeError(ctx, expr.target, "only lists can be indexed", target);
  if (index.kind !== "int") return typeError(ctx, expr.index, "a list index must be an int", index);
  const i = index.value < 0 ? target.items.length + index.value : index.value;
  if (i < 0 || i >= target.items.length) {
    return invalid(ctx, expr.index, `index ${index.value} is out of range for a list of ${target.items.length}`, target.origin?.span);
  }
  return target.items[i];
}

function evalCall(expr: A.CallExpr, ctx: EvalContext): Value {
  const fn = builtins.get(expr.callee.text);
  if (!fn) {
    if (ctx.isBlock(expr.callee.text)) {
      ctx.report(makeDiagnostic("V2002", `block \`${expr.callee.text}\` is a layer, not a function`, expr.callee.span, {
        help: [`apply it on a line of its own: \`${expr.callee.text}(…)\`, or in a pipeline: \`let y = { ${expr.callee.text}(…) }\``],
      }));
      return unknown;
    }
    const similar = ctx.similar(expr.callee.text, builtins.keys(), expr.callee.span);
    ctx.report(makeDiagnostic("V2002", `unknown function \`${expr.callee.text}\``, expr.callee.span, {
      notes: [{ text: `functions: ${[...builtins.keys()].join(", ")}` }],
      suggestions: similar ? [{ message: `a function with a similar name exists: \`${similar}\``, edits: [{ span: expr.callee.span, newText: similar }], applicability: "maybe-incorrect" }] : [],
    }));
    return unknown;
  }
  if (expr.args.some((a) => a.name)) {
    const named = expr.args.find((a) => a.name) as A.Argument;
    ctx.report(makeDiagnostic("V2003", `\`${expr.callee.text}\` takes positional arguments only`, named.span, { help: [fn.signature] }));
    return unknown;
  }
  const [least, most] = arity(fn.signature);
  if (expr.args.length < least || expr.args.length > most) {
    const wanted = least === most ? `${least}` : most === Infinity ? `at least ${least}` : `${least} or ${most}`;
    ctx.report(makeDiagnostic("V2003", `\`${expr.callee.text}\` takes ${wanted} argument${wanted === "1" ? "" : "s"}, got ${expr.args.length}`, expr.span, { help: [`usage: ${fn.signature}`] }));
    return unknown;
  }
  const args = expr.args.map((a) => evaluate(a.value, ctx));
  if (args.some((a) => a.kind === "unknown")) return unknown;
  ctx.charge(builtinWork(fn, args), expr.span);
  const result = fn.apply(args);
  const unfit = result.ok ? outOfBounds(result.value) : result.tooLarge ? result.message : undefined;
  if (unfit) return invalid(ctx, expr, `the result of \`${expr.callee.text}(…)\` ${unfit}`);
  if (!result.ok) {
    // A value the user passed under a name (`img_size: [32, 32, 3]`) is blamed by that name,
    // where it was written, rather than the helper that received it.
    const culprit = result.arg === undefined ? undefined : args[result.arg];
    const named = culprit?.origin?.name;
    if (culprit && named && result.expected) {
      ctx.report(makeDiagnostic("V2005", `\`${named}\` must be ${result.expected}, got ${formatValue(culprit)}`, culprit.origin!.span));
    } else {
      const given = args.map(describeValue).join(", ");
      ctx.report(makeDiagnostic("V2005", `${result.message}, got ${given}`, expr.span, { help: [`usage: ${fn.signature}`] }));
    }
    return unknown;
  }
  // A value passed through unchanged (`pair` of a list) keeps where it was written.
  return result.value.origin ? result.value : ({ ...result.value, origin: { span: expr.span } } as Value);
}

function evalBinary(expr: Extract<A.Expr, { kind: "binary" }>, ctx: EvalContext): Value {
  const origin = { span: expr.span };
  if (expr.op === "and" || expr.op === "or") {
    const l = evaluate(expr.left, ctx);
    if (l.kind === "unknown") return unknown;
    if (l.kind !== "bool") return typeError(ctx, expr.left, `\`${expr.op}\` needs bools`, l);
    if (expr.op === "and" ? !l.value : l.value) return { kind: "bool", value: l.value, origin };
    const r = evaluate(expr.right, ctx);
    if (r.kind === "unknown") return unknown;
    return r.kind === "bool" ? { kind: "bool", value: r.value, origin } : typeError(ctx, expr.right, `\`${expr.op}\` needs bools`, r);
  }
  const l = evaluate(expr.left, ctx);
  const r = evaluate(expr.right, ctx);
  if (l.kind === "unknown" || r.kind === "unknown") return unknown;
  switch (expr.op) {
    case "==": case "!=": {
      // Comparing an int with a string (`p == 1` where `p` is "avg") is always false: a mistake.
      if (l.kind !== r.kind && !(isNumber(l) && isNumber(r))) {
        return typeError(ctx, expr.right, `\`${expr.op}\` compares ${typeName(l)} ${formatValue(l)} with a different type`, r);
      }
      ctx.charge(weightOf(l) + weightOf(r), expr.span);
      const same = sameValue(l, r);
      return { kind: "bool", value: expr.op === "==" ? same : !same, origin };
    }
    case "<": case "<=": case ">": case ">=": {
      if (!isNumber(l) || !isNumber(r)) return typeError(ctx, isNumber(l) ? expr.right : expr.left, `\`${expr.op}\` compares numbers`, isNumber(l) ? r : l);
      const value = expr.op === "<" ? l.value < r.value : expr.op === "<=" ? l.value <= r.value : expr.op === ">" ? l.value > r.value : l.value >= r.value;
      return { kind: "bool", value, origin };
    }
  }
  if (expr.op === "+" && l.kind === "list" && r.kind === "list") {
    const items = l.items.length + r.items.length;
    if (items > limits.maxListItems) return invalid(ctx, expr, `the joined list would have ${items} items; lists hold at most ${limits.maxListItems}`);
    ctx.charge(items, expr.span);
    const joined: Value = { kind: "list", items: [...l.items, ...r.items], origin };
    const unfit = outOfBounds(joined);
    return unfit ? invalid(ctx, expr, `the joined list ${unfit}`) : joined;
  }
  if (expr.op === "*" && (l.kind === "batch" || r.kind === "batch")) {
    const [b, k] = l.kind === "batch" ? [l, r] : [r, l];
    if (k.kind !== "int" || b.kind !== "batch" || k.value <= 0) return typeError(ctx, expr, "the batch `B` can only be multiplied by a positive int", k);
    return { kind: "batch", factor: b.factor * k.value, origin };
  }
  if (!isNumber(l)) return typeError(ctx, expr.left, `\`${expr.op}\` needs numbers`, l);
  if (!isNumber(r)) return typeError(ctx, expr.right, `\`${expr.op}\` needs numbers`, r);
  const bothInt = l.kind === "int" && r.kind === "int";
  if ((expr.op === "/" || expr.op === "//" || expr.op === "%") && r.value === 0) {
    return invalid(ctx, expr, `division by zero in \`${formatValue(l)} ${expr.op} 0\``, r.origin?.span);
  }
  let value: number;
  switch (expr.op) {
    case "+": value = l.value + r.value; break;
    case "-": value = l.value - r.value; break;
    case "*": value = l.value * r.value; break;
    case "/": return { kind: "float", value: l.value / r.value, origin };
    case "//": value = Math.floor(l.value / r.value); break;
    case "%": value = l.value - Math.floor(l.value / r.value) * r.value; break;
  }
  const result: Value = bothInt ? { kind: "int", value, origin } : { kind: "float", value, origin };
  const unfit = outOfBounds(result);
  return unfit ? invalid(ctx, expr, `the result of \`${expr.op}\` ${unfit}`) : result;
}

/**
 * How many arguments a built-in takes, read from its signature: `pow(a, b)` two,
 * `join(list, sep = ", ")` one or two, `min(a, b, …) or min(list)` one or more.
 */
function arity(signature: string): [number, number] {
  const plain = signature.replace(/"[^"]*"/g, '""'); // A default such as ", " holds a comma.
  const params = plain.slice(plain.indexOf("(") + 1, plain.indexOf(")")).split(",").map((p) => p.trim()).filter((p) => p !== "");
  if (params.includes("…")) return [1, Infinity];
  return [params.filter((p) => !p.includes("=")).length, params.length];
}

/**
 * Why a computed value cannot be used, if it cannot: an integer past 2^53 (no longer exact in
 * a double), an infinite float, a list or string past the value limits of limits.ts.
 */
function outOfBounds(value: Value): string | undefined {
  switch (value.kind) {
    case "int": return Number.isSafeInteger(value.value) ? undefined : "is too large to be exact";
    case "float": return Number.isFinite(value.value) ? undefined : "is too large for a float";
    case "list":
      if (value.items.length > limits.maxListItems) return `would have ${value.items.length} items; lists hold at most ${limits.maxListItems}`;
      return depthOf(value) > limits.maxListDepth ? `would nest ${depthOf(value)} lists deep; lists nest at most ${limits.maxListDepth} deep` : undefined;
    case "string": return value.value.length > limits.maxStringLength ? `would be ${value.value.length} characters long; strings hold at most ${limits.maxStringLength}` : undefined;
    default: return undefined;
  }
}

function typeError(ctx: EvalContext, expr: A.Expr, message: string, got: Value): Value {
  ctx.report(makeDiagnostic("V2005", `${message}, got ${describeValue(got)}`, expr.span));
  return unknown;
}

function invalid(ctx: EvalContext, expr: A.Expr, message: string, related?: A.Expr["span"]): Value {
  ctx.report(makeDiagnostic("V2011", message, expr.span, { labels: related && related.file === expr.span.file ? [{ span: related, text: "this value" }] : [] }));
  return unknown;
}

/** The operands an expression reads: names, and index chains on names (`depths[i]`), in order. */
export function referencedOperands(expr: A.Expr): A.Expr[] {
  const found: A.Expr[] = [];
  const seen = new Set<string>();
  const walk = (e: A.Expr): void => {
    if (e.kind === "name" || (e.kind === "index" && isIndexChain(e))) {
      const key = operandText(e);
      if (!seen.has(key)) { seen.add(key); found.push(e); }
      if (e.kind === "index") walk(e.index);
      return;
    }
    switch (e.kind) {
      case "list": e.items.forEach(walk); return;
      case "index": walk(e.target); walk(e.index); return;
      case "unary": walk(e.operand); return;
      case "binary": walk(e.left); walk(e.right); return;
      case "conditional": walk(e.condition); walk(e.then); walk(e.otherwise); return;
      case "call": e.args.forEach((a) => walk(a.value)); return;
      default: return;
    }
  };
  walk(expr);
  return found;
}

function isIndexChain(e: A.Expr): boolean {
  return e.kind === "name" || (e.kind === "index" && isIndexChain(e.target));
}

/** Source-like text of a name or index chain, for notes: `img_size[0]`. */
export function operandText(e: A.Expr): string {
  if (e.kind === "name") return e.name;
  if (e.kind === "index") return `${operandText(e.target)}[${e.index.kind === "int" ? e.index.value : e.index.kind === "name" ? e.index.name : "…"}]`;
  return "…";
}
