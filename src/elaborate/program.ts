// Loads a user file and the standard-library modules it `use`s, and resolves which blocks each
// file can see. Standard-library modules are parsed once per process and shared.

import { makeDiagnostic, type Diagnostic, type Staged } from "../diagnostics/diagnostic";
import { closestName } from "../diagnostics/similar";
import { FileTable } from "../source/file-table";
import type { Host } from "../source/host";
import type { SourceFile, Span } from "../source/span";
import type { BlockDecl, SourceAst, TypeExpr } from "../syntax/ast";
import { parseSource } from "../syntax/parse";
import { isOpKind } from "../ops/kinds";
import { builtins } from "./builtins";
import { typeNames } from "./values";

export interface Program {
  readonly files: FileTable;
  readonly entry: SourceFile;
  readonly asts: ReadonlyMap<number, SourceAst>;
  /** For each file, the blocks it can call by name, with the file each is defined in. */
  readonly visible: ReadonlyMap<number, ReadonlyMap<string, VisibleBlock>>;
  /** Files with a `use` that failed: a name unknown there may be in the module meant. */
  readonly brokenUses: ReadonlySet<number>;
}

export interface VisibleBlock {
  readonly decl: BlockDecl;
  readonly file: number;
}

export const STD_PREFIX = "std/";

export function isStdPath(path: string): boolean {
  return path.startsWith(STD_PREFIX);
}

/** The standard library's modules (for `use` suggestions). */
export const stdModules = ["vit", "swin", "mobilevit", "resnetv2", "layers"];

/**
 * Standard-library modules get fixed file ids (after the user's file, id 0), so that their
 * parsed ASTs, whose spans carry the id, can be shared by every compilation in a process.
 */
const STD_FIRST_ID = 1000;
const stdAstCache = new Map<string, { text: string; parsed: Staged<SourceAst> }>();

function stdFileId(name: string, taken: (id: number) => boolean): number {
  const known = stdModules.indexOf(name);
  if (known >= 0) return STD_FIRST_ID + known;
  let id = STD_FIRST_ID + stdModules.length;
  while (taken(id)) id++;
  return id;
}

function parseCached(file: SourceFile, cacheKey: string | undefined, host: Host): Staged<SourceAst> {
  if (cacheKey === undefined) return parseSource(file);
  const hit = stdAstCache.get(cacheKey);
  if (hit && hit.text === file.text && hit.parsed.value.file === file.id) return hit.parsed;
  const saved = host.prebuiltStdAst?.(cacheKey, file.text) as SourceAst | undefined;
  const parsed = saved?.file === file.id ? { value: saved, diagnostics: [] } : parseSource(file);
  stdAstCache.set(cacheKey, { text: file.text, parsed });
  return parsed;
}

