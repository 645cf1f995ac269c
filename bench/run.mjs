// `npm run bench [-- NAME…]`: runs the benchmarks (all by default), prints their tables and
// writes each result to bench/results/<NAME>.json. Measures the compiled code in dist/.

import * as fs from "node:fs";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { checkSpeed } from "./check-speed.mjs";
import { emitSpeed } from "./emit-speed.mjs";
import { hostileImages } from "./hostile-images.mjs";
import { lspSpeed } from "./lsp.mjs";
import { modelSpeed } from "./model-speed.mjs";
import { onnxSpeed } from "./onnx-speed.mjs";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const benches = { "model-speed": modelSpeed, "check-speed": checkSpeed, "hostile-images": hostileImages, onnx: onnxSpeed, lsp: lspSpeed, "emit-speed": emitSpeed };

const wanted = process.argv.slice(2);
for (const name of wanted.length ? wanted : Object.keys(benches)) {
  const bench = benches[name];
  if (!bench) {
    console.error(`unknown benchmark \`${name}\`; there are: ${Object.keys(benches).join(", ")}`);
    process.exit(2);
  }
  console.log(`\n## ${name}\n`);
  const result = await bench();
  const file = path.join(root, "bench", "results", `${name}.json`);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(`${file}.tmp`, `${JSON.stringify(result, null, 2)}\n`);
  fs.renameSync(`${file}.tmp`, file);
  console.log(`\nwrote ${path.relative(process.cwd(), file)}`);
}
