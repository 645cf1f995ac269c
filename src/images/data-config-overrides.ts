// The values the user sets on top of timm's default data config (`--crop-pct`, `--mean`,
// `--std`, `--interpolation`), as timm's resolve_data_config lets its command-line args override
// the pretrained cfg; and the line `vitc run` prints to say which values it used and why.
// Invariants: a flag's text is validated here and only here; a bad value is returned as a
// problem naming the flag and quoting the text (never thrown), and every problem is returned,
// not just the first; a resolved config says for each value whether a flag or the default set it.

import { type DataConfig, type DefaultDataConfig, formatNumber, formatTriple, resizesKeepingRatio } from "./data-config";
import { type Interpolation, interpolations } from "./resample";

/** A flag's value as typed, or already parsed; lists may also come as one string ("0.5,0.4,0.3"). */
type FlagValue = string | number;

/** What the user set. Absent (or undefined) fields keep the model's default. */
export interface PreprocessOverrides {
  readonly cropPct?: FlagValue;
  /** One value for every channel or three, as timm's `--mean` takes them. */
  readonly mean?: FlagValue | readonly FlagValue[];
  readonly std?: FlagValue | readonly FlagValue[];
  readonly interpolation?: string;
}

export type PreprocessFlag = "--crop-pct" | "--mean" | "--std" | "--interpolation";

/** Where one value comes from: a flag, or the model's default (`origin` as dataConfigFor gives it). */
export type ValueSource = { readonly kind: "flag"; readonly flag: PreprocessFlag } | { readonly kind: "default"; readonly origin: string };

export interface ResolvedDataConfig extends DataConfig {
  readonly sources: { readonly interpolation: ValueSource; readonly cropPct: ValueSource; readonly mean: ValueSource; readonly std: ValueSource };
}

/** A flag value that cannot be used: the CLI shows it as a usage error. */
export interface OverrideProblem {
  readonly flag: PreprocessFlag;
  readonly message: string;
  readonly help?: string;
}

export type ResolvedOverrides = { readonly ok: true; readonly config: ResolvedDataConfig } | { readonly ok: false; readonly problems: readonly OverrideProblem[] };

/**
 * The model's default data config with the user's values on top. For example
 * `resolveDataConfig(dataConfigFor(family, name, size), { cropPct: "0.875" })`.
 */
export function resolveDataConfig(defaults: DefaultDataConfig, overrides: PreprocessOverrides = {}): ResolvedOverrides {
  const problems: OverrideProblem[] = [];
  const fromDefault: ValueSource = { kind: "default", origin: defaults.origin };
  // A value the flag gives, or the default; a bad value leaves a problem and the default.
  const take = <R, T>(flag: PreprocessFlag, raw: R | undefined, parse: (raw: R) => T | undefined, fallback: T): { value: T; source: ValueSource } =>
    raw === undefined ? { value: fallback, source: fromDefault } : { value: parse(raw) ?? fallback, source: { kind: "flag", flag } };

  const cropPct = take("--crop-pct", overrides.cropPct, (raw) => parseCropPct(raw, problems), defaults.cropPct);
  const mean = take("--mean", overrides.mean, (raw) => parseChannels("--mean", raw, problems), defaults.mean);
  const std = take("--std", overrides.std, (raw) => parseChannels("--std", raw, problems), defaults.std);
  const interpolation = take("--interpolation", overrides.interpolation, (raw) => parseInterpolation(raw, problems), defaults.interpolation);
  if (problems.length > 0) return { ok: false, problems };
  return {
    ok: true,
    config: {
      inputSize: defaults.inputSize,
      interpolation: interpolation.value,
      cropPct: cropPct.value,
      mean: mean.value,
      std: std.value,
      sources: { interpolation: interpolation.source, cropPct: cropPct.source, mean: mean.source, std: std.source },
    },
  };
}

/**
 * One or two lines for `vitc run` to print after `preprocess`: the default values with their
 * origin, then the values flags set, each with its flag, e.g.
 *   bicubic, mean 0.5, std 0.5 (timm default for vit_base_patch16_224.augreg2_in21k_ft_in1k)
 *   crop_pct 0.875 (--crop-pct)
 * A non-square input adds a line: timm resizes it bilinearly whatever the interpolation.
 */