export function loadProgram(entryPath: string, entryText: string, host: Host): { program: Program; diagnostics: Diagnostic[] } {
  const files = new FileTable();
  const diagnostics: Diagnostic[] = [];
  const asts = new Map<number, SourceAst>();
  const moduleIds = new Map<string, number>();
  const entry = files.add(entryPath, entryText);
  const pending: SourceFile[] = [entry];
  const uses = new Map<number, number[]>();
  const brokenUses = new Set<number>();

  const moduleNames = new Map<number, string>();
  while (pending.length > 0) {
    const file = pending.shift() as SourceFile;
    const parsed = parseCached(file, moduleNames.get(file.id), host);
    diagnostics.push(...parsed.diagnostics);
    asts.set(file.id, parsed.value);
    const deps: number[] = [];
    for (const use of parsed.value.uses) {
      const parts = use.path.map((p) => p.text);
      if (parts.some((p) => p === "")) continue; // A syntax error was reported.
      if (parts[0] !== "std" || parts.length !== 2) {
        brokenUses.add(file.id);
        diagnostics.push(makeDiagnostic("V2008", `unknown module \`${parts.join(".")}\``, use.span, {
          label: "not a standard-library module",
          notes: [{ text: `the standard library has: ${stdModules.map((m) => `std.${m}`).join(", ")}` }],
        }));
        continue;
      }
      const name = parts[1];
      let id = moduleIds.get(name);
      if (id === undefined) {
        const module = host.readStdModule(name);
        if (!module) {
          brokenUses.add(file.id);
          const similar = closestName(name, stdModules);
          diagnostics.push(makeDiagnostic("V2008", `unknown module \`std.${name}\``, use.path[1].span, {
            label: "no such standard-library module",
            notes: [{ text: `the standard library has: ${stdModules.map((m) => `std.${m}`).join(", ")}` }],
            suggestions: similar ? [{ message: `a module with a similar name exists: \`std.${similar}\``, edits: [{ span: use.path[1].span, newText: similar }], applicability: "maybe-incorrect" }] : [],
          }));
          continue;
        }
        const added = files.add(module.path, module.text, stdFileId(name, (i) => asts.has(i) || moduleNames.has(i)));
        id = added.id;
        moduleIds.set(name, id);
        moduleNames.set(id, name);
        pending.push(added);
      }
      deps.push(id);
    }
    uses.set(file.id, deps);
  }

  const own = new Map<number, Map<string, VisibleBlock>>();
  for (const [fileId, ast] of asts) {
    const blocks = new Map<string, VisibleBlock>();
    for (const decl of ast.blocks) {
      for (const param of decl.params) if (param.type) diagnostics.push(...unknownTypeNames(param.type));
      diagnostics.push(...duplicateParams(decl));
      if (decl.name.text === "") continue;
      const clash = blocks.get(decl.name.text);
      if (clash) diagnostics.push(duplicate(decl.name.text, decl.name.span, clash.decl.name.span, "block"));
      else if (isOpKind(decl.name.text) || builtins.has(decl.name.text)) {
        diagnostics.push(makeDiagnostic("V2009", `\`${decl.name.text}\` is already a primitive op or built-in function`, decl.name.span, {
          label: "this name is taken", help: ["give the block another name"],
        }));
      } else blocks.set(decl.name.text, { decl, file: fileId });
    }
    own.set(fileId, blocks);
  }
  // A block of the user's that takes the name of one a `use` brings in would silently win
  // over it in this file: `block vit(...)` next to `use std.vit`.
  for (const [fileId, blocks] of own) {
    if (isStdPath(files.get(fileId).path)) continue;
    for (const dep of uses.get(fileId) ?? []) {
      for (const [name, block] of blocks) {
        const imported = own.get(dep)?.get(name);
        if (!imported) continue;
        const module = `std.${moduleNames.get(dep) ?? ""}`;
        diagnostics.push(makeDiagnostic("V2009", `block \`${name}\` has the name of \`${module}\`'s \`${name}\``, block.decl.name.span, {
          label: `hides \`${module}\`'s block in this file`,
          help: [`rename this block, or leave out \`use ${module}\` if it is meant to replace it`],
        }));
      }
    }
  }
  const visible = new Map<number, Map<string, VisibleBlock>>();
  for (const fileId of asts.keys()) {
    const seen = new Set<number>();
    const result = new Map<string, VisibleBlock>();
    const visit = (id: number) => {
      if (seen.has(id)) return;
      seen.add(id);
      for (const [name, block] of own.get(id) ?? []) if (!result.has(name)) result.set(name, block);
      for (const dep of uses.get(id) ?? []) visit(dep);
    };
    visit(fileId);
    visible.set(fileId, result);
  }
  const models = new Map<string, Span>();
  for (const model of asts.get(entry.id)?.models ?? []) {
    const first = models.get(model.name.text);
    if (first) diagnostics.push(duplicate(model.name.text, model.name.span, first, "model"));
    else if (model.name.text) models.set(model.name.text, model.name.span);
  }
  return { program: { files, entry, asts, visible, brokenUses }, diagnostics };
}

function duplicateParams(decl: BlockDecl): Diagnostic[] {
  const seen = new Map<string, Span>();
  const found: Diagnostic[] = [];
  for (const param of decl.params) {
    const name = param.name.text;
    const first = seen.get(name);
    if (first) found.push(duplicate(name, param.name.span, first, "parameter"));
    else if (name !== "") seen.set(name, param.name.span);
  }
  return found;
}

function duplicate(name: string, span: Span, first: Span, what: string): Diagnostic {
  return makeDiagnostic("V2009", `${what} \`${name}\` is defined twice`, span, {
    label: "second definition",
    labels: [{ span: first, text: "first defined here" }],
    help: [`rename one of the two ${what}s`],
  });
}

/** A V2002 for each type name in a parameter's type that is not one of the language's. */
function unknownTypeNames(type: TypeExpr): Diagnostic[] {
  switch (type.kind) {
    case "union": return type.options.flatMap(unknownTypeNames);
    case "list": return unknownTypeNames(type.element);
    case "named": {
      const name = type.name.text;
      if (name === "" || (typeNames as readonly string[]).includes(name)) return [];
      const similar = closestName(name, typeNames);
      return [makeDiagnostic("V2002", `unknown type \`${name}\``, type.name.span, {
        label: "not a type",
        notes: [{ text: `the types are ${typeNames.map((t) => `\`${t}\``).join(", ")}, lists of them (\`[int]\`) and unions (\`int | [int]\`)` }],
        suggestions: similar ? [{ message: `a type with a similar name exists: \`${similar}\``, edits: [{ span: type.name.span, newText: similar }], applicability: "maybe-incorrect" }] : [],
      })];
    }
  }
}
