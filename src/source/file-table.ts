// The files of one compilation, by id, each with its line index built on first use.

import { LineIndex } from "./line-index";
import type { FileId, SourceFile } from "./span";

export class FileTable {
  private readonly files = new Map<FileId, SourceFile>();
  private readonly indexes = new Map<FileId, LineIndex>();
  private nextId = 0;

  /** Adds a file; `id` may be given to keep a file's id stable across compilations. */
  add(path: string, text: string, id: FileId = this.nextId): SourceFile {
    if (this.files.has(id)) throw new Error(`file id ${id} is already taken`);
    const file: SourceFile = { id, path, text };
    this.files.set(id, file);
    this.nextId = Math.max(this.nextId, id + 1);
    return file;
  }

  get(id: FileId): SourceFile {
    const file = this.files.get(id);
    if (!file) throw new Error(`no file with id ${id}`);
    return file;
  }

  all(): readonly SourceFile[] {
    return [...this.files.values()];
  }

  lineIndex(id: FileId): LineIndex {
    let index = this.indexes.get(id);
    if (!index) {
      index = new LineIndex(this.get(id).text);
      this.indexes.set(id, index);
    }
    return index;
  }
}
