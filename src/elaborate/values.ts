// Compile-time values of the .vit language and their types. A value remembers where it was
// written (its origin), so that an error deep in the standard library can point at the user's
// argument that made it wrong.

import type { AttrValue, ValueOrigin } from "../ir/graph";
import { formatBatch } from "../ir/shape";
import type { TypeExpr } from "../syntax/ast";
import { charUnits } from "./limits";

export type Value =
  | { readonly kind: "int"; readonly value: number; readonly origin?: ValueOrigin }
  | { readonly kind: "float"; readonly value: number; readonly origin?: ValueOrigin }
  | { readonly kind: "bool"; readonly value: boolean; readonly origin?: ValueOrigin }
  | { readonly kind: "string"; readonly value: string; readonly origin?: ValueOrigin }
  | { readonly kind: "list"; readonly items: readonly Value[]; readonly origin?: ValueOrigin }
  /** A tensor: the id of the IR node that computes it. */
  | { readonly kind: "tensor"; readonly node: number; readonly origin?: ValueOrigin }
  /** The symbolic batch `B`, times a factor. */
  | { readonly kind: "batch"; readonly factor: number; readonly origin?: ValueOrigin }
  /** The result of an expression that already failed: raises nothing further. */
  | { readonly kind: "unknown"; readonly origin?: ValueOrigin };

export const unknown: Value = { kind: "unknown" };

export function withOrigin(value: Value, origin: ValueOrigin | undefined): Value {
  return { ...value, origin } as Value;
}

export function typeName(value: Value): string {
  switch (value.kind) {
    case "int": return "int";
    case "float": return "float";
    case "bool": return "bool";
    case "string": return "string";
    case "list": return value.items.length === 0 ? "list" : `[${typeName(value.items[0])}]`;
    case "tensor": return "tensor";
    case "batch": return "batch dimension";
    case "unknown": return "unknown";
  }
}

/** Messages show at most this many characters of a value, then `…`. */
const maxShownLength = 200;

/**
 * A value as source text: `3`, `1.0`, `"avg"`, `[224, 224]`. Long lists and strings are cut
 * after `maxShownLength` characters with `…`, without reading the rest (a list of 10 000
 * items of 10 000 items each is 10^8 numbers).
 */
export function formatValue(value: Value): string {
  const parts: string[] = [];
  let length = 0;
  const add = (text: string) => {
    parts.push(text);
    length += text.length;
  };
  // False once enough is written: the caller stops.
  const write = (v: Value): boolean => {
    if (length > maxShownLength) return false;
    if (v.kind === "string") add(JSON.stringify(v.value.length > maxShownLength ? v.value.slice(0, maxShownLength + 1) : v.value));
    else if (v.kind !== "list") add(scalarText(v));
    else {
      add("[");
      for (let i = 0; i < v.items.length; i++) {
        if (i > 0) add(", ");
        if (!write(v.items[i])) return false;
      }
      add("]");
    }
    return length <= maxShownLength;
  };
  const whole = write(value);
  const text = parts.join("");
  return whole ? text : `${text.slice(0, maxShownLength)}…`;
}

function scalarText(value: Exclude<Value, { kind: "list" | "string" }>): string {
  switch (value.kind) {
    case "int": return String(value.value);
    case "float": return Number.isInteger(value.value) ? value.value.toFixed(1) : String(value.value);
    case "bool": return String(value.value);
    case "tensor": return "a tensor";
    case "batch": return formatBatch(value.factor);
    case "unknown": return "?";
  }
}

/**
 * Whether `==` holds: numbers by value (`1 == 1.0`); inside lists, items of the same kind and
 * value, as they are written (`[1] != [1.0]`); tensors when they are the same tensor.
 */
export function sameValue(a: Value, b: Value): boolean {
  if (isNumber(a) && isNumber(b)) return a.value === b.value;
  return sameItem(a, b);
}

function sameItem(a: Value, b: Value): boolean {
  switch (a.kind) {
    case "int": case "float": case "bool": case "string": return a.kind === b.kind && a.value === b.value;
    case "batch": return b.kind === "batch" && a.factor === b.factor;
    case "tensor": return b.kind === "tensor" && a.node === b.node;
    case "list": return b.kind === "list" && a.items.length === b.items.length && a.items.every((item, i) => sameItem(item, b.items[i]));
    case "unknown": return false;
  }
}

