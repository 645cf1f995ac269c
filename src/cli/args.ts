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
