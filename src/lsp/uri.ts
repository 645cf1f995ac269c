// Document URIs and the paths the compiler reads. A `file:` URI is a path on disk; any other
// scheme (an editor's unsaved `untitled:` buffer) gets a made-up path in the working directory,
// so that its `use "…"` lines resolve from there, as `vitc check` would for a file there.

import * as path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

export function uriToPath(uri: string): string {
  if (uri.startsWith("file:")) {
    try {
      return fileURLToPath(uri);
    } catch {
      // A malformed file URI: handled as an unsaved buffer below.
    }
  }
  const name = uri.replace(/^[a-z][a-z0-9+.-]*:/i, "").replace(/[^A-Za-z0-9_.-]+/g, "_") || "untitled";
  return path.resolve(name.endsWith(".vit") ? name : `${name}.vit`);
}

export function pathToUri(filePath: string): string {
  return pathToFileURL(filePath).href;
}
