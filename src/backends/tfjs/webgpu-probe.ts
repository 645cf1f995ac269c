// Whether Dawn (the `webgpu` package) finds a WebGPU adapter, asked in a child process, and how
// an adapter is described. Dawn and the drivers it loads (Mesa, the Vulkan loader, Wayland) print
// their own warnings straight to the process's stderr, where no JavaScript can catch them
// ("XDG_RUNTIME_DIR is invalid", "Warning: Vulkan shaderUniform*ArrayDynamicIndexing required …"
// on every `auto` run of a machine with Mesa's Vulkan drivers and no GPU); in a child they are
// read instead, and the last one becomes the reason when there is no adapter.

import { spawnSync } from "node:child_process";
import { pathToFileURL } from "node:url";

/** What Dawn says of an adapter (GPUAdapterInfo). */
export interface AdapterInfo { vendor: string; architecture: string; device: string; description: string; isFallbackAdapter?: boolean }

/**
 * Asks Dawn for an adapter with these flags in a child process; load Dawn into this process only
 * once one is known to exist.
 */
export function probeWebgpu(flags: readonly string[], featureLevel: string | undefined, env: NodeJS.ProcessEnv): { ok: true; device: string; software: boolean } | { ok: false; reason: string } {
  let entry: string;
  try {
    entry = require.resolve("webgpu");
  } catch {
    return { ok: false, reason: "the `webgpu` package is not installed" };
  }
  const script = `
    const [url, flags, level] = JSON.parse(process.env.VITC_PROBE_ARGS);
    import(url).then(async (dawn) => {
      const gpu = dawn.create(flags);
      const adapter = await gpu.requestAdapter(level === null ? {} : { featureLevel: level });
      const info = adapter && adapter.info;
      console.log(JSON.stringify(info ? { vendor: info.vendor, architecture: info.architecture, device: info.device, description: info.description, isFallbackAdapter: info.isFallbackAdapter } : null));
    }).catch((err) => console.log(JSON.stringify({ error: String(err && err.message || err) })));`;
  const child = spawnSync(process.execPath, ["-e", script], {
    env: { ...process.env, ...env, VITC_PROBE_ARGS: JSON.stringify([pathToFileURL(entry).href, flags, featureLevel ?? null]) },
    encoding: "utf8", timeout: 30_000, stdio: ["ignore", "pipe", "pipe"],
  });
  let result: (AdapterInfo & { error?: undefined }) | { error: string } | null | undefined;
  try {
    result = JSON.parse(child.stdout) as typeof result;
  } catch {
    result = undefined;
  }
  const said = lastMeaningfulLine(child.stderr ?? "");
  if (result === undefined) {
    const how = child.error ? child.error.message.split("\n")[0] : child.signal ? `it was ended by ${child.signal}` : `it exited with code ${child.status}`;
    return { ok: false, reason: `Dawn failed while looking for an adapter (${how})${said ? `: ${said}` : ""}` };
  }
  if (result === null) return { ok: false, reason: `Dawn found no GPU adapter${said ? ` (Dawn said: ${said})` : ""}` };
  if (result.error !== undefined) return { ok: false, reason: `the \`webgpu\` package failed to load: ${result.error.split("\n")[0]}` };
  return { ok: true, device: describeAdapter(result), software: isSoftware(result) };
}

/** The last line of native output that says something (Dawn's own "- While …"/"at …" context lines are skipped). */
function lastMeaningfulLine(text: string): string | undefined {
  const lines = text.split("\n").map((l) => l.trim()).filter((l) => l !== "" && !l.startsWith("- ") && !l.startsWith("at "));
  const line = lines.at(-1);
  return line === undefined ? undefined : line.replace(/^(warning|error):\s*/i, "").slice(0, 200);
}

export function describeAdapter(info: AdapterInfo): string {
  const name = info.description || info.device || "unnamed adapter";
  const details = [info.vendor, info.architecture, info.device].filter((s) => s !== "" && s !== name);
  return details.length > 0 ? `${name} (${details.join(", ")})` : name;
}

// Software renderers run WebGPU on the CPU, far slower than wasm: they are not a GPU for `auto`.
export function isSoftware(info: AdapterInfo): boolean {
  const text = `${info.description} ${info.device}`;
  return info.isFallbackAdapter === true || /llvmpipe|lavapipe|softpipe|swiftshader|null-backend/i.test(text);
}

