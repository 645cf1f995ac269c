// `{expr}` placeholders in `require` messages, help and notes: "`patch_size` {patch} does not
// divide `img_size` {img}". Placeholders are parsed once per message and cached.

import { parseEmbeddedExpression } from "../syntax/parse";
import type { Expr, StringExpr } from "../syntax/ast";
import { displayValue, type Value } from "./values";

type Piece = string | Expr;
const cache = new Map<string, Piece[]>();

function pieces(message: StringExpr): Piece[] {
  const key = `${message.span.file}:${message.span.start}:${message.value}`;
  const cached = cache.get(key);
  if (cached) return cached;
  const result: Piece[] = [];
  const pattern = /\{([^{}]+)\}/g;
  let last = 0;
  for (let m = pattern.exec(message.value); m; m = pattern.exec(message.value)) {
    result.push(message.value.slice(last, m.index));
    // +1 for the opening quote; escapes inside messages are rare enough to ignore for spans.
    const expr = parseEmbeddedExpression(m[1], message.span.file, message.span.start + 1 + m.index + 1);
    result.push(expr ?? m[0]);
    last = m.index + m[0].length;
  }
  result.push(message.value.slice(last));
  cache.set(key, result);
  return result;
}

export function interpolate(message: StringExpr, evaluate: (e: Expr) => Value): string {
  return pieces(message).map((p) => (typeof p === "string" ? p : displayValue(evaluate(p)))).join("");
}
