// Command-line parsing for `vitc`: a command, positional arguments and `--flag [value]` options.

export interface ParsedArgs {
  readonly command: string | undefined;
  readonly positional: readonly string[];
  readonly options: ReadonlyMap<string, string | true>;
}

/** Options that take a value; every other `--flag` is a switch. */
const valued = new Set(["format", "model", "weights", "input", "image", "output", "backend", "seed", "batch", "runs", "emit", "o", "out-dir"]);

export function parseArgs(argv: readonly string[]): ParsedArgs | { error: string } {
  const positional: string[] = [];
  const options = new Map<string, string | true>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "--") {
      positional.push(...argv.slice(i + 1));
      break;
    }
    if (arg.startsWith("-") && arg !== "-") {
      const [rawName, inline] = arg.replace(/^--?/, "").split(/=(.*)/s, 2);
      const name = rawName;
      if (valued.has(name)) {
        const value = inline ?? argv[++i];
        if (value === undefined) return { error: `option \`--${name}\` needs a value` };
        options.set(name, value);
      } else options.set(name, true);
      continue;
    }
    positional.push(arg);
  }
  return { command: positional[0], positional: positional.slice(1), options };
}

/** A command line that cannot mean anything: reported with the usage text, exit code 2. */
export class UsageError extends Error {}

/** An integer option such as `--batch 8`, at least `min`; `fallback` when absent. */
export function countOption(args: ParsedArgs, name: string, fallback: number, min: number): number {
  const value = args.options.get(name);
  if (value === undefined) return fallback;
  const n = typeof value === "string" && /^\s*[+-]?\d+\s*$/.test(value) ? Number(value) : NaN;
  if (!Number.isSafeInteger(n) || n < min) throw new UsageError(`option \`--${name}\` needs an integer of at least ${min}, got \`${String(value)}\``);
  return n;
}
