// `vitc run` and `vitc bench` as users meet them: the real bin/vitc.js in a child process. Each
// kind of bad input (every V4xxx and V5xxx code) ends in one clear error with exit 1 and no
// stack trace, found before any backend loads where the input alone shows it; the output file is
// written whole or not at all, never over one of the command's inputs.

import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { PNG } from "pngjs";
import { afterAll, describe, expect, it } from "vitest";
import { dataConfigFor, readImageInput, resolveDataConfig } from "../../src/images/preprocess";
import { openSafetensors, writeSafetensors } from "../../src/weights/safetensors";
import { fixturesDir } from "../helpers/compile";
import { stackLine, vitc, type VitcResult } from "../helpers/vitc-process";

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "vitc-run-"));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

const fixture = (name: string, file: string) => path.join(fixturesDir, name, file);
const vitTinySpec = path.join(__dirname, "..", "parity", "vit_tiny.vit");

/** A small 1000-class ViT, so that runs print ImageNet classes without a 224 image. */
const small = path.join(tmp, "small.vit");
fs.writeFileSync(small, "use std.vit\nmodel small = vit(img_size: 32, patch_size: 8, embed_dim: 32, depth: 1, num_heads: 2)\n");

function expectError(r: VitcResult, code: string, text: string): void {
  expect(r.err).toContain(`error[${code}]`);
  expect(r.err).toContain(text);
  expect(r.code).toBe(1);
  expect(r.err).not.toMatch(stackLine);
  expect(r.err).not.toMatch(/internal error/);
}

function expectUsage(r: VitcResult, text: string): void {
  expect(r.err).toContain(text);
  expect(r.code).toBe(2);
  expect(r.err).not.toMatch(stackLine);
}

/** The fixture's weights with `change` applied to a copy of each tensor's values. */
function editedWeights(name: string, change: (key: string, values: Float32Array) => void): string {
  const file = path.join(tmp, `${name}.safetensors`);
  const weights = openSafetensors(fixture("vit_tiny", "weights.safetensors"));
  const tensors = [...weights.tensors.values()].map((t) => ({ name: t.name, shape: t.shape, data: weights.read(t.name) }));
  weights.close();
  for (const t of tensors) change(t.name, t.data);
  writeSafetensors(file, tensors);
  return file;
}

function writePng(name: string, width: number, height: number): string {
  const png = new PNG({ width, height });
  for (let i = 0; i < png.data.length; i++) png.data[i] = i % 4 === 3 ? 255 : (i * 7) % 256;
  const file = path.join(tmp, name);
  fs.writeFileSync(file, PNG.sync.write(png));
  return file;
}

const tempFiles = () => fs.readdirSync(tmp).filter((f) => f.endsWith(".tmp"));

