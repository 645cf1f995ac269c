// The commands of `vitc` and their flags: the one table that parsing (args.ts) checks against
// and that `vitc help` and `vitc <command> --help` print.

import type { CommandSpec, FlagSpec } from "./args";

const model: FlagSpec = { name: "model", value: "NAME", help: "the model to use when the file declares several" };
const backend: FlagSpec = {
  name: "backend", value: "NAME",
  help: "auto (default: the best that loads, saying what it skipped), onnxruntime, tensorflow, webgpu, wasm or cpu",
};
const weights: FlagSpec = { name: "weights", value: "FILE", help: "timm weights as safetensors (F32, F16 or BF16; timm's state_dict keys); default: seeded initialisation" };
const seed: FlagSpec = { name: "seed", value: "N", help: "seed of the initial weights and of the noise input (default 0)" };
const maxMemory: FlagSpec = {
  name: "max-memory", value: "SIZE",
  help: "refuse runs estimated to need more than this (e.g. 8G, 512M); default: this machine's memory",
};

export const commands: readonly CommandSpec[] = [
  {
    name: "check", summary: "check specs; exit 1 if any has an error", operands: "<files…>", minOperands: 1, maxOperands: Infinity,
    flags: [{ name: "format", value: "FORMAT", help: "`human` (default) or `json`: an array of diagnostics with LSP positions" }],
    misplacedFlags: { "--json": "`vitc check` prints JSON with `--format json`" },
  },
  {
    name: "summary", summary: "layers, shapes, parameter and MAC counts", operands: "<file>", minOperands: 1, maxOperands: 1,
    flags: [{ ...model, help: "only this model of the file" }, { name: "json", help: "print JSON: {\"models\": [{name, input, output, params, macs, layers}]}" }],
    misplacedFlags: { "--format": "`vitc summary` prints JSON with `--json`" },
  },
  {
    name: "run", summary: "one forward pass: output shape, time, top-5 classes", operands: "<file>", minOperands: 1, maxOperands: 1,
    flags: [
      model, weights,
      { name: "input", value: "FILE", help: "the input as safetensors: a tensor `input`, NCHW float32 [B, C, H, W]" },
      { name: "image", value: "PICTURE", repeatable: true, help: "a PNG or JPEG, preprocessed as timm evaluates the model; repeat for a batch" },
      { name: "crop-pct", value: "X", help: "with --image: the crop fraction in (0, 1] (default: the model's timm config)" },
      { name: "mean", value: "R,G,B", help: "with --image: the normalisation mean, one value or three" },
      { name: "std", value: "R,G,B", help: "with --image: the normalisation standard deviation, one value or three" },
      { name: "interpolation", value: "NAME", help: "with --image: the resize filter, bicubic, bilinear or nearest" },
      { name: "output", value: "FILE", help: "write `logits` and `features` as F32 safetensors" },
      backend, seed, maxMemory,
    ],
    misplacedFlags: {
      "--batch": "`vitc run` takes its batch from its input: repeat `--image`, or give `--input` a [B, C, H, W] tensor; `vitc bench` has `--batch`",
      "--json": "`vitc run` prints a report for people; `--output FILE` writes `logits` and `features` as safetensors, and `vitc bench --json` prints timings as JSON",
    },
  },
  {
    name: "bench", summary: "time forward passes after a warm-up", operands: "<file>", minOperands: 1, maxOperands: 1,
    flags: [
      model, weights, backend,
      { name: "batch", value: "N", help: "images per pass (default 1)" },
      { name: "runs", value: "N", help: "timed passes after one warm-up (default 10)" },
      seed, maxMemory,
      { name: "json", help: "print JSON: {model, backend, batch, runs_ms, median_ms}" },
    ],
    misplacedFlags: { "--format": "`vitc bench` prints JSON with `--json`" },
  },
  {
    name: "build", summary: "write each model as a standalone module: TypeScript on tfjs-core, or ONNX", operands: "<file>", minOperands: 1, maxOperands: 1,
    flags: [
      { name: "emit", value: "FORMAT", help: "`ts` (a TypeScript module importing only @tensorflow/tfjs-core) or `onnx`; required" },
      { name: "out-dir", short: "o", value: "DIR", help: "where `<model>.ts` or `<model>.onnx` is written (default `generated/`, made if missing)" },
      { ...model, help: "only this model of the file (default: every model)" },
      { ...weights, help: "with --emit onnx: timm weights as safetensors to embed (F32, F16 or BF16); default: seeded initialisation" },
      { ...seed, help: "with --emit onnx: seed of the initial weights (default 0)" },
      { name: "layout", value: "NAME", help: "with --emit onnx: `flat` (default, `<model>.onnx`) or `triton` (a model repository: `<model>/config.pbtxt`, `<model>/1/model.onnx`)" },
      { name: "ops", value: "SET", help: "with --emit onnx: `standard` (default: ONNX opset 17, loaded by every runtime) or `onnxruntime` (also ONNX Runtime's fused Attention kernel: faster there, loaded nowhere else)" },
    ],
  },
  {
    name: "lsp", summary: "the language server, speaking LSP over stdin and stdout", operands: "--stdio", minOperands: 0, maxOperands: 0,
    flags: [{ name: "stdio", help: "talk over stdin and stdout (the only transport, and the default)" }],
  },
  {
    name: "fmt", summary: "rewrite specs in the one canonical layout", operands: "<files…>", minOperands: 1, maxOperands: Infinity,
    flags: [{ name: "check", help: "change nothing; list the files that would change and exit 1 if any" }],
  },
];

export function findCommand(name: string): CommandSpec | undefined {
  return commands.find((c) => c.name === name);
}

/** `usage: vitc run <file> [flags]`, the one-line form shown after a usage error. */
export function usageLine(command: CommandSpec): string {
  return `usage: vitc ${command.name} ${command.operands}${command.flags.length > 0 ? " [flags]" : ""}`;
}

/** `vitc <command> --help`: the usage line, what it does, and each flag. */
export function commandHelp(command: CommandSpec): string {
  const flags = [...command.flags.map((f) => [`${f.short ? `-${f.short}, ` : ""}--${f.name}${f.value ? ` ${f.value}` : ""}${f.repeatable ? " …" : ""}`, f.help]), ["-h, --help", "this text"]];
  const width = Math.max(...flags.map(([left]) => left.length));
  return [
    usageLine(command),
    "",
    `${command.summary}.`,
    "",
    "flags:",
    ...flags.map(([left, text]) => `  ${left.padEnd(width)}  ${text}`),
  ].join("\n");
}

/** `vitc help`: every command in a line or two. */
export function generalHelp(version: string): string {
  const rows = commands.map((c) => [`vitc ${c.name} ${c.operands}`, c.summary]);
  const width = Math.max(...rows.map(([left]) => left.length));
  return [
    `vitc ${version}: compile, check and run vision-transformer specs (.vit)`,
    "",
    "usage:",
    ...rows.map(([left, text]) => `  ${left.padEnd(width)}  ${text}`),
    `  ${"vitc help [command]".padEnd(width)}  this text, or a command's flags (also \`vitc <command> --help\`)`,
    `  ${"vitc --version".padEnd(width)}  the version`,
  ].join("\n");
}
