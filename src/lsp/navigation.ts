// Go to definition, find references and rename, from the compiler's name resolution
// (elaborate/resolve.ts). Definitions reach into user modules and the standard library (its
// files on disk); references are searched in every user file of the document's compilation and
// of the other open documents. Renaming covers a block's `let` names, repeat indices and labels.

import type { Location, Range, WorkspaceEdit } from "vscode-languageserver";
import { occurrenceAt, symbolKey, type NameSymbol, type Occurrence } from "../elaborate/resolve";
import { isUserFile } from "../elaborate/program";
import { keywords } from "../syntax/tokens";
import type { Span } from "../source/span";
import { rangeOf } from "./to-lsp";
import type { Analysis } from "./workspace";

/** Where a symbol is defined, as a span in the compilation; undefined for ops and built-ins. */
function definitionSpan(a: Analysis, s: NameSymbol): Span | undefined {
  switch (s.kind) {
    case "block": return s.block.decl.name.span;
    case "param": return s.param.name.span;
    case "model": return s.model.name.span;
    case "module": return s.file === undefined ? undefined : { file: s.file, start: 0, end: 0 };
    case "local":
    case "label": {
      const list = a.names().occurrences.get(s.owner.file) ?? [];
      return list.find((o) => o.definition && symbolKey(o.symbol) === symbolKey(s))?.span;
    }
    default: return undefined;
  }
}

export function definition(a: Analysis, offset: number): Location[] {
  const at = occurrenceAt(a.names(), a.file, offset);
  const span = at ? definitionSpan(a, at.symbol) : undefined;
  const uri = span ? a.uriOf(span.file) : undefined;
  return span && uri ? [{ uri, range: rangeOf(a, span) }] : [];
}

/**
 * A key for a symbol that holds across compilations (file ids differ between them): the URI
 * and offset of its definition, or the plain key for ops, arguments of ops and built-ins.
 */
function globalKey(a: Analysis, s: NameSymbol): string | undefined {
  if (s.kind === "unresolved" || s.kind === "implicit") return undefined;
  const span = definitionSpan(a, s);
  if (!span) return symbolKey(s);
  return `${s.kind}:${a.uriOf(span.file)}:${span.start}`;
}

export function references(a: Analysis, offset: number, others: readonly Analysis[], includeDeclaration: boolean): Location[] {
  const at = occurrenceAt(a.names(), a.file, offset);
  const key = at ? globalKey(a, at.symbol) : undefined;
  if (!at || !key) return [];
  const found = new Map<string, Location>();
  for (const b of [a, ...others]) {
    for (const [file, list] of b.names().occurrences) {
      if (!isUserFile(b.compilation.program, file)) continue;
      const uri = b.uriOf(file);
      if (!uri) continue;
      for (const o of list) {
        if ((!includeDeclaration && o.definition) || globalKey(b, o.symbol) !== key) continue;
        const range = rangeOf(b, o.span);
        found.set(`${uri}:${range.start.line}:${range.start.character}`, { uri, range });
      }
    }
  }
  return [...found.values()];
}

const renamable = (o: Occurrence | undefined): o is Occurrence => o?.symbol.kind === "local" || o?.symbol.kind === "label";

export function prepareRename(a: Analysis, offset: number): Range | null {
  const at = occurrenceAt(a.names(), a.file, offset);
  return renamable(at) ? rangeOf(a, at.span) : null;
}

/** Why a new name cannot be used, or undefined. */
export function invalidName(name: string): string | undefined {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) return `\`${name}\` is not a name: letters, digits and \`_\`, not starting with a digit`;
  if (keywords.some((k) => k.name.toLowerCase() === name)) return `\`${name}\` is a keyword`;
  if (name === "x" || name === "B") return `\`${name}\` is the language's own name`;
  return undefined;
}

export function rename(a: Analysis, offset: number, newName: string): WorkspaceEdit | null {
  const at = occurrenceAt(a.names(), a.file, offset);
  if (!renamable(at)) return null;
  const key = symbolKey(at.symbol);
  const edits = (a.names().occurrences.get(a.file) ?? []).filter((o) => symbolKey(o.symbol) === key)
    .map((o) => ({ range: rangeOf(a, o.span), newText: newName }));
  return { changes: { [a.uri]: edits } };
}
