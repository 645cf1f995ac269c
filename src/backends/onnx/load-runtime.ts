// Loads ONNX Runtime (onnxruntime-node, an optional dependency) and says which execution
// providers it can use here. Invariants: the package is required once, lazily (commands that never
// run a model never pay for its 45 MB library); a missing or broken package is a ToolError V5001
// that says why and how to fix it; nothing here prints.

import * as os from "node:os";
import * as fs from "node:fs";
import * as path from "node:path";
import { ToolError } from "../../diagnostics/tool-error";

export type Ort = typeof import("onnxruntime-node");

export const runtimeVersion = "1.30.0";

export const ortHelp = [
  `onnxruntime-node is an optional dependency of vitc: \`npm install onnxruntime-node@${runtimeVersion}\` adds it (its CPU libraries ship in the npm package)`,
];

/** A V5001 that keeps its reason apart, for `auto` to say why it passed ONNX Runtime over. */
export class RuntimeUnavailable extends ToolError {
  constructor(readonly why: string) {
    super("V5001", `backend \`onnxruntime\` cannot be loaded: ${why}`, { help: ortHelp });
  }
}

let loaded: Ort | undefined;

export function loadOrt(): Ort {
  if (loaded) return loaded;
  try {
    loaded = require("onnxruntime-node") as Ort;
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    const missing = code === "MODULE_NOT_FOUND" && String((err as Error).message).includes("onnxruntime-node");
    throw new RuntimeUnavailable(missing ? "`onnxruntime-node` is not installed" : `\`onnxruntime-node\` failed to load: ${String((err as Error).message).split("\n")[0]}`);
  }
  return loaded;
}

/**
 * The execution providers to ask for, best first, and a description of what runs. CUDA is used
 * when its provider library is beside ONNX Runtime's (onnxruntime-node installs it only with
 * `--onnxruntime-node-install=cuda12`); WebGPU only when asked for with VITC_ORT_PROVIDERS,
 * since on a machine without a GPU it finds no adapter or a software one. The CPU provider is
 * always last, so a node a GPU provider cannot run still runs.
 */
export function executionProviders(ort: Ort, env: NodeJS.ProcessEnv): { providers: string[]; device: string } {
  const asked = (env.VITC_ORT_PROVIDERS ?? "").split(",").map((s) => s.trim()).filter(Boolean);
  if (asked.length > 0) {
    const providers = [...asked.filter((p) => p !== "cpu"), "cpu"];
    return { providers, device: `onnxruntime ${ort.env.versions.node} (${providers.join(", ")}; VITC_ORT_PROVIDERS)` };
  }
  const providers = hasCudaProvider() ? ["cuda", "cpu"] : ["cpu"];
  const threads = threadCount();
  return { providers, device: `onnxruntime ${ort.env.versions.node} (${providers.includes("cuda") ? "CUDA, then " : ""}CPU, ${threads} thread${threads === 1 ? "" : "s"})` };
}

function hasCudaProvider(): boolean {
  try {
    const binding = path.dirname(require.resolve("onnxruntime-node/package.json"));
    const dir = path.join(binding, "bin", "napi-v6", process.platform, process.arch);
    return fs.existsSync(path.join(dir, process.platform === "win32" ? "onnxruntime_providers_cuda.dll" : "libonnxruntime_providers_cuda.so"));
  } catch {
    return false;
  }
}

/** The cores this process may use: ONNX Runtime's intra-op threads. */
export function threadCount(): number {
  return typeof os.availableParallelism === "function" ? os.availableParallelism() : os.cpus().length;
}
