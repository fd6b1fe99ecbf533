import { defineConfig } from "vitest/config";

/**
 * Six projects. `unit` (test/unit, test/infra) needs no server and runs alone with
 * `npm run test:unit`; `rehearsal` runs sst.config.ts through SST's own components (npm run rehearse);
 * integration, e2e and artifacts share real services that their global setup
 * starts (OpenBao, dynalite, moto on free loopback ports); `rights` runs last and checks the AWS calls
 * the others recorded against each function's IAM rights. Every log line of a run goes to a file that the global
 * teardown scans for the secret values the tests used.
 */
const shared = {
  env: {
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
    LOG_LEVEL: "info",
    VAULTOPS_TEST_LOG: `${process.cwd()}/.vaultops/test-logs.jsonl`,
    VAULTOPS_TEST_SECRETS: `${process.cwd()}/.vaultops/test-secrets.txt`,
    // Every AWS call a function makes, for the rights test (packages/core/src/aws/call-recorder.ts).
    VAULTOPS_AWS_CALL_LOG: `${process.cwd()}/.vaultops/aws-calls.jsonl`,
  },
  setupFiles: ["test/support/setup-tee.ts"],
  // Handler logs are in the log file; keep the console for test results.
  onConsoleLog: () => false,
  testTimeout: 30_000,
  hookTimeout: 120_000,
  pool: "forks" as const,
};
const withServices = (name: string, folder: string) => ({
  test: {
    ...shared,
    name,
    include: [`test/${folder}/**/*.test.ts`],
    globalSetup: ["test/support/global-setup.ts"],
    sequence: { groupOrder: 0 },
  },
});

export default defineConfig({
  test: {
    // The JSON report lets CI print a plain "N passed, N failed" line.
    reporters: ["default", ["json", { outputFile: ".vaultops/test-results.json" }]],
    projects: [
      {
        test: {
          ...shared,
          name: "unit",
          include: ["test/unit/**/*.test.ts", "test/infra/**/*.test.ts"],
          exclude: ["test/infra/rehearsal.test.ts"],
          sequence: { groupOrder: 0 },
        },
      },
      // SST's own components under Pulumi's mocks, one process per stage (no services, but not quick).
      {
        test: { ...shared, name: "rehearsal", include: ["test/infra/rehearsal.test.ts"], sequence: { groupOrder: 0 } },
      },
      withServices("integration", "integration"),
      withServices("e2e", "e2e"),
      withServices("artifacts", "artifacts"),
      // After every other project: the AWS calls they recorded against each function's rights.
      { test: { ...shared, name: "rights", include: ["test/rights/**/*.test.ts"], sequence: { groupOrder: 1 } } },
    ],
  },
});