describe("vitc run", () => {
  it("reproduces timm's logits and features for the vit_tiny fixture and writes them as safetensors", () => {
    const output = path.join(tmp, "out.safetensors");
    const r = vitc(["run", vitTinySpec, "--weights", fixture("vit_tiny", "weights.safetensors"), "--input", fixture("vit_tiny", "input.safetensors"), "--output", output, "--backend", "wasm"]);
    expect(r.err).toBe("");
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/backend\s+wasm/);
    expect(r.out).toContain("logits [2, 10]");
    expect(r.out).toMatch(/time\s+[\d.]+ ms/);
    expect(r.out).toContain("top-5 classes, image 1:");
    const written = openSafetensors(output);
    const expected = openSafetensors(fixture("vit_tiny", "output.safetensors"));
    expect([...written.tensors.keys()]).toEqual(["logits", "features"]);
    for (const name of ["logits", "features"]) {
      expect(written.tensors.get(name)!.shape).toEqual(expected.tensors.get(name)!.shape);
      const a = written.read(name);
      const b = expected.read(name);
      expect(Math.max(...a.map((v, i) => Math.abs(v - b[i])))).toBeLessThan(2e-4);
    }
    written.close();
    expected.close();
    expect(tempFiles()).toEqual([]);
  });

  it("prints the top-5 ImageNet classes with names for a 1000-class model, and is deterministic per seed", () => {
    const first = vitc(["run", small, "--backend", "cpu", "--seed", "3"]);
    expect(first.code).toBe(0);
    expect(first.out).toContain("top-5 ImageNet classes:");
    const lines = first.out.split("\n").filter((l) => /^\s+[\d.]+%\s+\d+\s+\S/.test(l));
    expect(lines).toHaveLength(5);
    const again = vitc(["run", small, "--backend", "cpu", "--seed", "3"]);
    expect(again.out.split("\n").filter((l) => /%/.test(l))).toEqual(first.out.split("\n").filter((l) => /%/.test(l)));
  });

  it("runs a PNG picture through the family's preprocessing", () => {
    const r = vitc(["run", small, "--image", writePng("picture.png", 40, 30), "--backend", "cpu"]);
    expect(r.err).toBe("");
    expect(r.code).toBe(0);
    expect(r.out).toContain("picture.png");
    expect(r.out).toContain("top-5 ImageNet classes:");
  });

  it("runs several pictures as one batch, with a top-5 each", () => {
    const r = vitc(["run", small, "--image", writePng("a.png", 40, 30), "--image", writePng("b.png", 20, 50), "--backend", "cpu"]);
    expect(r.err).toBe("");
    expect(r.code).toBe(0);
    expect(r.out).toContain("logits [2, 1000]");
    expect(r.out).toMatch(/top-5 ImageNet classes, image 0 \(.*a\.png\):/);
    expect(r.out).toMatch(/top-5 ImageNet classes, image 1 \(.*b\.png\):/);
  });

  it("prints nothing of Dawn's own: `auto` asks for an adapter in a child process and reports why it skipped webgpu", () => {
    // With Dawn flags set, `auto` always loads Dawn (no shortcut for a missing Vulkan loader).
    // Dawn and the drivers print warnings straight to stderr ("XDG_RUNTIME_DIR is invalid",
    // "Warning: Vulkan …", "Couldn't load Vulkan"); none may reach the user.
    const r = vitc(["run", small], { env: { VITC_WEBGPU_FLAGS: "backend=vulkan" } });
    expect(r.err).toBe("");
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/skipped webgpu: .+/);
  });

  it("applies --crop-pct, --mean, --std and --interpolation, and says where each value came from", () => {
    const picture = writePng("flags.png", 50, 40);
    const output = path.join(tmp, "flags.safetensors");
    const r = vitc(["run", small, "--image", picture, "--crop-pct", "0.5", "--mean", "0.1,0.2,0.3", "--std", "0.5", "--interpolation", "bilinear", "--backend", "cpu", "--output", output]);
    expect(r.err).toBe("");
    expect(r.code).toBe(0);
    expect(r.out).toContain("bilinear (--interpolation), crop_pct 0.5 (--crop-pct), mean (0.1, 0.2, 0.3) (--mean), std 0.5 (--std)");
    // The same values through --input give the same logits: the flags reached the preprocessing.
    const config = resolveDataConfig(dataConfigFor("vit", "small", [32, 32]), { cropPct: 0.5, mean: [0.1, 0.2, 0.3], std: 0.5, interpolation: "bilinear" });
    if (!config.ok) throw new Error("the config is valid");
    const input = path.join(tmp, "flags-input.safetensors");
    writeSafetensors(input, [{ name: "input", shape: [1, 3, 32, 32], data: readImageInput(picture, config.config).values }]);
    const viaInput = path.join(tmp, "flags-via-input.safetensors");
    expect(vitc(["run", small, "--input", input, "--backend", "cpu", "--output", viaInput]).code).toBe(0);
    expect(openSafetensors(output).read("logits")).toEqual(openSafetensors(viaInput).read("logits"));
    const defaults = vitc(["run", small, "--image", picture, "--backend", "cpu"]);
    expect(defaults.out).toContain("bicubic, crop_pct 0.9, mean 0.5, std 0.5 (`small` is not a timm model vitc knows; `vit` family default");
  });

  it("says which model of a file it runs only when asked: several models need --model", () => {
    const two = path.join(tmp, "two.vit");
    fs.writeFileSync(two, "use std.vit\nmodel a = vit(img_size: 32, patch_size: 8, embed_dim: 32, depth: 1, num_heads: 2, num_classes: 0)\nmodel b = vit(img_size: 32, patch_size: 8, embed_dim: 32, depth: 1, num_heads: 2)\n");
    const r = vitc(["run", two, "--backend", "cpu"]);
    expectUsage(r, "declares 2 models: choose one with `--model`");
    expect(r.err).toContain("the models are `a`, `b`");
    expect(r.out).toBe("");
    const chosen = vitc(["run", two, "--model", "b", "--backend", "cpu"]);
    expect(chosen.code).toBe(0);
    expect(chosen.out).toContain("model    b");
    expect(chosen.out).toContain("logits [1, 1000]");
  });
});

