// The timm parity cases every backend is held to: the shared fixtures (test/fixtures/timm) and
// the extra cases saved from timm by scripts/make-parity-cases.py (test/parity/extra/<name>/,
// same layout). Each has its spec at test/parity/<name>.vit.

import * as fs from "node:fs";
import * as path from "node:path";
import { fixturesDir, repoRoot } from "./compile";

export interface TensorConfig { readonly shape: number[]; readonly suggested_atol: number; readonly loose_atol: number }
export interface FixtureConfig { readonly output: { readonly tensors: Record<string, TensorConfig> } }

const parityDir = path.join(repoRoot, "test", "parity");
const extraDir = path.join(parityDir, "extra");

export const parityCases: Array<{ name: string; dir: string; spec: string }> = [
  ...["vit_tiny", "swin_tiny", "mobilevit_tiny"].map((name) => ({ name, dir: path.join(fixturesDir, name) })),
  ...(fs.existsSync(extraDir) ? fs.readdirSync(extraDir).filter((n) => fs.existsSync(path.join(extraDir, n, "config.json"))).sort() : [])
    .map((name) => ({ name, dir: path.join(extraDir, name) })),
].map((c) => ({ ...c, spec: path.join(parityDir, `${c.name}.vit`) }));

// timm's `pos_drop` is a Dropout: an identity at inference, right after the position embedding.
export const moduleAliases: Record<string, string> = { pos_drop: "pos_embed" };

export function readFixtureConfig(dir: string): FixtureConfig {
  return JSON.parse(fs.readFileSync(path.join(dir, "config.json"), "utf8")) as FixtureConfig;
}

/** The largest |a - b|, or Infinity when the sizes differ. */
export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Infinity;
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i] - b[i]));
  return Number.isNaN(max) ? Infinity : max;
}
