// Command-line parsing for `vitc`, checked against each command's declared flags (commands.ts):
// an unknown, repeated or value-less flag is a usage error (exit 2) that names the flag, with the
// closest known flag as help. Nothing here reads files or prints.

import { closestName } from "../diagnostics/similar";

export interface FlagSpec {
  readonly name: string;
  /** A one-letter form (`-o` for `--out-dir`). */
  readonly short?: string;
  /** The value's placeholder in help (`FILE`, `N`); absent for a switch such as `--json`. */
  readonly value?: string;
  /** May be given more than once (`--image a.png --image b.png`). */
  readonly repeatable?: boolean;
  readonly help: string;
}

export interface CommandSpec {
  readonly name: string;
  readonly summary: string;
  /** How the positional arguments read in usage (`<files…>`, `<file>`). */
  readonly operands: string;
  readonly minOperands: number;
  readonly maxOperands: number;
  readonly flags: readonly FlagSpec[];
  /** Flags of other commands that people try on this one, with what this command does instead. */
  readonly misplacedFlags?: Readonly<Record<string, string>>;
}

export interface ParsedArgs {
  readonly command: CommandSpec;
  readonly operands: readonly string[];
  /** Each flag's values in order: `[]`-free, one entry per occurrence (`"true"` for switches). */
  readonly flags: ReadonlyMap<string, readonly string[]>;
  readonly help: boolean;
}

/** A command line that cannot mean anything: printed with the command's usage, exit code 2. */
export class UsageError extends Error {
  constructor(message: string, readonly command?: CommandSpec, readonly help: readonly string[] = []) {
    super(message);
    this.name = "UsageError";
  }
}

/** Parses the arguments after the command name. `--` ends the flags. */
export function parseCommandArgs(command: CommandSpec, argv: readonly string[]): ParsedArgs {
  const operands: string[] = [];
  const flags = new Map<string, string[]>();
  let help = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "--") {
      operands.push(...argv.slice(i + 1));
      break;
    }
    if (arg === "-h" || arg === "--help") {
      help = true;
      continue;
    }
    if (!arg.startsWith("-") || arg === "-" || /^-\d/.test(arg)) {
      operands.push(arg);
      continue;
    }
    const [written, inline] = splitInline(arg);
    const spec = command.flags.find((f) => `--${f.name}` === written || (f.short !== undefined && `-${f.short}` === written));
    if (!spec) throw unknownFlag(command, written);
    let value: string;
    if (spec.value === undefined) {
      if (inline !== undefined) throw new UsageError(`flag \`${written}\` takes no value, got \`${inline}\``, command);
      value = "true";
    } else if (inline !== undefined) value = inline;
    else {
      const next = argv[i + 1];
      if (next === undefined) throw new UsageError(`flag \`${written}\` needs a value (${spec.value})`, command);
      if (next.startsWith("--") || next === "-h") {
        throw new UsageError(`flag \`${written}\` needs a value (${spec.value}), got the flag \`${next}\``, command, [
          `a value that starts with \`-\` is written \`${written}=${next}\``,
        ]);
      }
      value = next;
      i++;
    }
    const seen = flags.get(spec.name) ?? [];
    if (seen.length > 0 && !spec.repeatable) {
      throw new UsageError(`flag \`--${spec.name}\` is given twice (\`${seen[0]}\` and \`${value}\`)`, command, ["give it once"]);
    }
    flags.set(spec.name, [...seen, value]);
  }
  if (!help) {
    if (operands.length < command.minOperands) {
      throw new UsageError(command.minOperands === 1 && command.maxOperands === 1 ? "give the spec file" : `no files given`, command);
    }
    if (operands.length > command.maxOperands) {
      const extra = operands[command.maxOperands];
      if (command.maxOperands === 0) throw new UsageError(`\`vitc ${command.name}\` takes no files, got \`${extra}\``, command);
      throw new UsageError(`\`vitc ${command.name}\` takes ${command.maxOperands === 1 ? "one file" : `at most ${command.maxOperands} files`}, got also \`${extra}\``, command);
    }
  }
  return { command, operands, flags, help };
}

function splitInline(arg: string): [string, string | undefined] {
  const eq = arg.indexOf("=");
  return eq < 0 ? [arg, undefined] : [arg.slice(0, eq), arg.slice(eq + 1)];
}

function unknownFlag(command: CommandSpec, written: string): UsageError {
  const names = command.flags.map((f) => `--${f.name}`);
  const similar = closestName(written, names) ?? closestName(written.replace(/^-+/, "--"), names);
  const misplaced = command.misplacedFlags && Object.hasOwn(command.misplacedFlags, written) ? command.misplacedFlags[written] : undefined;
  const help = misplaced ? [misplaced] : similar ? [`a flag with a similar name exists: \`${similar}\``] : [];
  const what = written.startsWith("--") ? "flag" : "option";
  return new UsageError(`unknown ${what} \`${written}\``, command, help);
}

/** The flag's value, if given (the last one for a repeatable flag). */
export function flagValue(args: ParsedArgs, name: string): string | undefined {
  return args.flags.get(name)?.at(-1);
}

export function flagValues(args: ParsedArgs, name: string): readonly string[] {
  return args.flags.get(name) ?? [];
}

export function hasFlag(args: ParsedArgs, name: string): boolean {
  return args.flags.has(name);
}

/** An integer flag such as `--batch 8`, at least `min`; `fallback` when absent. */
export function countFlag(args: ParsedArgs, name: string, fallback: number, min: number): number {
  const value = flagValue(args, name);
  if (value === undefined) return fallback;
  const n = /^\s*[+-]?\d+\s*$/.test(value) ? Number(value) : NaN;
  if (!Number.isSafeInteger(n) || n < min) throw new UsageError(`flag \`--${name}\` needs an integer of at least ${min}, got \`${value}\``, args.command);
  return n;
}

/** A flag whose value is one of `choices`. */
export function choiceFlag<T extends string>(args: ParsedArgs, name: string, choices: readonly T[], fallback: T): T {
  const value = flagValue(args, name);
  if (value === undefined) return fallback;
  if ((choices as readonly string[]).includes(value)) return value as T;
  const similar = closestName(value, choices);
  throw new UsageError(`flag \`--${name}\` must be one of ${choices.map((c) => `\`${c}\``).join(", ")}, got \`${value}\``, args.command,
    similar ? [`a value with a similar name exists: \`${similar}\``] : []);
}

const sizeUnits: Record<string, number> = { "": 1, B: 1, K: 2 ** 10, M: 2 ** 20, G: 2 ** 30, T: 2 ** 40 };

/** A size flag such as `--max-memory 8G` (K, M, G, T are powers of 1024; a bare number is bytes). */
export function sizeFlag(args: ParsedArgs, name: string): number | undefined {
  const value = flagValue(args, name);
  if (value === undefined) return undefined;
  const m = /^\s*(\d+(?:\.\d+)?)\s*([KMGT]?)(?:i?B)?\s*$/i.exec(value);
  const bytes = m ? Number(m[1]) * sizeUnits[m[2].toUpperCase()] : NaN;
  if (!(bytes > 0) || !Number.isFinite(bytes)) {
    throw new UsageError(`flag \`--${name}\` needs a size such as \`8G\`, \`512M\` or a number of bytes, got \`${value}\``, args.command);
  }
  return bytes;
}
