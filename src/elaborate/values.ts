// Compile-time values of the .vit language and their types. A value remembers where it was
// written (its origin), so that an error deep in the standard library can point at the user's
// argument that made it wrong.

import type { AttrValue, ValueOrigin } from "../ir/graph";
import { formatBatch } from "../ir/shape";
import type { TypeExpr } from "../syntax/ast";

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

/**
 * Lists and strings are configuration, not data: these bounds keep a spec that doubles a list
 * in a loop from exhausting memory (a crash) or time, long before a real spec comes near.
 */
export const valueLimits = { maxListItems: 10_000, maxStringLength: 100_000 };

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

export function formatValue(value: Value): string {
  switch (value.kind) {
    case "int": return String(value.value);
    case "float": return Number.isInteger(value.value) ? value.value.toFixed(1) : String(value.value);
    case "bool": return String(value.value);
    case "string": return JSON.stringify(value.value);
    case "list": return `[${value.items.map(formatValue).join(", ")}]`;
    case "tensor": return "a tensor";
    case "batch": return formatBatch(value.factor);
    case "unknown": return "?";
  }
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
