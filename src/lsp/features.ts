// The requests the server answers besides diagnostics, each handed to its own file; every
// handler works on the analysis of the document's current version (workspace.ts).

import { ErrorCodes, ResponseError, type Connection, type ServerCapabilities } from "vscode-languageserver";
import { codeActions } from "./actions";
import { completion, signatureHelp } from "./completion";
import { formatDocument } from "./formatting";
import { hover } from "./hover";
import { inlayHints, type InlaySettings } from "./inlay";
import { definition, invalidName, prepareRename, references, rename } from "./navigation";
import { documentSymbols, foldingRanges } from "./outline";
import { semanticTokens, semanticTokensLegend } from "./semantic-tokens";
import type { Analysis, Workspace } from "./workspace";

export const serverCapabilities: ServerCapabilities = {
  hoverProvider: true,
  inlayHintProvider: true,
  definitionProvider: true,
  referencesProvider: true,
  completionProvider: { triggerCharacters: ["(", ",", " ", ".", "\""] },
  signatureHelpProvider: { triggerCharacters: ["(", ","], retriggerCharacters: [":"] },
  codeActionProvider: { codeActionKinds: ["quickfix"] },
  documentSymbolProvider: true,
  foldingRangeProvider: true,
  semanticTokensProvider: { legend: semanticTokensLegend, full: true },
  renameProvider: { prepareProvider: true },
  documentFormattingProvider: true,
};

/** Registers the handlers; returns what reads the client's initialization options. */
export function registerFeatures(connection: Connection, workspace: Workspace): (initializationOptions: unknown) => void {
  let settings: InlaySettings = { stepShapes: true, modelSummary: true };
  const readSettings = (value: unknown) => {
    const hints = (value as { inlayHints?: Partial<InlaySettings> } | undefined)?.inlayHints;
    if (hints && typeof hints === "object") settings = { stepShapes: hints.stepShapes !== false, modelSummary: hints.modelSummary !== false };
  };
  connection.onDidChangeConfiguration((e) => {
    readSettings((e.settings as { vitc?: unknown } | undefined)?.vitc);
    void connection.languages.inlayHint.refresh().catch(() => undefined);
  });

  /**
   * Runs a request on a document's analysis; a document that is not open gets `fallback`, and
   * parameters of the wrong shape a JSON-RPC InvalidParams error.
   */
  const on = <T>(uri: unknown, fallback: T, answer: (a: Analysis) => T): T => {
    if (typeof uri !== "string") throw new ResponseError(ErrorCodes.InvalidParams, "`textDocument.uri` must be a string");
    const a = workspace.analysis(uri);
    return a ? answer(a) : fallback;
  };
  const offset = (a: Analysis, position: unknown) => {
    const p = position as { line?: unknown; character?: unknown } | undefined;
    if (!p || !Number.isInteger(p.line) || !Number.isInteger(p.character) || (p.line as number) < 0 || (p.character as number) < 0) {
      throw new ResponseError(ErrorCodes.InvalidParams, "`position` must be {line, character} with non-negative integers");
    }
    return a.lines.offset(p as { line: number; character: number });
  };

  connection.onHover((p) => on(p.textDocument?.uri, null, (a) => hover(a, offset(a, p.position))));
  connection.languages.inlayHint.on((p) => on(p.textDocument?.uri, [], (a) => {
    offset(a, p.range?.start);
    offset(a, p.range?.end);
    return inlayHints(a, p.range, settings);
  }));
  connection.onDefinition((p) => on(p.textDocument?.uri, [], (a) => definition(a, offset(a, p.position))));
  connection.onReferences((p) => on(p.textDocument?.uri, [], (a) => {
    const others = workspace.uris().filter((u) => u !== a.uri).flatMap((u) => workspace.analysis(u) ?? []);
    return references(a, offset(a, p.position), others, p.context.includeDeclaration);
  }));
  connection.onCompletion((p) => on(p.textDocument?.uri, [], (a) => completion(a, offset(a, p.position))));
  connection.onSignatureHelp((p) => on(p.textDocument?.uri, null, (a) => signatureHelp(a, offset(a, p.position))));
  connection.onCodeAction((p) => codeActions(p));
  connection.onDocumentSymbol((p) => on(p.textDocument?.uri, [], documentSymbols));
  connection.onFoldingRanges((p) => on(p.textDocument?.uri, [], foldingRanges));
  connection.languages.semanticTokens.on((p) => on(p.textDocument?.uri, { data: [] }, semanticTokens));
  connection.onPrepareRename((p) => on(p.textDocument?.uri, null, (a) => prepareRename(a, offset(a, p.position))));
  connection.onRenameRequest((p) => on(p.textDocument?.uri, null, (a) => {
    const problem = invalidName(p.newName);
    if (problem) throw new ResponseError(-32602, problem);
    return rename(a, offset(a, p.position), p.newName);
  }));
  connection.onDocumentFormatting((p) => on(p.textDocument?.uri, [], formatDocument));
  return (options) => readSettings((options as { vitc?: unknown } | undefined)?.vitc ?? options);
}
