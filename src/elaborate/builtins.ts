// Built-in functions usable in expressions: list helpers, numeric conversions, timm's
// make_divisible, and the helpers that standard-library errors use to suggest valid values.

import { charUnits, limits } from "./limits";
import { isNumber, type Value } from "./values";

/**
 * A failure names what was wrong; `arg` and `expected`, where given, say which argument was
 * not what the function takes, so the error can land on the user's value instead. With
 * `tooLarge`, the arguments are fine but the result would pass a value limit, and `message`
 * says by how much; it is found before the result is made.
 */
export type BuiltinResult =
  | { ok: true; value: Value }
  | { ok: false; message: string; arg?: number; expected?: string; tooLarge?: boolean };

export interface Builtin {
  readonly signature: string;
  readonly doc: string;
  /** Work units (limits.ts) the call takes, charged before it runs; see `builtinWork`. */
  work?(args: readonly Value[]): number;
  apply(args: readonly Value[]): BuiltinResult;
}

/** A call's work: the built-in's own estimate, else one unit per list item it is given. */
export function builtinWork(fn: Builtin, args: readonly Value[]): number {
  return fn.work?.(args) ?? args.reduce((sum, a) => sum + (a.kind === "list" ? a.items.length : 0), 1);
}

const ok = (value: Value): BuiltinResult => ({ ok: true, value });
const fail = (message: string): BuiltinResult => ({ ok: false, message });
const int = (value: number): Value => ({ kind: "int", value });
const num = (value: number): Value => (Number.isInteger(value) ? int(value) : { kind: "float", value });
const intList = (values: number[]): Value => ({ kind: "list", items: values.map(int) });

function numbers(args: readonly Value[]): number[] | undefined {
  const flat = args.length === 1 && args[0].kind === "list" ? args[0].items : args;
  return flat.every(isNumber) ? flat.map((v) => (v as { value: number }).value) : undefined;
}

function positiveInts(a: Value | undefined, b: Value | undefined): [number, number] | undefined {
  return a?.kind === "int" && b?.kind === "int" && a.value > 0 && b.value > 0 ? [a.value, b.value] : undefined;
}

/** timm's make_divisible: round to the nearest multiple, but never lose more than 10%. */
export function makeDivisible(v: number, divisor = 8, minValue = divisor, roundLimit = 0.9): number {
  let result = Math.max(minValue, Math.floor((v + divisor / 2) / divisor) * divisor);
  if (result < roundLimit * v) result += divisor;
  return result;
}

/** The multiples of `k` next to `x` (below and above), positive only. */
export function nearMultiples(x: number, k: number): number[] {
  const below = Math.floor(x / k) * k;
  return [below, below + k].filter((v, i, all) => v > 0 && v !== x && all.indexOf(v) === i);
}

/** The divisors of `n` closest to `x`, nearest first (at most three). O(sqrt n): pairs d, n/d. */
export function nearDivisors(n: number, x: number): number[] {
  const divisors: number[] = [];
  for (let d = 1; d * d <= n; d++) {
    if (n % d !== 0) continue;
    divisors.push(d);
    if (d * d !== n) divisors.push(n / d);
  }
  return divisors.filter((d) => d !== x).sort((a, b) => Math.abs(a - x) - Math.abs(b - x) || a - b).slice(0, 3).sort((a, b) => a - b);
}

/**
 * By name. A Map, not an object: a name a user writes (`toString`, `__proto__`) must not find
 * Object.prototype's properties.
 */
