import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { venvBin } from "../../packages/dev/src/python-env";
import { startDevRuntime } from "../support/dev-runtime";

/**
 * schemathesis fuzzes the local runtime from its own OpenAPI document, authenticated, with a
 * bounded number of examples per operation: no 5xx, no response that breaks its schema, no
 * schema-valid request refused, no schema-violating request accepted.
 *
 * Left out on purpose: POST /vault/token/renew answers 400 for the dev root token whatever the
 * request (a state, not an input).
 */
const run = promisify(execFile);
let stack: Awaited<ReturnType<typeof startDevRuntime>>;

beforeAll(async () => {
  stack = await startDevRuntime();
}, 120_000);
afterAll(async () => {
  await stack?.stop();
});

describe("schemathesis", () => {
  it("finds nothing to report", async () => {
    const args = [
      "run",
      `${stack.facts.apiUrl}/api/v1/openapi.json`,
      "-H",
      `Authorization: Bearer ${stack.facts.apiToken}`,
      "--checks",
      "all",
      "--exclude-operation-id",
      "vaultTokenRenew",
      "--max-examples",
      "5",
      "--phases",
      "examples,coverage,fuzzing",
      "--seed",
      "7",
      "--no-shrink",
      "--max-time",
      "180",
      "--request-timeout",
      "20",
    ];
    let output = "";
    let code = 0;
    try {
      const { stdout, stderr } = await run(venvBin("schemathesis"), args, {
        maxBuffer: 64 * 1024 * 1024,
        env: { ...process.env, NO_COLOR: "1" },
      });
      output = stdout + stderr;
    } catch (error) {
      const e = error as { code: number; stdout: string; stderr: string };
      code = e.code;
      output = e.stdout + e.stderr;
    }
    const summary = output.split("\n").filter((l) => /ST\d{3}|Network Error|Unhealthy|=+ .* in [\d.]+s/.test(l));
    expect(summary.join("\n"), output.slice(-6000)).not.toMatch(/ST\d{3}|Network Error|Unhealthy/);
    expect(code, output.slice(-3000)).toBe(0);
  }, 300_000);
});