export function describeDataConfig(config: ResolvedDataConfig): string[] {
  const items: Array<[text: string, source: ValueSource]> = [
    [config.interpolation, config.sources.interpolation],
    [`crop_pct ${formatNumber(config.cropPct)}`, config.sources.cropPct],
    [`mean ${formatTriple(config.mean)}`, config.sources.mean],
    [`std ${formatTriple(config.std)}`, config.sources.std],
  ];
  const lines: string[] = [];
  const defaults = items.filter(([, source]) => source.kind === "default");
  if (defaults.length > 0) lines.push(`${defaults.map(([text]) => text).join(", ")} (${describeSource(defaults[0][1])})`);
  const flagged = items.filter(([, source]) => source.kind === "flag");
  if (flagged.length > 0) lines.push(flagged.map(([text, source]) => `${text} (${describeSource(source)})`).join(", "));
  if (resizesKeepingRatio(config) && config.interpolation !== "bilinear") {
    const [height, width] = config.inputSize;
    lines.push(`resized bilinearly, not ${config.interpolation}: timm's ResizeKeepRatio, used for the non-square input ${height}x${width}, ignores the interpolation`);
  }
  return lines;
}

/** "--crop-pct", or the default's origin: "timm default for vit_base_patch16_224.augreg2_in21k_ft_in1k". */
export function describeSource(source: ValueSource): string {
  return source.kind === "flag" ? source.flag : source.origin;
}

function parseCropPct(given: FlagValue, problems: OverrideProblem[]): number | undefined {
  const value = parseNumber("--crop-pct", given, problems);
  if (value === undefined) return undefined;
  if (value > 0 && value <= 1) return value;
  problems.push({
    flag: "--crop-pct",
    message: `\`--crop-pct\` ${given} is outside (0, 1]`,
    help: "timm resizes the shorter side to size / crop_pct and keeps the centre: 1.0 keeps the whole shorter side, 0.875 is timm's default",
  });
  return undefined;
}

function parseChannels(flag: "--mean" | "--std", given: FlagValue | readonly FlagValue[], problems: OverrideProblem[]): readonly [number, number, number] | undefined {
  const items: readonly FlagValue[] = typeof given === "object" ? given : [given];
  const texts = items.flatMap((v): FlagValue[] => (typeof v === "number" ? [v] : splitList(v)));
  if (texts.length !== 1 && texts.length !== 3) {
    problems.push({ flag, message: `\`${flag}\` takes 1 or 3 numbers, one for all channels or one per channel, not ${texts.length}${texts.length ? `: ${texts.join(", ")}` : ""}` });
    return undefined;
  }
  const before = problems.length;
  const values = texts.map((text) => parseNumber(flag, text, problems));
  if (problems.length > before) return undefined;
  const numbers = values as number[];
  const bad = flag === "--std" ? numbers.findIndex((v) => !(v > 0)) : -1;
  if (bad >= 0) {
    problems.push({ flag, message: `\`--std\` ${texts[bad]} is not positive`, help: "each channel is divided by its std, so every std must be above 0" });
    return undefined;
  }
  return numbers.length === 1 ? [numbers[0], numbers[0], numbers[0]] : [numbers[0], numbers[1], numbers[2]];
}

function parseInterpolation(given: string, problems: OverrideProblem[]): Interpolation | undefined {
  if ((interpolations as readonly string[]).includes(given)) return given as Interpolation;
  const lower = given.toLowerCase();
  problems.push({
    flag: "--interpolation",
    message: `\`--interpolation\` \`${given}\` is not one vitc reproduces: ${interpolations.join(", ")}`,
    help: (interpolations as readonly string[]).includes(lower)
      ? `write it in lower case, as timm does: \`${lower}\``
      : ["box", "hamming", "lanczos"].includes(lower)
        ? `timm also accepts \`${lower}\`, but vitc does not implement Pillow's ${lower} filter`
        : undefined,
  });
  return undefined;
}

/** A decimal number ("0.875", "1", ".5", "1e-1"); Infinity, NaN and other text are problems. */
function parseNumber(flag: PreprocessFlag, given: FlagValue, problems: OverrideProblem[]): number | undefined {
  const value = typeof given === "number" ? given : /^\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*$/.test(given) ? Number(given) : NaN;
  if (Number.isFinite(value)) return value;
  problems.push({ flag, message: typeof given === "number" ? `\`${flag}\` ${given} is not a finite number` : `\`${flag}\` \`${given}\` is not a number` });
  return undefined;
}

/** "0.5,0.4,0.3", "0.5 0.4 0.3" and "(0.485, 0.456, 0.406)" (as vitc prints them) → their items. */
function splitList(text: string): string[] {
  return text.replace(/^\s*[([]\s*|\s*[)\]]\s*$/g, "").split(/[\s,]+/).filter((t) => t !== "");
}
