// Loads a tfjs backend by name (or the best one that loads, for `auto`) and makes it the active
// one. Invariants: tfjs-core is required once, lazily, on the first call (so commands that never
// run a model never pay for it), and every result carries that same module object; each backend
// package registers once per process, so later calls only switch with `setBackend`; nothing here
// prints, because the CLI says what ran. A backend that cannot load is a ToolError V5001 that
// says why and how to fix it.
//
// Longer than the usual 300 lines: the four loaders and `auto` share the error and activation
// helpers, and only the webgpu loader has much to it (it follows the recipe measured in the
// team notes, shared/notes/gpu-backends.md; the adapter probe is in webgpu-probe.ts).

import { existsSync } from "node:fs";
import * as path from "node:path";
import { pathToFileURL } from "node:url";
import { errorFirstLine, ToolError } from "../../diagnostics/tool-error";
import type { Tensor, Tf } from "./kernel";
import { describeAdapter, isSoftware, probeWebgpu } from "./webgpu-probe";

export type { Tf } from "./kernel";
export type BackendName = "tensorflow" | "webgpu" | "wasm" | "cpu";
export type BackendRequest = "auto" | BackendName;

export const backendNames: readonly BackendName[] = ["tensorflow", "webgpu", "wasm", "cpu"];
export const backendRequests: readonly BackendRequest[] = ["auto", ...backendNames];

export interface LoadedBackend {
  /** The one tfjs-core instance (the same module object every time). */
  readonly tf: Tf;
  /** What actually runs. */
  readonly name: BackendName;
  /** For people: "wasm (XNNPACK, SIMD, 1 thread)", "cpu", "webgpu: <adapter>", "tensorflow: GPU (…)". */
  readonly device: string;
  /** Whether the work runs on a real GPU (not a software rasteriser such as llvmpipe). */
  readonly gpu: boolean;
  /** For `auto`: the backends tried before this one, each with why it was skipped. Empty otherwise. */
  readonly skipped: readonly { name: BackendName; reason: string }[];
  /**
   * The largest tensor the backend can hold, where it has such a limit: WebGPU binds each tensor
   * as one storage buffer, and one past `maxStorageBufferBindingSize` fails validation while
   * tfjs carries on and returns garbage.
   */
  readonly maxTensorBytes?: number;
}

export interface LoadBackendOptions {
  /** Where TFJS_BACKENDS, VITC_WEBGPU_FLAGS, VITC_WEBGPU_FEATURE_LEVEL and EGL_PLATFORM are read. */
  readonly env?: NodeJS.ProcessEnv;
  /**
   * For `auto` without TFJS_BACKENDS: only the steps of the default order that want a GPU, or
   * only the others (another runtime goes between them; backends/runner.ts). Default: all.
   */
  readonly steps?: "gpu" | "cpu";
}

/** `auto` found nothing to load; `skipped` says what it tried and why each failed. */
export class NoBackendLoaded extends ToolError {
  constructor(readonly skipped: readonly { name: BackendName; reason: string }[], notes: readonly string[], help: readonly string[]) {
    super("V5001", "no backend in the `auto` order could be loaded", { notes, help });
  }
}

type Loaded = Pick<LoadedBackend, "name" | "device" | "gpu" | "maxTensorBytes">;
/** `gpuOnly`: the caller takes the backend only on a real GPU, so a loader may stop short of activating it otherwise. */
type Loader = (tf: Tf, env: NodeJS.ProcessEnv, options?: { gpuOnly?: boolean }) => Promise<Loaded>;

/**
 * Loads and activates a backend (tf.setBackend + tf.ready). `auto` tries the order in env
 * TFJS_BACKENDS (a comma list of backend names) or the default order below, and says in
 * `skipped` what it passed over and why.
 */
export async function loadBackend(request: BackendRequest, options: LoadBackendOptions = {}): Promise<LoadedBackend> {
  const env = options.env ?? process.env;
  if (!(backendRequests as readonly string[]).includes(request)) {
    throw new ToolError("V5001", `unknown backend \`${request}\``, { help: [`the backends are ${listNames(backendRequests)}`] });
  }
  const tf = requireCore();
  if (request === "auto") return loadFirstAvailable(tf, env, options.steps);
  return { tf, ...(await loaders[request](tf, env)), skipped: [] };
}

