import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // The CLI is tested through the real bin/vitc.js, which runs dist/: rebuilt here when stale.
    globalSetup: ["test/helpers/build-once.ts"],
    // Under CI nothing is written: a missing golden file fails instead of being created.
    update: false,
    testTimeout: 60_000,
  },
});
