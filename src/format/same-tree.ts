// Whether two ASTs are the same tree apart from where things are: every field but spans equal.
// The formatter's check that a layout did not change what a file means.

export function sameTree(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return Number.isNaN(a) && Number.isNaN(b);
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const keysA = Object.keys(a).filter((k) => k !== "span" && (a as Record<string, unknown>)[k] !== undefined);
  const keysB = Object.keys(b).filter((k) => k !== "span" && (b as Record<string, unknown>)[k] !== undefined);
  if (keysA.length !== keysB.length) return false;
  return keysA.every((k) => sameTree((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}
