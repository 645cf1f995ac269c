// Loads the files of one compilation: the entry file, and the modules it `use`s directly or
// through other modules: standard-library modules (`use std.vit`) and the user's own files
// (`use "lib/blocks.vit"`, relative to the file that holds the `use`). File access goes only
// through the Host.
// Invariants: each file is read and parsed once however many files use it (a user module is
// identified by its resolved absolute path, a standard-library module by its name); a `use` that
// cannot be followed (no such module, an unreadable file, a cycle) is reported once, at the `use`,
// and leaves no edge, so the import graph handed on has no cycle.

import { makeDiagnostic, type Diagnostic, type Staged } from "../diagnostics/diagnostic";
import { closestName } from "../diagnostics/similar";
import { FileTable } from "../source/file-table";
import type { FileLocation, Host } from "../source/host";
import type { SourceFile } from "../source/span";
import type { SourceAst, UseDecl } from "../syntax/ast";
import { parseSource } from "../syntax/parse";

/** One `use` that was followed: the module it brought in. */
export interface Import {
  readonly module: number;
  readonly use: UseDecl;
}

export interface ModuleGraph {
  readonly files: FileTable;
  readonly entry: SourceFile;
  readonly asts: ReadonlyMap<number, SourceAst>;
  /** For each file, the modules its `use` lines brought in, in source order. */
  readonly imports: ReadonlyMap<number, readonly Import[]>;
  /** Every file, each after the modules it uses (the entry last). */
  readonly order: readonly number[];
  /** The standard library's files. Every other file is the user's, modules included. */
  readonly stdFiles: ReadonlySet<number>;
  /** For each module, the `use` that first brought it in: the import chain shown in notes. */
  readonly importedBy: ReadonlyMap<number, { readonly file: number; readonly use: UseDecl }>;
  /** The resolved absolute path of each user file. */
  readonly resolvedPaths: ReadonlyMap<number, string>;
  /** For each user file, the resolved paths its `use "…"` lines name, unreadable ones included. */
  readonly usedPaths: ReadonlyMap<number, readonly string[]>;
  /**
   * Files with a `use` that could not be followed, or that use a module with syntax errors or a
   * broken module of its own: names unknown in them may be in the module meant.
   */
  readonly broken: ReadonlySet<number>;
}

export const STD_PREFIX = "std/";

/** Whether a shown path is the standard library's (`std/vit.vit`). */
export function isStdPath(path: string): boolean {
  return path.startsWith(STD_PREFIX);
}

/** The standard library's modules (for `use` suggestions). */
export const stdModules = ["vit", "swin", "mobilevit", "resnetv2", "layers"];

/**
 * Standard-library modules get fixed file ids, so that their parsed ASTs, whose spans carry the
 * id, can be shared by every compilation in a process. User modules are numbered from 1 (the
 * entry is 0), skipping this range.
 */
const STD_FIRST_ID = 1000;
const STD_LAST_ID = 1999;
const stdAstCache = new Map<string, { text: string; parsed: Staged<SourceAst> }>();

function stdFileId(name: string, taken: (id: number) => boolean): number {
  const known = stdModules.indexOf(name);
  if (known >= 0) return STD_FIRST_ID + known;
  let id = STD_FIRST_ID + stdModules.length;
  while (taken(id)) id++;
  return id;
}

function parseStd(file: SourceFile, name: string, host: Host): Staged<SourceAst> {
  const hit = stdAstCache.get(name);
  if (hit && hit.text === file.text && hit.parsed.value.file === file.id) return hit.parsed;
  const saved = host.prebuiltStdAst?.(name, file.text) as SourceAst | undefined;
  const parsed = saved?.file === file.id ? { value: saved, diagnostics: [] } : parseSource(file);
  stdAstCache.set(name, { text: file.text, parsed });
  return parsed;
}

/** A file whose `use` lines are being followed, depth first. */
interface Frame {
  readonly file: SourceFile;
  /** The resolved path of a user file, `std.NAME` for a standard-library module. */
  readonly key: string;
  /** Undefined for the standard library, whose modules use only each other. */
  readonly location?: FileLocation;
  readonly uses: readonly UseDecl[];
  next: number;
  readonly imports: Import[];
}

export function loadModules(entryPath: string, entryText: string, host: Host): Staged<ModuleGraph> {
  return new ModuleLoader(host).load(entryPath, entryText);
}

class ModuleLoader {
  private readonly files = new FileTable();
  private readonly diagnostics: Diagnostic[] = [];
  private readonly asts = new Map<number, SourceAst>();
  private readonly imports = new Map<number, Import[]>();
  private readonly order: number[] = [];
  private readonly stdFiles = new Set<number>();
  private readonly importedBy = new Map<number, { file: number; use: UseDecl }>();
  private readonly resolvedPaths = new Map<number, string>();
  private readonly usedPaths = new Map<number, string[]>();
  private readonly broken = new Set<number>();
  private readonly withSyntaxErrors = new Set<number>();
  /** File ids by key (see Frame). */
  private readonly ids = new Map<string, number>();
  /** The chain of files being followed, entry first: a `use` of one of them closes a cycle. */
  private readonly open: Frame[] = [];
  private nextUserId = 1;

  constructor(private readonly host: Host) {}

