// Similar-name suggestions ("a parameter with a similar name exists: `num_heads`").

/** Damerau-style edit distance (optimal string alignment), case-insensitive. */
export function editDistance(a: string, b: string): number {
  const s = a.toLowerCase();
  const t = b.toLowerCase();
  const d: number[][] = Array.from({ length: s.length + 1 }, (_, i) => [i, ...Array<number>(t.length).fill(0)]);
  for (let j = 1; j <= t.length; j++) d[0][j] = j;
  for (let i = 1; i <= s.length; i++) {
    for (let j = 1; j <= t.length; j++) {
      const cost = s[i - 1] === t[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && s[i - 1] === t[j - 2] && s[i - 2] === t[j - 1]) d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[s.length][t.length];
}

/**
 * The closest candidate within a third of the name's length (at least 1 edit), if any; else
 * the one candidate that has the name as one of its words (`heads` → `num_heads`, `patch` →
 * `patch_size`).
 */
export function closestName(name: string, candidates: Iterable<string>): string | undefined {
  const list = [...candidates];
  return closestBySpelling(name, list) ?? onlyWithWord(name, list);
}

function onlyWithWord(name: string, candidates: readonly string[]): string | undefined {
  const word = name.toLowerCase();
  if (word.length < 3) return undefined;
  const found = candidates.filter((c) => c !== name && c.toLowerCase().split("_").includes(word));
  return found.length === 1 ? found[0] : undefined;
}

function closestBySpelling(name: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Math.max(1, Math.floor(name.length / 3));
  for (const candidate of candidates) {
    if (candidate === name) continue;
    const distance = editDistance(name, candidate);
    const sameWords = candidate.split("_").sort().join("_") === name.split("_").sort().join("_");
    if (distance < bestDistance || (distance === bestDistance && best === undefined) || sameWords) {
      best = candidate;
      bestDistance = sameWords ? 0 : distance;
    }
  }
  return best;
}
