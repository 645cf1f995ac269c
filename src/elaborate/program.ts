// Loads a user file and the modules it `use`s (modules.ts), and resolves which blocks each file
// can see: its own, then those of the modules it uses, directly or through them (the first
// definition of a name wins). One rule for standard-library modules and the user's own module
// files. Two definitions a file would see under one name are reported (V2009).

import { makeDiagnostic, type Diagnostic, type Label, type Note } from "../diagnostics/diagnostic";
import { closestName } from "../diagnostics/similar";
import type { FileTable } from "../source/file-table";
import type { Host } from "../source/host";
import type { SourceFile, Span } from "../source/span";
import type { BlockDecl, SourceAst, TypeExpr, UseDecl } from "../syntax/ast";
import { isOpKind } from "../ops/kinds";
import { builtins } from "./builtins";
import { loadModules, type Import } from "./modules";
import { typeNames } from "./values";

export { isStdPath, STD_PREFIX, stdModules } from "./modules";
export type { Import } from "./modules";

export interface Program {
  readonly files: FileTable;
  readonly entry: SourceFile;
  readonly asts: ReadonlyMap<number, SourceAst>;
  /** For each file, the blocks it can call by name, with the file each is defined in. */
  readonly visible: ReadonlyMap<number, ReadonlyMap<string, VisibleBlock>>;
  /**
   * Files with a `use` that failed, or that use a module with a failed `use` or a syntax error:
   * a name unknown there may be in the module meant.
   */
  readonly brokenUses: ReadonlySet<number>;
  /**
   * The standard library's files. Every other file is the user's, module files included: errors
   * found in the standard library are moved to the user's line that led there, errors in a
   * user's file stay where they are.
   */
  readonly stdFiles: ReadonlySet<number>;
  /** For each module, the `use` that first brought it in (the import chain of notes). */
  readonly importedBy: ReadonlyMap<number, { readonly file: number; readonly use: UseDecl }>;
  /** The resolved absolute path of each user file (the entry and its module files). */
  readonly resolvedPaths: ReadonlyMap<number, string>;
  /**
   * For each user file, the resolved absolute paths of the user module files it depends on,
   * directly or through other modules, including files that could not be read. A language server
   * re-checks a document when one of these files changes, appears or disappears.
   */
  readonly moduleDependencies: ReadonlyMap<number, readonly string[]>;
  /** For each file, the modules its `use` lines brought in, in source order (failed ones absent). */
  readonly imports: ReadonlyMap<number, readonly Import[]>;
}

export interface VisibleBlock {
  readonly decl: BlockDecl;
  readonly file: number;
}

/** Whether a file is the user's (the entry or one of its module files), not the standard library's. */
export function isUserFile(program: Program, file: number): boolean {
  return !program.stdFiles.has(file);
}

/**
 * Where a user module sits in the imports, as notes: "`lib/b.vit` is imported by `main.vit`" at
 * the `use`, then the importer's own importer, up to the entry. Empty for the entry.
 */
export function importChainNotes(program: Program, file: number): Note[] {
  const notes: Note[] = [];
  const seen = new Set<number>();
  for (let id = file; !program.stdFiles.has(id) && !seen.has(id); ) {
    seen.add(id);
    const by = program.importedBy.get(id);
    if (!by) break;
    notes.push({ text: `\`${program.files.get(id).path}\` is imported by \`${program.files.get(by.file).path}\``, span: by.use.span });
    id = by.file;
  }
  return notes;
}

/** A module as the `use` that brought it names it: `std.vit`, or the path written. */
function moduleName(use: UseDecl): string {
  return use.file ? use.file.value : use.path.map((p) => p.text).join(".");
}

function useText(use: UseDecl): string {
  return use.file ? `use "${use.file.value}"` : `use ${moduleName(use)}`;
}

