import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // Under CI nothing is written: a missing golden file fails instead of being created.
    update: false,
    testTimeout: 60_000,
  },
});
