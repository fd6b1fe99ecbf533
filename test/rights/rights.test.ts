import { existsSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { rightsKinds } from "../../infra/rights";
import { callLogFile, checkRights, judged, readCalls } from "../support/rights-check";

/**
 * Runs after every other project (vitest.config.ts: groupOrder): the AWS calls each function made while
 * the unit, integration, e2e and artifact suites ran (in process and under the Lambda emulator),
 * against the rights infra/rights.ts gives its kind.
 */
describe("each function's rights match the AWS calls it makes", () => {
  const calls = existsSync(callLogFile) ? readCalls() : [];

  it("has the calls of this run (the suites with services record them)", () => {
    expect(calls.filter(judged).length, `no calls in ${callLogFile}: run npm test`).toBeGreaterThan(50);
  });

  it("covers every recorded call with a right of the function's kind", () => {
    expect(checkRights(calls, rightsKinds).uncovered).toEqual([]);
  });

  it("grants no kind an action (or a DynamoDB key class) that none of its functions was seen to use", () => {
    expect(checkRights(calls, rightsKinds).unused).toEqual([]);
  });
});
