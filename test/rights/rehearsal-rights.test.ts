import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import type { RehearsalGraph } from "../../packages/dev/src/rehearsal/graph";
import { prepareRehearsal, rehearseStage } from "../../packages/dev/src/rehearsal/rehearsal";
import { checkPolicies } from "../support/rehearsal-checks";
import { callLogFile, judged, readCalls } from "../support/rights-check";

/**
 * After every other project: the role policies SST generated in the deploy rehearsal (production, the
 * stage that routes a scope to Secrets Manager, so every right of infra/rights.ts is rendered) against
 * the AWS calls the suites recorded. test/rights/rights.test.ts checks infra/rights.ts itself; this
 * checks what a deploy would give each Lambda role.
 */
describe("the rehearsed role policies match the AWS calls each function makes", () => {
  const calls = existsSync(callLogFile) ? readCalls() : [];

  it("covers every recorded call and grants nothing unused", { timeout: 600_000 }, async () => {
    expect(calls.filter(judged).length, `no calls in ${callLogFile}: run npm test`).toBeGreaterThan(50);
    // The unit project's rehearsal wrote it earlier in this run; rehearse when it did not.
    const file = path.join(process.cwd(), ".vaultops", "rehearsal", "production.json");
    let graph: RehearsalGraph;
    if (existsSync(file)) graph = JSON.parse(readFileSync(file, "utf8")) as RehearsalGraph;
    else {
      await prepareRehearsal();
      graph = await rehearseStage("production");
    }
    expect(checkPolicies(graph, calls)).toEqual([]);
  });
});