describe("vitc run: each bad input is one coded error, before any backend loads", () => {
  // TFJS_BACKENDS=nonsense makes loading any backend fail: an input error must come first.
  const noBackend = { TFJS_BACKENDS: "nonsense" };

  it("V4001 a missing weight file", () => {
    expectError(vitc(["run", small, "--weights", path.join(tmp, "nope.safetensors")], { env: noBackend }), "V4001", "nope.safetensors`: no such file");
  });

  it("V4001 a truncated weight file", () => {
    const cut = path.join(tmp, "cut.safetensors");
    fs.writeFileSync(cut, fs.readFileSync(fixture("vit_tiny", "weights.safetensors")).subarray(0, 5000));
    expectError(vitc(["run", vitTinySpec, "--weights", cut], { env: noBackend }), "V4001", "cut.safetensors");
  });

  it("V4002 weights of another model: every mismatch by name, with both shapes", () => {
    const r = vitc(["run", vitTinySpec, "--weights", fixture("swin_tiny", "weights.safetensors")], { env: noBackend });
    expectError(r, "V4002", "does not fit model `vit_tiny`");
    expect(r.err).toContain("missing `cls_token`: the model needs [1, 1, 64]");
    expect(r.err).toMatch(/unexpected `layers\.0\.blocks\.0\.attn\.relative_position_bias_table` \[49, 2\]/);
  });

  it("V4002 mis-shaped weights name both shapes", () => {
    const file = path.join(tmp, "head.safetensors");
    const weights = openSafetensors(fixture("vit_tiny", "weights.safetensors"));
    const tensors = [...weights.tensors.values()].map((t) => ({ name: t.name, shape: t.shape, data: weights.read(t.name) }));
    weights.close();
    const head = tensors.find((t) => t.name === "head.weight")!;
    Object.assign(head, { shape: [5, 128], data: head.data.subarray(0, 640) });
    writeSafetensors(file, tensors);
    expectError(vitc(["run", vitTinySpec, "--weights", file], { env: noBackend }), "V4002", "`head.weight` is [5, 128] in the file, the model needs [10, 64]");
  });

  it("V4003 an input of the wrong shape names both shapes", () => {
    expectError(vitc(["run", vitTinySpec, "--input", fixture("mobilevit_tiny", "input.safetensors")], { env: noBackend }), "V4003", "the input is [2, 3, 64, 64], but model `vit_tiny` takes [B, 3, 32, 32]");
  });

  it("V4003 an input file without a tensor named `input`", () => {
    expectError(vitc(["run", vitTinySpec, "--input", fixture("vit_tiny", "output.safetensors")], { env: noBackend }), "V4003", "has no tensor named `input`");
  });

  it("V4004 an image that is not a picture", () => {
    const file = path.join(tmp, "not-an-image.png");
    fs.writeFileSync(file, "hello");
    expectError(vitc(["run", small, "--image", file], { env: noBackend }), "V4004", "not-an-image.png");
  });

  it("V4004 the second of two images is missing", () => {
    expectError(vitc(["run", small, "--image", writePng("ok.png", 8, 8), "--image", path.join(tmp, "gone.png")], { env: noBackend }), "V4004", "gone.png");
  });

  it("V4005 an output in a missing directory leaves no file behind", () => {
    const output = path.join(tmp, "missing-dir", "out.safetensors");
    expectError(vitc(["run", small, "--output", output], { env: noBackend }), "V4005", "missing-dir");
    expect(fs.existsSync(path.dirname(output))).toBe(false);
  });

  it("V4005 an --output that is one of the inputs is refused, by identity (a hard link too), and the file is unchanged", () => {
    // Copies, so the fixtures themselves are never at risk.
    const dir = fs.mkdtempSync(path.join(tmp, "same-"));
    const copy = (file: string) => { const to = path.join(dir, path.basename(file)); fs.copyFileSync(file, to); return to; };
    const spec = copy(vitTinySpec);
    const weights = copy(fixture("vit_tiny", "weights.safetensors"));
    const input = copy(fixture("vit_tiny", "input.safetensors"));
    for (const [victim, role] of [[weights, "the `--weights` file"], [input, "the `--input` file"], [spec, "the spec"]]) {
      const link = path.join(dir, `link-to-${path.basename(victim)}`);
      fs.linkSync(victim, link);
      const before = fs.readFileSync(victim);
      for (const target of [victim, link]) {
        const r = vitc(["run", spec, "--weights", weights, "--input", input, "--output", target, "--backend", "cpu"]);
        expectError(r, "V4005", `it is ${role}`);
      }
      expect(fs.readFileSync(victim)).toEqual(before);
    }
  });

  it("V4005 an --output that is a module the spec uses is refused", () => {
    const dir = fs.mkdtempSync(path.join(tmp, "module-"));
    fs.writeFileSync(path.join(dir, "lib.vit"), "## A tiny trunk.\nblock trunk(dim: int) {\n  input [B, 3, 32, 32]\n  patch: conv2d(out: dim, kernel: 8, stride: 8)\n  flatten_tokens()\n  head: linear(out: 10)\n}\n");
    fs.writeFileSync(path.join(dir, "main.vit"), "use \"lib.vit\"\nmodel m = trunk(dim: 16)\n");
    const before = fs.readFileSync(path.join(dir, "lib.vit"));
    expectError(vitc(["run", "main.vit", "--output", "lib.vit"], { cwd: dir, env: noBackend }), "V4005", "it is a module the spec uses (`lib.vit`)");
    expect(fs.readFileSync(path.join(dir, "lib.vit"))).toEqual(before);
  });

  it("V4005 an --output that is a symbolic link or a device is refused", () => {
    const target = path.join(tmp, "pointed-at.safetensors");
    fs.writeFileSync(target, "keep me");
    const link = path.join(tmp, "a-link.safetensors");
    fs.symlinkSync(target, link);
    expectError(vitc(["run", small, "--output", link], { env: noBackend }), "V4005", "symbolic link");
    expect(fs.readFileSync(target, "utf8")).toBe("keep me");
    expectError(vitc(["run", small, "--output", "/dev/null"], { env: noBackend }), "V4005", "not a regular file");
  });

  it("writes through an exclusively created temporary file: a planted file at the old predictable name is untouched", () => {
    const output = path.join(tmp, "planted.safetensors");
    const victim = path.join(tmp, "victim.txt");
    fs.writeFileSync(victim, "precious");
    for (let pid = 1; pid < 5; pid++) fs.symlinkSync(victim, `${output}.${pid}.tmp`);
    const r = vitc(["run", small, "--output", output, "--backend", "cpu"]);
    expect(r.code).toBe(0);
    expect(fs.readFileSync(victim, "utf8")).toBe("precious");
    expect(openSafetensors(output).tensors.has("logits")).toBe(true);
  });

  it("V4006 weights with NaN or infinite values are named", () => {
    const file = editedWeights("nan", (key, v) => {
      if (key === "blocks.0.attn.qkv.weight") v[3] = NaN;
      if (key === "head.bias") v.fill(Infinity);
    });
    const r = vitc(["run", vitTinySpec, "--weights", file, "--backend", "cpu"]);
    expectError(r, "V4006", "has 2 tensors with NaN or infinite values");
    expect(r.err).toContain("`blocks.0.attn.qkv.weight`: 1 of 12288 values are NaN or infinite");
    expect(r.err).toContain("`head.bias`: 10 of 10 values");
    expect(r.out).not.toContain("%");
  });

  it("V4006 an input with infinite values", () => {
    const file = path.join(tmp, "inf-input.safetensors");
    const input = openSafetensors(fixture("vit_tiny", "input.safetensors"));
    const values = input.read("input");
    values[7] = -Infinity;
    writeSafetensors(file, [{ name: "input", shape: input.tensors.get("input")!.shape, data: values }]);
    input.close();
    expectError(vitc(["run", vitTinySpec, "--input", file], { env: noBackend }), "V4006", "`input`: 1 of 6144 values");
  });

  it("V5001 an unknown backend is a usage error; a backend that is not installed is an error, not a silent fallback", () => {
    const unknown = vitc(["run", small, "--backend", "wsam"]);
    expectUsage(unknown, "flag `--backend` must be one of `auto`, `onnxruntime`, `tensorflow`, `webgpu`, `wasm`, `cpu`, got `wsam`");
    expect(unknown.err).toContain("help: a value with a similar name exists: `wasm`");
    expectError(vitc(["run", small, "--backend", "tensorflow"]), "V5001", "backend `tensorflow` cannot be loaded: neither `@tensorflow/tfjs-node-gpu` nor `@tensorflow/tfjs-node` is installed");
  });

  it("V5001 an unknown name in TFJS_BACKENDS", () => {
    expectError(vitc(["run", small], { env: noBackend }), "V5001", "`TFJS_BACKENDS` names an unknown backend `nonsense`");
  });

  it("V5003 a model too large for the machine is refused before a byte is allocated", () => {
    const huge = path.join(tmp, "huge.vit");
    fs.writeFileSync(huge, "use std.vit\nmodel huge = vit(img_size: 224, patch_size: 16, embed_dim: 16384, depth: 96, num_heads: 128, mlp_ratio: 64.0)\n");
    const r = vitc(["run", huge], { env: noBackend });
    expectError(r, "V5003", "running `huge` needs about");
    expect(r.err).toMatch(/more than the [\d.]+ [MGT]B this machine has/);
    expect(r.err).toContain("TB of weights");
    const limited = vitc(["run", small, "--max-memory", "64K", "--backend", "cpu"]);
    expectError(limited, "V5003", "more than the 64.0 KB allowed by `--max-memory`");
  });

  it("V5004 outputs that overflow to infinity print no ranking", () => {
    const file = editedWeights("overflow", (key, v) => { if (key === "head.weight") v.fill(3e38); });
    const r = vitc(["run", vitTinySpec, "--weights", file, "--backend", "cpu", "--output", path.join(tmp, "never.safetensors")]);
    expectError(r, "V5004", "`vit_tiny` computed NaN or infinite values on `cpu`");
    expect(r.out).not.toMatch(/%/);
    expect(fs.existsSync(path.join(tmp, "never.safetensors"))).toBe(false);
  });

  it("a spec with errors reports them and runs nothing", () => {
    const bad = path.join(tmp, "bad.vit");
    fs.writeFileSync(bad, "use std.vit\nmodel bad = vit(img_size: 30, patch_size: 8)\n");
    const r = vitc(["run", bad, "--backend", "cpu"]);
    expect(r.code).toBe(1);
    expect(r.err).toContain("error[V3101]");
    expect(r.out).toBe("");
  });
});

