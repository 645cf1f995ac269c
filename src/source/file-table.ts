// The files of one compilation, by id, each with its line index built on first use.

import { LineIndex } from "./line-index";
import type { FileId, SourceFile } from "./span";

export class FileTable {
  private readonly files: SourceFile[] = [];
  private readonly indexes = new Map<FileId, LineIndex>();

  add(path: string, text: string): SourceFile {
    const file: SourceFile = { id: this.files.length, path, text };
    this.files.push(file);
    return file;
  }

  get(id: FileId): SourceFile {
    return this.files[id];
  }

  byPath(path: string): SourceFile | undefined {
    return this.files.find((f) => f.path === path);
  }

  all(): readonly SourceFile[] {
    return this.files;
  }

  lineIndex(id: FileId): LineIndex {
    let index = this.indexes.get(id);
    if (!index) {
      index = new LineIndex(this.files[id].text);
      this.indexes.set(id, index);
    }
    return index;
  }
}