export function loadProgram(entryPath: string, entryText: string, host: Host): { program: Program; diagnostics: Diagnostic[] } {
  const { value: graph, diagnostics: loaded } = loadModules(entryPath, entryText, host);
  const { files, asts, imports, stdFiles } = graph;
  const diagnostics: Diagnostic[] = [...loaded];

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
  for (const fileId of asts.keys()) {
    if (!stdFiles.has(fileId)) diagnostics.push(...importClashes(own.get(fileId) ?? new Map(), imports.get(fileId) ?? [], own));
  }
  // Modules come before the files that use them, so each file's view is its own blocks, then
  // those of its modules' views, in the order of its `use` lines.
  const visible = new Map<number, Map<string, VisibleBlock>>();
  for (const fileId of graph.order) {
    const result = new Map(own.get(fileId));
    for (const { module } of imports.get(fileId) ?? []) {
      for (const [name, block] of visible.get(module) ?? []) if (!result.has(name)) result.set(name, block);
    }
    visible.set(fileId, result);
  }
  const moduleDependencies = new Map<number, string[]>();
  for (const fileId of graph.order) {
    if (stdFiles.has(fileId)) continue;
    const paths = new Set(graph.usedPaths.get(fileId));
    for (const { module } of imports.get(fileId) ?? []) for (const p of moduleDependencies.get(module) ?? []) paths.add(p);
    paths.delete(graph.resolvedPaths.get(fileId) as string); // A cycle leads back to the file itself.
    moduleDependencies.set(fileId, [...paths]);
  }
  const models = new Map<string, Span>();
  for (const model of asts.get(graph.entry.id)?.models ?? []) {
    const first = models.get(model.name.text);
    if (first) diagnostics.push(duplicate(model.name.text, model.name.span, first, "model"));
    else if (model.name.text) models.set(model.name.text, model.name.span);
  }
  return {
    program: {
      files, entry: graph.entry, asts, visible, brokenUses: graph.broken, stdFiles, importedBy: graph.importedBy,
      resolvedPaths: graph.resolvedPaths, moduleDependencies, imports,
    },
    diagnostics,
  };
}

/**
 * Names a user's file would see twice: its own block named like one a `use` brings in (which
 * would silently win over it in this file: `block vit(...)` next to `use std.vit`), and two
 * modules it uses that define the same name (the first would silently win).
 */
function importClashes(blocks: ReadonlyMap<string, VisibleBlock>, imports: readonly Import[], own: ReadonlyMap<number, ReadonlyMap<string, VisibleBlock>>): Diagnostic[] {
  const found: Diagnostic[] = [];
  const seen = new Map<string, Import>();
  const done = new Set<number>();
  for (const current of imports) {
    if (done.has(current.module)) continue; // The same module used twice brings the same blocks.
    done.add(current.module);
    const module = moduleName(current.use);
    for (const [name, imported] of own.get(current.module) ?? []) {
      const definedThere: Label = { span: imported.decl.name.span, text: `\`${module}\`'s \`${name}\` is defined here` };
      const mine = blocks.get(name);
      if (mine) {
        found.push(makeDiagnostic("V2009", `block \`${name}\` has the name of \`${module}\`'s \`${name}\``, mine.decl.name.span, {
          label: `hides \`${module}\`'s block in this file`,
          labels: [definedThere],
          help: [`rename this block, or leave out \`${useText(current.use)}\` if it is meant to replace it`],
        }));
        continue;
      }
      const earlier = seen.get(name);
      if (!earlier) {
        seen.set(name, current);
        continue;
      }
      const first = moduleName(earlier.use);
      const firstDecl = own.get(earlier.module)?.get(name) as VisibleBlock;
      found.push(makeDiagnostic("V2009", `block \`${name}\` is defined by both \`${first}\` and \`${module}\``, current.use.file?.span ?? current.use.span, {
        label: `brings in a second \`${name}\``,
        labels: [{ span: firstDecl.decl.name.span, text: `\`${first}\`'s \`${name}\` is defined here` }, definedThere],
        help: [`rename one of the two blocks, or use only one of the two modules`],
      }));
    }
  }
  return found;
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