/** Reads a tensor's values on any backend (webgpu cannot read synchronously in Node). */
export async function readTensor(t: Tensor): Promise<Float32Array> {
  // A copy: the cpu backend's data() hands out the tensor's own storage.
  return new Float32Array(await t.data());
}

/**
 * Makes the webgpu backend run every kernel on the GPU. By default tfjs computes ops on small
 * tensors on the CPU (WEBGPU_CPU_FORWARD), which is right for speed but lets a test pass without
 * exercising the GPU. Call after `loadBackend("webgpu")`: the flag exists only once it has loaded.
 */
export function forceGpuKernels(tf: Tf): void {
  tf.env().set("WEBGPU_CPU_FORWARD", false);
}

// ---- auto --------------------------------------------------------------------------------------

interface Attempt {
  readonly name: BackendName;
  /** Take this backend only if it runs on a GPU; otherwise note it and go on. */
  readonly gpuOnly: boolean;
}

// A GPU beats every CPU path, so tensorflow and webgpu come first, each taken only if it runs on
// a real GPU. webgpu on a software renderer is never taken (on llvmpipe a 512² matMul takes 58 ms
// against 6.6 ms on wasm). Then tensorflow on the CPU: libtensorflow is native and uses every
// core, while wasm runs one thread (about 44 GFLOP/s). wasm beats cpu by about 40 times; cpu is
// the fallback that always loads.
const defaultOrder: readonly Attempt[] = [
  { name: "tensorflow", gpuOnly: true },
  { name: "webgpu", gpuOnly: true },
  { name: "tensorflow", gpuOnly: false },
  { name: "wasm", gpuOnly: false },
  { name: "cpu", gpuOnly: false },
];

async function loadFirstAvailable(tf: Tf, env: NodeJS.ProcessEnv, steps?: "gpu" | "cpu"): Promise<LoadedBackend> {
  const skipped: { name: BackendName; reason: string }[] = [];
  /** The full message of each failure, for the error when nothing loads. */
  const failures: string[] = [];
  const failed = new Set<BackendName>();
  const attempts = attemptsFromEnv(env).filter((a) => steps === undefined || a.gpuOnly === (steps === "gpu"));
  for (const attempt of attempts) {
    // A second try matters only for a backend that loaded but had no GPU the first time.
    if (failed.has(attempt.name)) continue;
    try {
      const loaded = await loaders[attempt.name](tf, env, { gpuOnly: attempt.gpuOnly });
      if (!attempt.gpuOnly || loaded.gpu) return { tf, ...loaded, skipped };
      const reason = `it runs on no GPU (\`${loaded.device}\`), and this step of the order wants one`;
      skipped.push({ name: attempt.name, reason });
      failures.push(`\`${attempt.name}\`: ${reason}`);
    } catch (err) {
      if (!(err instanceof ToolError)) throw err;
      failed.add(attempt.name);
      skipped.push({ name: attempt.name, reason: err instanceof BackendUnavailable ? err.why : err.message });
      failures.push(`\`${attempt.name}\`: ${err.message}`);
    }
  }
  // Only reachable when TFJS_BACKENDS leaves out `cpu`, the installation is broken, or only the GPU steps were asked for.
  throw new NoBackendLoaded(skipped, failures, ["add `cpu` to `TFJS_BACKENDS`, or leave `TFJS_BACKENDS` unset for the default order"]);
}

/**
 * Why Dawn's default (Vulkan) backend cannot find a GPU here, when that is plain without
 * loading Dawn: on Linux with no Dawn flags set, no libvulkan.so.1 in the usual places.
 */
function missingVulkanLoader(env: NodeJS.ProcessEnv): string | undefined {
  if (process.platform !== "linux" || splitList(env.VITC_WEBGPU_FLAGS).length > 0) return undefined;
  const dirs = [...splitList(env.LD_LIBRARY_PATH?.replace(/:/g, ",")), "/usr/lib/x86_64-linux-gnu", "/usr/lib/aarch64-linux-gnu", "/usr/lib64", "/usr/lib", "/lib/x86_64-linux-gnu", "/usr/local/lib"];
  if (dirs.some((d) => existsSync(path.join(d, "libvulkan.so.1")))) return undefined;
  return "no Vulkan loader (libvulkan.so.1) is installed, so Dawn can find no GPU";
}