  load(entryPath: string, entryText: string): Staged<ModuleGraph> {
    const location = this.host.locate(entryPath);
    const entry = this.files.add(entryPath, entryText);
    this.start(entry, location.resolved, location);
    // Depth first, without recursion: a long chain of modules cannot overflow the stack.
    while (this.open.length > 0) {
      const frame = this.open[this.open.length - 1];
      if (frame.next < frame.uses.length) {
        const use = frame.uses[frame.next++];
        if (use.file) this.useFile(frame, use, use.file.value);
        else this.useStd(frame, use);
        continue;
      }
      this.open.pop();
      this.imports.set(frame.file.id, frame.imports);
      this.order.push(frame.file.id);
    }
    // A module with a syntax error may have lost a block, and a broken one may miss blocks it
    // meant to bring: names unknown in the files that use them are follow-on errors.
    for (const id of this.order) {
      const imports = this.imports.get(id) ?? [];
      if (imports.some((i) => this.broken.has(i.module) || this.withSyntaxErrors.has(i.module))) this.broken.add(id);
    }
    return {
      value: {
        files: this.files, entry, asts: this.asts, imports: this.imports, order: this.order, stdFiles: this.stdFiles,
        importedBy: this.importedBy, resolvedPaths: this.resolvedPaths, usedPaths: this.usedPaths, broken: this.broken,
      },
      diagnostics: this.diagnostics,
    };
  }

  private start(file: SourceFile, key: string, location: FileLocation | undefined, stdName?: string): void {
    const parsed = stdName === undefined ? parseSource(file) : parseStd(file, stdName, this.host);
    this.diagnostics.push(...parsed.diagnostics);
    if (parsed.diagnostics.length > 0) this.withSyntaxErrors.add(file.id);
    this.asts.set(file.id, parsed.value);
    this.ids.set(key, file.id);
    if (location) this.resolvedPaths.set(file.id, location.resolved);
    this.open.push({ file, key, location, uses: parsed.value.uses, next: 0, imports: [] });
  }

  private follow(frame: Frame, use: UseDecl, module: number): void {
    frame.imports.push({ module, use });
    if (!this.importedBy.has(module)) this.importedBy.set(module, { file: frame.file.id, use });
  }

  private fail(frame: Frame, diagnostic: Diagnostic): void {
    this.broken.add(frame.file.id);
    this.diagnostics.push(diagnostic);
  }

  private useFile(frame: Frame, use: UseDecl, written: string): void {
    const span = use.file?.span ?? use.span;
    if (!frame.location) {
      this.fail(frame, makeDiagnostic("V2008", `unknown module \`${written}\``, span, {
        label: "the standard library uses only its own modules",
      }));
      return;
    }
    const location = this.host.locate(written, frame.location);
    const used = this.usedPaths.get(frame.file.id) ?? [];
    used.push(location.resolved);
    this.usedPaths.set(frame.file.id, used);
    const cycleStart = this.open.findIndex((f) => f.key === location.resolved);
    if (cycleStart >= 0) {
      const chain = [...this.open.slice(cycleStart).map((f) => f.file.path), this.open[cycleStart].file.path];
      const self = cycleStart === this.open.length - 1;
      this.fail(frame, makeDiagnostic("V2018", `import cycle: ${chain.map((p) => `\`${p}\``).join(" → ")}`, span, {
        label: self ? "a file cannot use itself" : `\`${this.open[cycleStart].file.path}\` uses this file, directly or through others`,
        notes: [{ text: "a module's blocks are loaded before the file that uses it, so two files cannot use each other" }],
        help: [self ? "remove this `use`" : "move the blocks both files need into a third file that both use"],
      }));
      return;
    }
    const known = this.ids.get(location.resolved);
    if (known !== undefined) {
      this.follow(frame, use, known);
      return;
    }
    const read = this.host.readFile(location.resolved);
    if (!read.ok) {
      this.fail(frame, makeDiagnostic("V2008", `cannot read module \`${written}\`: ${read.reason}`, span, {
        notes: [{ text: `\`${written}\` is looked for in the directory of \`${frame.file.path}\`: \`${location.resolved}\`` }],
      }));
      return;
    }
    const file = this.files.add(location.shown, read.text, this.userFileId());
    this.follow(frame, use, file.id);
    this.start(file, location.resolved, location);
  }

  private useStd(frame: Frame, use: UseDecl): void {
    const parts = use.path.map((p) => p.text);
    if (parts.length === 0 || parts.some((p) => p === "")) return; // A syntax error was reported.
    const stdList = { text: `the standard library has: ${stdModules.map((m) => `std.${m}`).join(", ")}` };
    if (parts[0] !== "std" || parts.length !== 2) {
      this.fail(frame, makeDiagnostic("V2008", `unknown module \`${parts.join(".")}\``, use.span, {
        label: "not a standard-library module",
        notes: [stdList],
        help: [`a file of your own is used by its path, in quotes: \`use "${parts.join("/")}.vit"\``],
      }));
      return;
    }
    const name = parts[1];
    const key = `std.${name}`;
    const known = this.ids.get(key);
    if (known !== undefined) {
      this.follow(frame, use, known);
      return;
    }
    const module = this.host.readStdModule(name);
    if (!module) {
      const similar = closestName(name, stdModules);
      this.fail(frame, makeDiagnostic("V2008", `unknown module \`std.${name}\``, use.path[1].span, {
        label: "no such standard-library module",
        notes: [stdList],
        suggestions: similar ? [{ message: `a module with a similar name exists: \`std.${similar}\``, edits: [{ span: use.path[1].span, newText: similar }], applicability: "maybe-incorrect" }] : [],
      }));
      return;
    }
    const file = this.files.add(module.path, module.text, stdFileId(name, (id) => this.asts.has(id) || this.stdFiles.has(id)));
    this.stdFiles.add(file.id);
    this.follow(frame, use, file.id);
    this.start(file, key, undefined, name);
  }

  private userFileId(): number {
    if (this.nextUserId === STD_FIRST_ID) this.nextUserId = STD_LAST_ID + 1;
    return this.nextUserId++;
  }
}
