// The server's view of the files: open documents (their latest text, by version) over the disk,
// and one analysis per open document, made on demand and kept until its text or one of the user
// modules it depends on changes. The standard library is read and parsed once per process
// (elaborate/modules.ts), so an edit re-runs only the document's own parse, names and expansion.

import type { TextDocument } from "vscode-languageserver-textdocument";
import * as path from "node:path";
import { compileSource, type Compilation } from "../pipeline";
import type { NameIndex } from "../elaborate/resolve";
import { diskHost, locateFile, readTextFile, stdLibraryDir, type Host } from "../source/host";
import type { LineIndex } from "../source/line-index";
import { pathToUri, uriToPath } from "./uri";

export interface Analysis {
  readonly uri: string;
  readonly version: number;
  readonly path: string;
  readonly text: string;
  readonly compilation: Compilation;
  /** The document's file id in the compilation (its entry). */
  readonly file: number;
  readonly lines: LineIndex;
  /** Resolved paths of the user modules the document depends on. */
  readonly dependencies: readonly string[];
  /** Name resolution of every file of the compilation (the pipeline's, elaborate/resolve.ts). */
  names(): NameIndex;
  /** The URI of a file of the compilation (the document, a module, a standard-library file). */
  uriOf(file: number): string | undefined;
}

export class Workspace {
  private readonly open = new Map<string, TextDocument>();
  /** Open documents by resolved path, for modules that are open in the editor. */
  private readonly byPath = new Map<string, TextDocument>();
  private readonly analyses = new Map<string, Analysis>();
  private readonly disk = diskHost();
  readonly host: Host = {
    readFile: (p) => {
      const doc = this.byPath.get(path.resolve(p));
      return doc ? { ok: true, text: doc.getText() } : readTextFile(p);
    },
    locate: locateFile,
    readStdModule: (name) => this.disk.readStdModule(name),
    prebuiltStdAst: (name, text) => this.disk.prebuiltStdAst?.(name, text),
  };

  set(doc: TextDocument): void {
    this.open.set(doc.uri, doc);
    this.byPath.set(uriToPath(doc.uri), doc);
  }

  close(uri: string): void {
    this.open.delete(uri);
    this.byPath.delete(uriToPath(uri));
    this.analyses.delete(uri);
  }

  document(uri: string): TextDocument | undefined {
    return this.open.get(uri);
  }

  uris(): string[] {
    return [...this.open.keys()];
  }

  /**
   * The open documents other than `except` that depend on the file at `changed` (a module opened,
   * edited, closed or changed on disk). Their analyses are dropped, to be made again.
   */
  dependents(changed: string, except?: string): string[] {
    const resolved = path.resolve(changed);
    const found: string[] = [];
    for (const uri of this.open.keys()) {
      if (uri === except) continue;
      const a = this.analyses.get(uri);
      // A document not analysed yet will read the module's current text when it is.
      if (!a || a.dependencies.includes(resolved)) {
        this.analyses.delete(uri);
        if (a) found.push(uri);
      }
    }
    return found;
  }

  /** The analysis of an open document's current version (made now if it is not there). */
  analysis(uri: string): Analysis | undefined {
    const doc = this.open.get(uri);
    if (!doc) return undefined;
    const cached = this.analyses.get(uri);
    if (cached && cached.version === doc.version) return cached;
    const made = this.analyse(doc);
    this.analyses.set(uri, made);
    return made;
  }

  private analyse(doc: TextDocument): Analysis {
    const filePath = uriToPath(doc.uri);
    const text = doc.getText();
    const compilation = compileSource(filePath, text, this.host);
    const program = compilation.program;
    const file = program.entry.id;
    return {
      uri: doc.uri,
      version: doc.version,
      path: filePath,
      text,
      compilation,
      file,
      lines: compilation.files.lineIndex(file),
      dependencies: program.moduleDependencies.get(file) ?? [],
      names: () => compilation.names,
      uriOf: (id) => {
        if (id === file) return doc.uri;
        if (program.stdFiles.has(id)) return pathToUri(path.join(stdLibraryDir(), path.basename(program.files.get(id).path)));
        const resolved = program.resolvedPaths.get(id);
        if (!resolved) return undefined;
        return this.byPath.get(resolved)?.uri ?? pathToUri(resolved);
      },
    };
  }
}