function attemptsFromEnv(env: NodeJS.ProcessEnv): readonly Attempt[] {
  const entries = splitList(env.TFJS_BACKENDS);
  if (entries.length === 0) return defaultOrder;
  return entries.map((entry) => {
    if (!isBackendName(entry)) {
      throw new ToolError("V5001", `\`TFJS_BACKENDS\` names an unknown backend \`${entry}\``, {
        notes: [`\`TFJS_BACKENDS\` is \`${env.TFJS_BACKENDS}\``],
        help: [`list some of ${listNames(backendNames)}, separated by commas, e.g. \`TFJS_BACKENDS=webgpu,wasm\``],
      });
    }
    return { name: entry, gpuOnly: false };
  });
}

// ---- shared helpers ----------------------------------------------------------------------------

let core: Tf | undefined;

function requireCore(): Tf {
  core ??= require("@tensorflow/tfjs-core") as Tf;
  return core;
}

/** The backend this module last activated, to switch back to if activating another one fails. */
let active: BackendName | undefined;

/**
 * Runs `tf.setBackend(name)` and `tf.ready()`. tfjs reports a failed initialisation only by
 * resolving false after a console.warn of the error, so the factory is wrapped for the duration to
 * keep the error for our message, and PROD mode (which in tfjs-core 4.22 only silences warnings)
 * keeps the console quiet.
 */
async function activate(tf: Tf, name: BackendName, help: readonly string[]): Promise<void> {
  const engine = tf.engine();
  const entry = engine.registryFactory[name];
  if (entry === undefined) throw cannotLoad(name, "its package registered no backend with this tfjs-core", help);
  const factory = entry.factory;
  let failure: unknown;
  entry.factory = async () => {
    try {
      return await factory();
    } catch (err) {
      failure = err;
      throw err;
    }
  };
  const prod = tf.env().getBool("PROD");
  tf.env().set("PROD", true);
  try {
    if (await tf.setBackend(name)) {
      await tf.ready();
      active = name;
      return;
    }
    if (active !== undefined && active in engine.registry) await tf.setBackend(active);
  } finally {
    entry.factory = factory;
    tf.env().set("PROD", prod);
  }
  throw cannotLoad(name, `its initialisation failed${failure === undefined ? "" : `: ${errorFirstLine(failure)}`}`, help);
}

/** A V5001 that keeps its reason apart, for `auto` to list what it skipped and why. */
class BackendUnavailable extends ToolError {
  constructor(readonly why: string, message: string, details: ToolError["details"]) {
    super("V5001", message, details);
  }
}

function cannotLoad(name: BackendName, why: string, help: readonly string[], notes: readonly string[] = []): ToolError {
  return new BackendUnavailable(why, `backend \`${name}\` cannot be loaded: ${why}`, { notes, help });
}

/** `require(id)`, or a ToolError saying whether the package is missing or broken. */
function requirePackage(id: string, backend: BackendName, help: readonly string[]): unknown {
  try {
    return require(id);
  } catch (err) {
    throw cannotLoad(backend, isMissing(err, id) ? `\`${id}\` is not installed` : `\`${id}\` failed to load: ${errorFirstLine(err)}`, help);
  }
}

function isMissing(err: unknown, id: string): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return (code === "MODULE_NOT_FOUND" || code === "ERR_MODULE_NOT_FOUND") && String((err as Error).message).includes(id);
}

/** Whether a package can be resolved from here (installed), without loading it. */
export function isInstalled(id: string): boolean {
  try {
    require.resolve(id);
    return true;
  } catch {
    return false;
  }
}

function isBackendName(text: string): text is BackendName {
  return (backendNames as readonly string[]).includes(text);
}

function splitList(text: string | undefined): string[] {
  return (text ?? "").split(",").map((s) => s.trim()).filter((s) => s !== "");
}

function listNames(names: readonly string[]): string {
  return names.map((n) => `\`${n}\``).join(", ");
}

// ---- cpu and wasm ------------------------------------------------------------------------------