export const builtins: ReadonlyMap<string, Builtin> = new Map(Object.entries<Builtin>({
  len: {
    signature: "len(list)", doc: "the number of items in a list",
    apply: ([l]) => (l?.kind === "list" ? ok(int(l.items.length)) : fail("`len` takes a list")),
  },
  min: {
    signature: "min(a, b, …) or min(list)", doc: "the smallest number",
    apply: (args) => { const n = numbers(args); return n && n.length ? ok(num(Math.min(...n))) : fail("`min` takes numbers"); },
  },
  max: {
    signature: "max(a, b, …) or max(list)", doc: "the largest number",
    apply: (args) => { const n = numbers(args); return n && n.length ? ok(num(Math.max(...n))) : fail("`max` takes numbers"); },
  },
  sum: {
    signature: "sum(list)", doc: "the sum of a list of numbers",
    apply: (args) => { const n = numbers(args); return n ? ok(num(n.reduce((a, b) => a + b, 0))) : fail("`sum` takes numbers"); },
  },
  prod: {
    signature: "prod(list)", doc: "the product of a list of numbers",
    apply: (args) => { const n = numbers(args); return n ? ok(num(n.reduce((a, b) => a * b, 1))) : fail("`prod` takes numbers"); },
  },
  int: {
    signature: "int(x)", doc: "truncates a number towards zero, like Python's int()",
    apply: ([x]) => (x && isNumber(x) ? ok(int(Math.trunc(x.value))) : fail("`int` takes a number")),
  },
  float: {
    signature: "float(x)", doc: "a number as a float",
    apply: ([x]) => (x && isNumber(x) ? ok({ kind: "float", value: x.value }) : fail("`float` takes a number")),
  },
  pow: {
    signature: "pow(a, b)", doc: "a to the power b",
    apply: ([a, b]) => (a && b && isNumber(a) && isNumber(b) ? ok(num(a.value ** b.value)) : fail("`pow` takes two numbers")),
  },
  ceil_div: {
    signature: "ceil_div(a, b)", doc: "a / b rounded up, for integers",
    apply: ([a, b]) => (a?.kind === "int" && b?.kind === "int" && b.value > 0 ? ok(int(Math.ceil(a.value / b.value))) : fail("`ceil_div` takes an integer and a positive integer")),
  },
  pair: {
    signature: "pair(x)", doc: "[x, x] for a number, the list itself for a list of two",
    apply: ([x]) => {
      if (x && isNumber(x)) return ok({ kind: "list", items: [x, x] });
      if (x?.kind === "list" && x.items.length === 2) return ok(x);
      return { ok: false, message: "`pair` takes a number or a list of two numbers", arg: 0, expected: "an int or a list of two ints" };
    },
  },
  is_list: {
    signature: "is_list(x)", doc: "whether x is a list",
    apply: ([x]) => ok({ kind: "bool", value: x?.kind === "list" }),
  },
  range: {
    signature: "range(n)", doc: "[0, 1, …, n-1]",
    work: ([n]) => 1 + (n?.kind === "int" ? Math.min(Math.max(n.value, 0), limits.maxListItems) : 0),
    apply: ([n]) => (n?.kind === "int" && n.value >= 0 && n.value <= limits.maxListItems ? ok(intList([...Array(n.value).keys()])) : fail(`\`range\` takes an integer from 0 to ${limits.maxListItems}`)),
  },
  take: {
    signature: "take(list, n)", doc: "the first n items of a list",
    apply: ([l, n]) => (l?.kind === "list" && n?.kind === "int" ? ok({ kind: "list", items: l.items.slice(0, Math.max(0, n.value)) }) : fail("`take` takes a list and an integer")),
  },
  all_equal: {
    signature: "all_equal(list)", doc: "whether every item of a list of numbers is the same",
    apply: ([l]) => { const n = l ? numbers([l]) : undefined; return n ? ok({ kind: "bool", value: n.every((v) => v === n[0]) }) : fail("`all_equal` takes a list of numbers"); },
  },
  make_divisible: {
    signature: "make_divisible(v, divisor = 8)", doc: "timm's channel rounding: nearest multiple of divisor, at least divisor, never 10% below v",
    apply: ([v, d]) => {
      if (!v || !isNumber(v) || (d && d.kind !== "int")) return fail("`make_divisible` takes a number and an integer divisor");
      return ok(int(makeDivisible(v.value, d ? (d as { value: number }).value : 8)));
    },
  },
  near_multiples: {
    signature: "near_multiples(x, k)", doc: "the multiples of k just below and above x",
    apply: ([x, k]) => { const v = positiveInts(x, k); return v ? ok(intList(nearMultiples(...v))) : fail("`near_multiples` takes two positive integers"); },
  },
  near_divisors: {
    signature: "near_divisors(n, x)", doc: "the divisors of n closest to x",
    // sqrt(n) remainders; sixteen of them cost about as much as making one list item.
    work: ([n]) => 1 + (n?.kind === "int" && n.value > 0 ? Math.ceil(Math.sqrt(Math.min(n.value, 1_000_000)) / 16) : 0),
    apply: ([n, x]) => { const v = positiveInts(n, x); return v && v[0] <= 1_000_000 ? ok(intList(nearDivisors(...v))) : fail("`near_divisors` takes two positive integers up to 1000000"); },
  },
  join: {
    signature: "join(list, sep = \", \")", doc: "the items of a list as text",
    // A result past the string limit is refused (V2011) before it is made: only its start counts.
    work: ([l, sep]) => (l?.kind === "list" ? 1 + l.items.length + charUnits(Math.min(joinedLength(l.items, sep), limits.maxStringLength)) : 1),
    apply: ([l, sep]) => {
      if (l?.kind !== "list" || (sep && sep.kind !== "string")) return fail("`join` takes a list and a separator string");
      // Measured before it is made: a long separator between many items would be gigabytes.
      const length = joinedLength(l.items, sep);
      if (length > limits.maxStringLength) {
        return { ok: false, tooLarge: true, message: `would be ${length} characters long; strings hold at most ${limits.maxStringLength}` };
      }
      return ok({ kind: "string", value: l.items.map(itemText).join(separator(sep)) });
    },
  },
}));

/** How `join` shows one item. */
function itemText(item: Value): string {
  return item.kind === "string" ? item.value : item.kind === "int" || item.kind === "float" ? String(item.value) : "?";
}

function separator(sep: Value | undefined): string {
  return sep?.kind === "string" ? sep.value : ", ";
}

/** The length of `join(items, sep)`, without making it. */
function joinedLength(items: readonly Value[], sep: Value | undefined): number {
  return items.reduce((sum, item) => sum + itemText(item).length, 0) + separator(sep).length * Math.max(0, items.length - 1);
}
