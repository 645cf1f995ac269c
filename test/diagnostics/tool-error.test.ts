// isToolError must recognise a ToolError thrown by another copy of its module: `vitc` runs as a
// bundle while the model runner loads dist/ itself, and an `instanceof` check alone made every
// error of `vitc run` an "internal error" (exit 70). Through the real process:
// test/images/hostile-process.test.ts.

import { describe, expect, it, vi } from "vitest";
import { ToolError, isToolError } from "../../src/diagnostics/tool-error";

describe("isToolError", () => {
  it("recognises a ToolError from a second copy of the module", async () => {
    vi.resetModules();
    const other = await import("../../src/diagnostics/tool-error");
    expect(other.ToolError).not.toBe(ToolError);
    const err = new other.ToolError("V4004", "`x.png` is not a PNG or JPEG image", { file: "x.png" });
    expect(err instanceof ToolError).toBe(false);
    expect(isToolError(err)).toBe(true);
  });

  it("does not take other errors for ToolErrors", () => {
    expect(isToolError(new Error("boom"))).toBe(false);
    expect(isToolError(Object.assign(new Error("boom"), { code: "V4004" }))).toBe(false);
    expect(isToolError(undefined)).toBe(false);
    expect(isToolError("V4004")).toBe(false);
  });
});