async function loadCpu(tf: Tf): Promise<Loaded> {
  const help = ["reinstall vitc's dependencies with `npm install`"];
  requirePackage("@tensorflow/tfjs-backend-cpu", "cpu", help);
  await activate(tf, "cpu", help);
  // On its first tensor the cpu backend console.warns "Hi, looks like you are running
  // TensorFlow.js in Node.js…" unless IS_TEST or PROD is set for good (IS_TEST also turns on
  // leak checks in every kernel), so this one instance is marked as having warned already.
  (tf.findBackend("cpu") as unknown as { firstUse?: boolean }).firstUse = false;
  return { name: "cpu", device: "cpu", gpu: false };
}

async function loadWasm(tf: Tf): Promise<Loaded> {
  const help = ["reinstall vitc's dependencies with `npm install`"];
  const wasm = requirePackage("@tensorflow/tfjs-backend-wasm", "wasm", help) as typeof import("@tensorflow/tfjs-backend-wasm");
  // No setWasmPaths: in Node, Emscripten looks for the .wasm files beside the package's
  // dist/tf-backend-wasm.node.js (its __dirname), which is where npm puts them. A missing one is
  // named here rather than as tfjs's advice about web servers.
  const dist = path.dirname(require.resolve("@tensorflow/tfjs-backend-wasm"));
  const missing = ["tfjs-backend-wasm.wasm", "tfjs-backend-wasm-simd.wasm"].filter((f) => !existsSync(path.join(dist, f)));
  if (missing.length > 0) throw cannotLoad("wasm", `\`${missing[0]}\` is missing from \`${dist}\``, help);
  await activate(tf, "wasm", help);
  const simd = await tf.env().getAsync("WASM_HAS_SIMD_SUPPORT");
  // Threads: tfjs 4.22 turns them off in Node (tfjs#3830), so this reads 1 today.
  const threads = wasm.getThreadsCount();
  const device = `wasm (XNNPACK, ${simd ? "SIMD" : "no SIMD"}, ${threads} thread${threads === 1 ? "" : "s"})`;
  return { name: "wasm", device, gpu: false };
}

// ---- tensorflow (tfjs-node-gpu / tfjs-node) ----------------------------------------------------

const tensorflowPackages = ["@tensorflow/tfjs-node-gpu", "@tensorflow/tfjs-node"] as const;

const tensorflowHelp = [
  "for NVIDIA GPUs: `npm install @tensorflow/tfjs-node-gpu@4.22.0` on Linux x64 with CUDA 11.2 and cuDNN 8.1 (its install script downloads libtensorflow 2.9.1 built for them)",
  "for the CPU build: `npm install @tensorflow/tfjs-node@4.22.0`",
  "keep every `@tensorflow/*` package at 4.22.0 so that they share one tfjs-core",
];

async function loadTensorflow(tf: Tf): Promise<Loaded> {
  const installed = tensorflowPackages.filter((id) => isInstalled(id));
  if (installed.length === 0) {
    throw cannotLoad("tensorflow", "neither `@tensorflow/tfjs-node-gpu` nor `@tensorflow/tfjs-node` is installed", tensorflowHelp);
  }
  // libtensorflow logs INFO lines (CPU features, devices created) to stderr as it loads; the CLI
  // says what runs. A setting of the user's own wins.
  process.env.TF_CPP_MIN_LOG_LEVEL ??= "1";
  const problems: string[] = [];
  for (const id of installed) {
    const otherCore = otherCoreSeenBy(id);
    if (otherCore !== undefined) {
      problems.push(`\`${id}\` uses another copy of tfjs-core (\`${otherCore}\`), so its backend would register with another engine`);
      continue;
    }
    try {
      require(id); // Registers `tensorflow` and makes it the active backend.
    } catch (err) {
      problems.push(`\`${id}\` failed to load: ${errorFirstLine(err)}`);
      continue;
    }
    await activate(tf, "tensorflow", tensorflowHelp);
    // tfjs-node's backend says whether libtensorflow placed its ops on a GPU; tfjs-node-gpu on a
    // machine without a usable CUDA runs on the CPU and says false.
    const gpu = (tf.backend() as unknown as { isUsingGpuDevice?: boolean }).isUsingGpuDevice === true;
    return { name: "tensorflow", device: `tensorflow: ${gpu ? "GPU" : "CPU"} (${id})`, gpu };
  }
  throw cannotLoad("tensorflow", problems[0], tensorflowHelp, problems.slice(1));
}

