// Hover: what the name under the cursor is, from the compiler's data. A model's name: its input
// and output shapes, exact parameter count and MACs per image; a step's callee or label: the op
// or block, its output shape, parameters, MACs and weight path in the first model that expands
// it; a block or family: its doc comment and signature; a keyword argument or parameter: its doc,
// type and default.

import { groupDigits } from "../diagnostics/visible-text";
import type { Hover } from "vscode-languageserver";
import { occurrenceAt, type NameSymbol, type Occurrence } from "../elaborate/resolve";
import { blockSignature, functionSignature, opSignature, paramLabel, type Signature } from "../elaborate/signatures";
import { formatShape } from "../ir/shape";
import { stepFacts, type StepFacts } from "../reports/steps";
import { summarize } from "../reports/summary";
import type { Span } from "../source/span";
import { rangeOf } from "./to-lsp";
import type { Analysis } from "./workspace";

export function hover(a: Analysis, offset: number): Hover | null {
  const at = occurrenceAt(a.names(), a.file, offset);
  if (!at) return null;
  const parts = describe(a, at);
  if (parts.length === 0) return null;
  return { contents: { kind: "markdown", value: parts.join("\n\n") }, range: rangeOf(a, at.span) };
}

function describe(a: Analysis, at: Occurrence): string[] {
  const s = at.symbol;
  const facts = at.step ? factsOf(a, at.step) : undefined;
  const stepLines = facts ? [stepText(facts)] : [];
  switch (s.kind) {
    case "model": return modelText(a, s);
    case "block": return [...stepLines, signatureText(blockSignature(a.compilation.program, s.block))];
    case "op": return [...stepLines, signatureText(opSignature(s.op))];
    case "label": return stepLines.length > 0 ? stepLines : [`label \`${s.name}\`: a segment of the weight path`];
    case "param": {
      const sig = blockSignature(a.compilation.program, s.owner).params.find((p) => p.name === s.param.name.text);
      return sig ? [code(`${paramLabel(sig)}`) + `\n\nparameter of \`${s.owner.decl.name.text}\``, ...(sig.doc ? [sig.doc] : [])] : [];
    }
    case "attr": {
      const sig = opSignature(s.op).params.find((p) => p.name === s.name);
      return sig ? [code(paramLabel(sig)) + `\n\nargument of op \`${s.op}\``, ...(sig.doc ? [sig.doc] : [])] : [];
    }
    case "builtin": {
      const sig = functionSignature(s.name);
      return sig ? [signatureText(sig)] : [];
    }
    case "local": return [code(`let ${s.name}`) + `\n\nin block \`${s.owner.decl.name.text}\``];
    case "module": {
      const file = s.file === undefined ? undefined : a.compilation.files.get(s.file);
      return file ? [`module \`${file.path}\``] : [];
    }
    case "implicit": return [s.name === "x" ? "`x`: the current tensor" : "`B`: the batch dimension"];
    case "unresolved": return [];
  }
}

function modelText(a: Analysis, s: Extract<NameSymbol, { kind: "model" }>): string[] {
  const model = a.compilation.models.find((m) => m.name === s.model.name.text);
  const lines = [code(`model ${s.model.name.text}`)];
  const sum = model && model.checked.complete ? summarize(model) : undefined;
  if (sum && sum.outputJson) {
    lines.push(`input \`${sum.input}\` → output \`${sum.output}\`\n\nparams: ${groupDigits(sum.params)}\\\nMACs: ${groupDigits(sum.macs)} per image`);
  } else lines.push("not checked: the model has errors");
  if (s.model.doc) lines.push(s.model.doc);
  return lines;
}

function factsOf(a: Analysis, step: Span): StepFacts | undefined {
  for (const model of a.compilation.models) {
    const facts = stepFacts(model.checked, step);
    if (facts) return facts;
  }
  return undefined;
}

function stepText(f: StepFacts): string {
  const what = f.kind === "group" ? "" : `${f.kind} \`${f.op}\` `;
  const lines = [
    `${what}→ \`${f.output ? formatShape(f.output) : "?"}\``,
    `path: \`${f.path || "(root)"}\``,
    `params: ${groupDigits(f.params)} · MACs: ${groupDigits(f.macs)}`,
  ];
  if (f.instances > 1) lines.push(`expanded ${f.instances} times (the first shown)`);
  return lines.join("\\\n");
}

function signatureText(sig: Signature): string {
  const head = sig.kind === "block" ? `block ${sig.label}` : sig.kind === "op" ? `op ${sig.label}` : sig.label;
  const params = sig.params.filter((p) => p.doc).map((p) => `- \`${p.name}\`: ${p.doc}`);
  return [code(head), sig.doc, params.join("\n")].filter((t) => t !== "").join("\n\n");
}

function code(text: string): string {
  return "```vit\n" + text + "\n```";
}
