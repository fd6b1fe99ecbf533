import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    globalSetup: ["test/support/global-setup.ts"],
    // Logs of every suite (and of the dev runtimes they start) are teed to a file that the global
    // teardown scans for the secret values the tests used.
    env: {
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
      LOG_LEVEL: "info",
      VAULTOPS_LOG_TEE: `${process.cwd()}/.vaultops/test-logs.jsonl`,
      VAULTOPS_TEST_SECRETS: `${process.cwd()}/.vaultops/test-secrets.txt`,
    },
    // Handler logs are in the tee file; keep the console for test results.
    onConsoleLog: () => false,
    testTimeout: 30_000,
    hookTimeout: 120_000,
    pool: "forks",
    // The JSON report lets CI print a plain "N passed, N failed" line.
    reporters: ["default", ["json", { outputFile: ".vaultops/test-results.json" }]],
  },
});