/**
 * The tfjs-core file that `id` (or the @tensorflow/tfjs it depends on) would load, if it is not
 * ours. A second copy would make tfjs-node register `tensorflow` in its own engine, invisible here.
 */
function otherCoreSeenBy(id: string): string | undefined {
  const ours = require.resolve("@tensorflow/tfjs-core");
  const dirs = [packageDir(id)];
  const union = resolveFrom("@tensorflow/tfjs/package.json", dirs[0]);
  if (union !== undefined) dirs.push(path.dirname(union));
  for (const dir of dirs) {
    const theirs = resolveFrom("@tensorflow/tfjs-core", dir);
    if (theirs !== undefined && theirs !== ours) return theirs;
  }
  return undefined;
}

function packageDir(id: string): string {
  return path.dirname(resolveFrom(`${id}/package.json`, process.cwd()) ?? require.resolve(id));
}

function resolveFrom(id: string, dir: string): string | undefined {
  try {
    return require.resolve(id, { paths: [dir] });
  } catch {
    return undefined;
  }
}

// ---- webgpu (Dawn through the `webgpu` package) ------------------------------------------------

interface DawnModule {
  create(flags: string[]): DawnGpu;
  globals: Record<string, unknown>;
}
interface DawnGpu {
  requestAdapter(options?: Record<string, unknown>): Promise<DawnAdapter | null>;
}
interface DawnAdapter {
  readonly info: { vendor: string; architecture: string; device: string; description: string; isFallbackAdapter?: boolean };
}

const webgpuHelp = [
  "the `webgpu` package (Dawn) is an optional dependency of vitc: `npm install webgpu@0.6.2` adds it",
  "on Linux without a GPU, set `VITC_WEBGPU_FLAGS=backend=opengles` and `EGL_PLATFORM=surfaceless` to run on Mesa's llvmpipe (needs libegl-dev, libegl-mesa0 and libgl1-mesa-dri)",
  "on NVIDIA machines Dawn uses Vulkan: it needs `libvulkan.so.1` and the driver's Vulkan ICD (`VK_DRIVER_FILES`)",
];

// `webgpu` is ESM-only. Node 20.19 and later load ES modules with require(), which works the
// same from the CLI's bundle (compiled by vm, where a dynamic import() finds no loader once a code
// cache is used) and under vitest. Earlier Node 20 releases refuse with ERR_REQUIRE_ESM; there
// the import is built at run time, where tsc (compiling to CommonJS) cannot rewrite it into a
// require(), with an absolute file URL, as a Function has no module to resolve names from.
const nativeImport = new Function("url", "return import(url)") as (url: string) => Promise<unknown>;

async function loadEsm(entry: string): Promise<unknown> {
  try {
    return require(entry);
  } catch (err) {
    if ((err as { code?: unknown }).code !== "ERR_REQUIRE_ESM") throw err;
    return nativeImport(pathToFileURL(entry).href);
  }
}

/** What the Dawn instance on navigator.gpu was created with, and what it found. */
let webgpuSetup: { key: string; device: string; gpu: boolean } | undefined;

