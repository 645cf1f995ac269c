// Semantic tokens: every resolved name with what it is (a block, an op, a parameter, a `let`
// name, a label, a module), from the compiler's name resolution. Keywords, numbers, strings and
// comments are left to the TextMate grammar.

import type { SemanticTokens, SemanticTokensLegend } from "vscode-languageserver";
import type { NameSymbol } from "../elaborate/resolve";
import type { Analysis } from "./workspace";

const types = ["namespace", "class", "function", "parameter", "variable", "property", "type"] as const;
const modifiers = ["declaration", "defaultLibrary"] as const;

export const semanticTokensLegend: SemanticTokensLegend = { tokenTypes: [...types], tokenModifiers: [...modifiers] };

function typeOf(s: NameSymbol): (typeof types)[number] | undefined {
  switch (s.kind) {
    case "module": return "namespace";
    case "block": case "model": return "class";
    case "op": case "builtin": return "function";
    case "param": case "attr": return "parameter";
    case "local": return "variable";
    case "label": return "property";
    case "implicit": return "variable";
    default: return undefined;
  }
}

export function semanticTokens(a: Analysis): SemanticTokens {
  const data: number[] = [];
  let line = 0;
  let char = 0;
  for (const o of a.names().occurrences.get(a.file) ?? []) {
    const type = typeOf(o.symbol);
    if (!type || o.span.end <= o.span.start) continue;
    const start = a.lines.position(o.span.start);
    const end = a.lines.position(o.span.end);
    if (end.line !== start.line) continue;
    const library = o.symbol.kind === "op" || o.symbol.kind === "builtin" || o.symbol.kind === "attr" || o.symbol.kind === "implicit";
    const mods = (o.definition ? 1 : 0) | (library ? 2 : 0);
    data.push(start.line - line, start.line === line ? start.character - char : start.character, end.character - start.character, types.indexOf(type), mods);
    line = start.line;
    char = start.character;
  }
  return { data };
}
