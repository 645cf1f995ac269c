// Similar-name suggestions ("a parameter with a similar name exists: `num_heads`").
// The search is bounded, as its input can be hostile (a 20 000-character name, 2 000 unexpected
// weight keys): names longer than `maxNameLength` are not compared, candidates whose length
// differs by more than the allowed distance are skipped, at most `maxCandidates` are compared
// letter by letter, and each comparison stops as soon as it cannot be close enough.

/** Longer names get no spelling suggestion: a typo in a name this long is not what happened. */
export const maxNameLength = 100;
/** Candidates compared letter by letter per search, after the length filter. */
export const maxCandidates = 2_000;

/**
 * Damerau-style edit distance (optimal string alignment), case-insensitive. With a `limit`,
 * only a band of width 2·limit+1 around the diagonal is computed and any distance above the
 * limit is returned as limit + 1, as soon as every cell of a row is past it.
 */
export function editDistance(a: string, b: string, limit = Infinity): number {
  const s = a.toLowerCase();
  const t = b.toLowerCase();
  const n = s.length;
  const m = t.length;
  const band = Math.min(Math.max(n, m), limit);
  const over = band + 1; // stands for "more than the limit"; also fills cells outside the band
  if (Math.abs(n - m) > band) return over;
  // Three rows: i-2 (for transpositions), i-1 and i. Cells outside a row's band read `over`:
  // each row writes the cell just left and just right of its band. The rows are reused across
  // calls: a search compares thousands of candidates.
  let [before, previous, current] = scratchRows(m + 1);
  before.fill(over, 0, m + 1);
  current.fill(over, 0, m + 1);
  previous.fill(over, 0, m + 1);
  for (let j = 0; j <= Math.min(m, band); j++) previous[j] = j;
  for (let i = 1; i <= n; i++) {
    const from = Math.max(1, i - band);
    const to = Math.min(m, i + band);
    current[from - 1] = from === 1 ? i : over;
    let rowMin = current[from - 1];
    for (let j = from; j <= to; j++) {
      const cost = s[i - 1] === t[j - 1] ? 0 : 1;
      let d = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost);
      if (i > 1 && j > 1 && s[i - 1] === t[j - 2] && s[i - 2] === t[j - 1]) d = Math.min(d, before[j - 2] + 1);
      current[j] = Math.min(d, over);
      if (current[j] < rowMin) rowMin = current[j];
    }
    if (to < m) current[to + 1] = over;
    if (rowMin >= over) return over;
    [before, previous, current] = [previous, current, before];
  }
  return Math.min(previous[m], over);
}

let rows: [Int32Array, Int32Array, Int32Array] = [new Int32Array(64), new Int32Array(64), new Int32Array(64)];

function scratchRows(length: number): [Int32Array, Int32Array, Int32Array] {
  if (rows[0].length < length) rows = [new Int32Array(length * 2), new Int32Array(length * 2), new Int32Array(length * 2)];
  return [rows[0], rows[1], rows[2]];
}

/** A suggestion, and the work it took (candidates looked at plus table cells computed). */
export interface ClosestName {
  readonly name: string | undefined;
  readonly work: number;
}

/**
 * The closest candidate within a third of the name's length (at least 1 edit), if any; else
 * the one candidate that has the name as one of its words (`heads` → `num_heads`, `patch` →
 * `patch_size`).
 */
export function closestName(name: string, candidates: Iterable<string>): string | undefined {
  return findClosestName(name, candidates).name;
}

/** closestName, with the work it took, for callers that keep a work budget. */
export function findClosestName(name: string, candidates: Iterable<string>): ClosestName {
  const list = [...candidates];
  if (name.length > maxNameLength) return { name: undefined, work: list.length };
  const spelled = closestBySpelling(name, list);
  if (spelled.name !== undefined) return spelled;
  const worded = onlyWithWord(name, list);
  return { name: worded.name, work: spelled.work + worded.work };
}

function onlyWithWord(name: string, candidates: readonly string[]): ClosestName {
  const word = name.toLowerCase();
  if (word.length < 3) return { name: undefined, work: 0 };
  let work = 0;
  const found = candidates.filter((c) => {
    work += 1 + (c.length <= maxNameLength ? c.length : 0);
    return c !== name && c.length <= maxNameLength && c.toLowerCase().split("_").includes(word);
  });
  return { name: found.length === 1 ? found[0] : undefined, work };
}

function closestBySpelling(name: string, candidates: readonly string[]): ClosestName {
  let best: string | undefined;
  let bestDistance = Math.max(1, Math.floor(name.length / 3));
  const words = sortedWords(name);
  let work = candidates.length;
  let compared = 0;
  for (const candidate of candidates) {
    // Words in another order (`heads_num`) have the same length; any other candidate whose
    // length differs by more than the best distance so far cannot be closer.
    if (candidate === name || Math.abs(candidate.length - name.length) > bestDistance) continue;
    if (++compared > maxCandidates) break;
    work += candidate.length * (2 * bestDistance + 1);
    const distance = editDistance(name, candidate, bestDistance);
    const sameWords = sortedWords(candidate) === words;
    if (distance < bestDistance || (distance === bestDistance && best === undefined) || sameWords) {
      best = candidate;
      bestDistance = sameWords ? 0 : distance;
    }
  }
  return { name: best, work };
}

function sortedWords(name: string): string {
  return name.split("_").sort().join("_");
}
