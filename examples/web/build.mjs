// Builds the example page for one model of a spec:
//   node examples/web/build.mjs SPEC [--model NAME] [-o DIR]        (default DIR: web-build/)
// 1. `vitc build SPEC --emit ts` (the real command) writes the model's module into DIR/.build/;
// 2. the model's timm data config (what `vitc run --image` uses) goes beside it;
// 3. rolldown bundles main.ts with both into DIR/app.js, and index.html and tfjs-backend-wasm's
//    .wasm files are copied next to it.
// Then put the weights (timm's state_dict as safetensors) in DIR/weights.safetensors and serve
// DIR (serve.mjs). Needs vitc built (`npm install` does it).

import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import { createRequire } from "node:module";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "rolldown";

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, "..", "..");
const require = createRequire(import.meta.url);

/** Builds the page of `model` (or the spec's only model) of `spec` into `outDir`. */
export async function buildExample({ spec, model, outDir }) {
  const work = path.join(outDir, ".build");
  fs.rmSync(work, { recursive: true, force: true });
  fs.mkdirSync(work, { recursive: true });
  execFileSync(process.execPath, [path.join(root, "bin", "vitc.js"), "build", spec, "--emit", "ts", "-o", work, ...(model ? ["--model", model] : [])], { stdio: ["ignore", "ignore", "inherit"] });
  const emitted = fs.readdirSync(work).filter((f) => f.endsWith(".ts"));
  if (emitted.length !== 1) throw new Error(`${spec} holds ${emitted.length} models: name one with --model`);
  const name = emitted[0].slice(0, -3);

  const { compileFile } = require(path.join(root, "dist", "index.js"));
  const { dataConfigFor } = require(path.join(root, "dist", "images", "data-config.js"));
  const { inputDims } = require(path.join(root, "dist", "shapes", "check.js"));
  const compiled = compileFile(spec, { only: name }).models.find((m) => m.name === name);
  const [, height, width] = inputDims(compiled.checked);
  const { inputSize, interpolation, cropPct, mean, std } = dataConfigFor(compiled.checked.graph.family, name, [height, width]);
  const config = { inputSize, interpolation, cropPct, mean, std };
  fs.writeFileSync(path.join(work, "model-config.ts"), `// timm's data config of ${name}, written by build.mjs.\nexport const dataConfig = ${JSON.stringify(config)} as const;\n`);

  await build({
    input: path.join(here, "main.ts"),
    platform: "browser",
    // The model's `@tensorflow/tfjs-core` is the page's own (one copy, whose backends the page
    // registers), wherever DIR is.
    resolve: {
      alias: { "vitc-model": path.join(work, emitted[0]), "vitc-model-config": path.join(work, "model-config.ts") },
      modules: [path.join(root, "node_modules"), "node_modules"],
    },
    logLevel: "warn",
    output: { file: path.join(outDir, "app.js"), format: "esm", minify: true },
  });
  fs.copyFileSync(path.join(here, "index.html"), path.join(outDir, "index.html"));
  const wasmDir = path.dirname(require.resolve("@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm"));
  for (const file of fs.readdirSync(wasmDir).filter((f) => f.endsWith(".wasm"))) fs.copyFileSync(path.join(wasmDir, file), path.join(outDir, file));
  return { name, config };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const flag = (name) => (args.includes(name) ? args[args.indexOf(name) + 1] : undefined);
  const spec = args.find((a, i) => !a.startsWith("-") && !["--model", "-o"].includes(args[i - 1]));
  if (!spec) {
    console.error("usage: node examples/web/build.mjs SPEC [--model NAME] [-o DIR]");
    process.exit(2);
  }
  const outDir = flag("-o") ?? "web-build";
  const { name } = await buildExample({ spec, model: flag("--model"), outDir });
  console.log(`built ${name} into ${outDir}/: put its weights in ${outDir}/weights.safetensors, then node examples/web/serve.mjs ${outDir}`);
}