describe("vitc run and bench: usage errors, exit 2", () => {
  it.each([["-1"], ["1.5"], ["abc"], ["1e3"], [""]])("a bad --seed value: %j", (value) => {
    expectUsage(vitc(["run", small, "--seed", value, "--backend", "cpu"]), `vitc run: flag \`--seed\` needs an integer of at least 0, got \`${value}\``);
  });

  it.each([
    ["an unknown flag, with the closest one", ["run", "x.vit", "--wieghts", "w.safetensors"], "unknown flag `--wieghts`", "a flag with a similar name exists: `--weights`"],
    ["a flag of another command", ["run", "x.vit", "--batch", "8"], "unknown flag `--batch`", ""],
    ["a flag given twice", ["run", "x.vit", "--seed", "1", "--seed", "2"], "flag `--seed` is given twice (`1` and `2`)", ""],
    ["a flag where a value belongs", ["run", "x.vit", "--output", "--seed", "3"], "flag `--output` needs a value (FILE), got the flag `--seed`", "written `--output=--seed`"],
    ["a value at the end", ["run", "x.vit", "--weights"], "flag `--weights` needs a value (FILE)", ""],
    ["both --input and --image", ["run", small, "--input", "i.safetensors", "--image", "p.png"], "give either `--input` or `--image`, not both", ""],
    ["a bad --max-memory", ["run", small, "--max-memory", "lots"], "flag `--max-memory` needs a size such as `8G`", ""],
    ["a crop fraction above 1", ["run", small, "--image", "p.png", "--crop-pct", "1.5"], "`--crop-pct` 1.5 is outside (0, 1]", "0.875 is timm's default"],
    ["two means, and every bad value reported", ["run", small, "--image", "p.png", "--mean", "1,2", "--std", "0"], "`--mean` takes 1 or 3 numbers", "`--std`"],
    ["a filter timm has but vitc cannot match exactly", ["run", small, "--image", "p.png", "--interpolation", "lanczos"], "--interpolation", "bicubic"],
    ["a preprocessing flag without --image", ["run", small, "--std", "0.5"], "`--std` sets how `--image` pictures are preprocessed, and no `--image` is given", ""],
    ["two files", ["run", "a.vit", "b.vit"], "`vitc run` takes one file, got also `b.vit`", ""],
    ["no file", ["bench"], "give the spec file", ""],
    ["a batch of 0", ["bench", small, "--batch", "0"], "flag `--batch` needs an integer of at least 1, got `0`", ""],
    ["a run count of 0", ["bench", small, "--runs", "0"], "flag `--runs` needs an integer of at least 1, got `0`", ""],
  ])("%s", (_, argv, message, help) => {
    const r = vitc(argv);
    expectUsage(r, message);
    if (help) expect(r.err).toContain(help);
    expect(r.err).toMatch(/usage: vitc (run|bench) <file> \[flags\]/);
  });
});

describe("vitc bench", () => {
  it("--json has the fixed fields", () => {
    const r = vitc(["bench", small, "--backend", "cpu", "--batch", "2", "--runs", "3", "--json"]);
    expect(r.code).toBe(0);
    const json = JSON.parse(r.out) as Record<string, unknown>;
    expect(Object.keys(json)).toEqual(["model", "backend", "batch", "runs_ms", "median_ms"]);
    expect(json).toMatchObject({ model: "small", backend: "cpu", batch: 2 });
    expect(json.runs_ms).toHaveLength(3);
    expect(typeof json.median_ms).toBe("number");
  });

  it("reports a missing weight file, like run", () => {
    expectError(vitc(["bench", small, "--weights", path.join(tmp, "nope.safetensors")]), "V4001", "no such file");
  });
});