async function loadWebgpu(tf: Tf, env: NodeJS.ProcessEnv, options: { gpuOnly?: boolean } = {}): Promise<Loaded> {
  const flags = splitList(env.VITC_WEBGPU_FLAGS);
  // Dawn's GL backends offer only WebGPU compatibility mode; asking for core finds no adapter.
  const usesGl = flags.some((f) => f === "backend=opengles" || f === "backend=opengl");
  const featureLevel = env.VITC_WEBGPU_FEATURE_LEVEL ?? (usesGl ? "compatibility" : undefined);
  // Checked before Dawn loads: Dawn would print its own "Couldn't load Vulkan" to stderr first.
  const noVulkan = missingVulkanLoader(env);
  if (noVulkan) throw cannotLoad("webgpu", noVulkan, webgpuHelp);
  const key = JSON.stringify([flags, featureLevel]);
  const notes = [`Dawn flags: ${flags.length > 0 ? `\`${flags.join(",")}\`` : "none"} (\`VITC_WEBGPU_FLAGS\`)`];
  if (featureLevel !== undefined) notes.push(`feature level: \`${featureLevel}\``);

  // tfjs keeps a backend it initialised, with its device, for the rest of the process.
  if (webgpuSetup !== undefined && "webgpu" in tf.engine().registry) {
    await activate(tf, "webgpu", webgpuHelp);
    return { name: "webgpu", device: webgpuSetup.device, gpu: webgpuSetup.gpu, maxTensorBytes: webgpuBindingLimit(tf) };
  }
  if (webgpuSetup?.key !== key) {
    // Mesa reads EGL_PLATFORM from the process environment when Dawn first opens a display,
    // which is at requestAdapter, not at import or create.
    if (env !== process.env && env.EGL_PLATFORM !== undefined) process.env.EGL_PLATFORM ??= env.EGL_PLATFORM;
    const probe = probeWebgpu(flags, featureLevel, env);
    if (!probe.ok) throw cannotLoad("webgpu", probe.reason, webgpuHelp, notes);
    if (options.gpuOnly && probe.software) {
      // `auto` would pass it over: Dawn is not loaded here, so its messages stay in the probe.
      return { name: "webgpu", device: `webgpu: ${probe.device}`, gpu: false };
    }
    const dawn = await importDawn();
    let gpu: DawnGpu;
    try {
      gpu = dawn.create(flags);
    } catch (err) {
      throw cannotLoad("webgpu", `Dawn rejected its flags: ${errorFirstLine(err)}`, webgpuHelp, notes);
    }
    if (featureLevel !== undefined) {
      const requestAdapter = gpu.requestAdapter.bind(gpu);
      gpu.requestAdapter = (options = {}) => requestAdapter({ ...options, featureLevel });
    }
    // tfjs does not check for a null adapter; it would fail later with a TypeError.
    const adapter = await gpu.requestAdapter();
    if (adapter === null) throw cannotLoad("webgpu", "Dawn found no GPU adapter", webgpuHelp, notes);
    // tfjs-backend-webgpu reads the GPU* constants as globals and finds the GPU at navigator.gpu.
    Object.assign(globalThis, dawn.globals);
    const global = globalThis as { navigator?: object };
    if (global.navigator === undefined) {
      // Node 20 has no navigator; Node 21 and later do.
      Object.defineProperty(globalThis, "navigator", { value: {}, configurable: true, writable: true });
    }
    Object.defineProperty(global.navigator, "gpu", { value: gpu, configurable: true });
    webgpuSetup = { key, device: `webgpu: ${describeAdapter(adapter.info)}`, gpu: !isSoftware(adapter.info) };
  }
  // Registers `webgpu` only if navigator.gpu exists when it is first required, hence only now.
  requirePackage("@tensorflow/tfjs-backend-webgpu", "webgpu", webgpuHelp);
  await activate(tf, "webgpu", webgpuHelp);
  return { name: "webgpu", device: webgpuSetup.device, gpu: webgpuSetup.gpu, maxTensorBytes: webgpuBindingLimit(tf) };
}

/** The device's `maxStorageBufferBindingSize`, as tfjs-backend-webgpu requested it. */
function webgpuBindingLimit(tf: Tf): number | undefined {
  const limit = (tf.backend() as unknown as { device?: { limits?: { maxStorageBufferBindingSize?: number } } }).device?.limits?.maxStorageBufferBindingSize;
  return typeof limit === "number" && limit > 0 ? limit : undefined;
}

async function importDawn(): Promise<DawnModule> {
  let entry: string;
  try {
    entry = require.resolve("webgpu");
  } catch {
    throw cannotLoad("webgpu", "the `webgpu` package is not installed", webgpuHelp);
  }
  try {
    return (await loadEsm(entry)) as DawnModule;
  } catch (err) {
    throw cannotLoad("webgpu", `the \`webgpu\` package failed to load: ${errorFirstLine(err)}`, webgpuHelp);
  }
}

const loaders: Record<BackendName, Loader> = {
  tensorflow: loadTensorflow,
  webgpu: loadWebgpu,
  wasm: loadWasm,
  cpu: loadCpu,
};
