import { compileFile } from "./test/helpers/compile";
import { recoverStructure } from "./src/backends/typescript/structure";
const m = compileFile("test/parity/swin_tiny.vit").models[0];
const s = recoverStructure(m.checked);
for (const k of s.kinds) console.log(k.block, k.calls.map(c => c.frame.path), JSON.stringify(k.gaps));