interface ListStats {
  readonly weight: number;
  readonly depth: number;
}

/**
 * Per list of lists (by its items array, which `withOrigin` keeps), computed once, children
 * first: lists shared many times over would otherwise be read again and again. A flat list is
 * read directly (a WeakMap entry for every small list cost more than reading it: 1 s in 2
 * million `let l = [i]`).
 */
const nestedStats = new WeakMap<readonly Value[], ListStats>();

function statsOf(items: readonly Value[]): ListStats {
  const known = nestedStats.get(items);
  if (known) return known;
  let weight = 1;
  let depth = 0;
  for (const item of items) {
    weight += weightOf(item);
    depth = Math.max(depth, depthOf(item));
  }
  const stats = { weight, depth: depth + 1 };
  if (depth > 0) nestedStats.set(items, stats);
  return stats;
}

/**
 * Work units (limits.ts) to read a value whole: one per value and list item, nested lists
 * included, and the characters of its strings. A list that holds one list 10 times, which
 * holds another 10 times …, is cheap to make but costly to read: its weight says so.
 */
export function weightOf(value: Value): number {
  if (value.kind === "list") return statsOf(value.items).weight;
  return value.kind === "string" ? 1 + charUnits(value.value.length) : 1;
}

/** How deeply lists nest in a value: 0 for a number, 1 for `[1, 2]`, 2 for `[[1]]`. */
export function depthOf(value: Value): number {
  return value.kind === "list" ? statsOf(value.items).depth : 0;
}

/** A value as messages show it: `int 3`, `string "avg"`, `a tensor`. */
export function describeValue(value: Value): string {
  return value.kind === "tensor" ? "a tensor" : `${typeName(value)} ${formatValue(value)}`;
}

/** Text for message templates: strings without quotes, everything else as formatValue. */
export function displayValue(value: Value): string {
  if (value.kind === "string") return value.value;
  if (value.kind === "float" && !Number.isInteger(value.value)) {
    // Messages show a ratio like 64.17, not 64.16666666666667; tiny values keep 3 digits.
    return Math.abs(value.value) >= 0.01 ? String(Number(value.value.toFixed(2))) : value.value.toPrecision(3);
  }
  return formatValue(value);
}

export function isNumber(value: Value): value is Extract<Value, { kind: "int" | "float" }> {
  return value.kind === "int" || value.kind === "float";
}

/** The type names a block parameter may use. */
export const typeNames = ["any", "int", "float", "bool", "string", "list", "tensor"] as const;

/**
 * Whether a value has a declared type. `float` accepts ints; `any` and `tensor` are names too.
 * An unknown type name was reported where it was declared and accepts anything.
 */
export function matchesType(value: Value, type: TypeExpr): boolean {
  if (value.kind === "unknown") return true;
  switch (type.kind) {
    case "union": return type.options.some((t) => matchesType(value, t));
    case "list": return value.kind === "list" && value.items.every((item) => matchesType(item, type.element));
    case "named":
      switch (type.name.text) {
        case "any": return value.kind !== "tensor";
        case "int": return value.kind === "int";
        case "float": return isNumber(value);
        case "bool": return value.kind === "bool";
        case "string": return value.kind === "string";
        case "list": return value.kind === "list";
        case "tensor": return value.kind === "tensor";
        default: return true;
      }
  }
}

export function formatType(type: TypeExpr): string {
  switch (type.kind) {
    case "named": return type.name.text;
    case "list": return `[${formatType(type.element)}]`;
    case "union": return type.options.map(formatType).join(" | ");
  }
}

/** A plain value for IR attributes and model configs; undefined for tensors and unknowns. */
export function toAttr(value: Value): AttrValue | undefined {
  switch (value.kind) {
    case "int": case "float": case "bool": case "string": return value.value;
    case "list": {
      const items = value.items.map(toAttr);
      return items.every((i) => i !== undefined) ? (items as AttrValue[]) : undefined;
    }
    default: return undefined;
  }
}
