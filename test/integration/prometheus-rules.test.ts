import { execFileSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { ensurePromtool } from "../../packages/dev/src/promtool";

/**
 * The shipped alert rules, checked and unit-tested by Prometheus's own promtool: each alert fires on
 * the series that should set it off and stays quiet on those that should not
 * (test/fixtures/prometheus/rules.test.yml).
 */
const log = (line: string) => process.stderr.write(`${line}\n`);
const { promtool, reason } = await ensurePromtool(log);
if (!promtool) {
  const message = `promtool is missing (${reason}): the alert rules were NOT tested`;
  if (process.env.CI === "true") throw new Error(message);
  log(`\n!!! ${message} !!!\n`);
}

describe.runIf(promtool)("monitoring/prometheus-rules.yml under promtool", () => {
  const run = (args: string[]) => execFileSync(promtool as string, args, { encoding: "utf8", stdio: "pipe" });

  it("passes promtool check rules", () => {
    expect(run(["check", "rules", "monitoring/prometheus-rules.yml"])).toMatch(/SUCCESS: \d+ rules found/);
  });

  it("passes promtool test rules: every alert fires when it should and stays quiet when it should not", () => {
    expect(run(["test", "rules", "test/fixtures/prometheus/rules.test.yml"])).toMatch(/SUCCESS/);
  });
});
