import type { VaultopsContext } from "@vaultops/core";
import { alarmAction, scheduledJob, secretsManagerRotation, tokenAuthorizer } from "@vaultops/lambda";
import type { ScheduledEvent } from "aws-lambda";
import { describe, expect, it } from "vitest";
import { canonicalAuthorizerEvent, fixture } from "../../support/events";

/**
 * The non-HTTP entry kinds on their middy stacks, with a fake context: the run recorded and logged,
 * the counters flushed every time (success or failure), an event of another kind refused before any work.
 */
function setup() {
  const lines: Array<{ level: string; msg: string; fields: Record<string, unknown> }> = [];
  const runs: Array<{ name: string; ok: boolean; summary: Record<string, unknown> }> = [];
  const counts = { flush: 0, emf: 0 };
  let now = 1_000;
  const ctx = {
    clock: { now: () => (now += 5) },
    logger: {
      debug: () => {},
      info: (msg: string, fields: Record<string, unknown>) => lines.push({ level: "info", msg, fields }),
      warn: (msg: string, fields: Record<string, unknown>) => lines.push({ level: "warn", msg, fields }),
      error: (msg: string, fields: Record<string, unknown>) => lines.push({ level: "error", msg, fields }),
    },
    accessMetrics: { flush: () => counts.emf++ },
    recorder: { flush: async () => void counts.flush++, flushIfDue: async () => {} },
    jobRuns: {
      record: async (name: string, run: { ok: boolean; summary: Record<string, unknown> }) =>
        void runs.push({ name, ok: run.ok, summary: run.summary }),
    },
    apiTokens: {
      check: async (t: string) =>
        t === "good"
          ? { ok: true, principal: { name: "ci", scopes: ["monitor"], paths: ["a/*"] } }
          : { ok: false, reason: "unknown" },
    },
  } as unknown as VaultopsContext;
  return { ctx, lines, runs, counts };
}

const scheduled = () => fixture<ScheduledEvent>("scheduled-event");

describe("scheduledJob", () => {
  it("records, logs and flushes a run, and answers {ok, ...summary}", async () => {
    const { ctx, lines, runs, counts } = setup();
    const job = scheduledJob({ handler: "functions/jobs/health-check.handler" }, async () => ({
      ok: true,
      summary: { checked: 3 },
    }))(() => ctx);
    expect(await job(scheduled(), { awsRequestId: "req-1" })).toEqual({ ok: true, checked: 3 });
    expect(runs).toEqual([{ name: "health-check", ok: true, summary: { checked: 3 } }]);
    expect(lines).toEqual([
      {
        level: "info",
        msg: "job finished",
        fields: { job: "health-check", ok: true, duration_ms: expect.any(Number), request_id: "req-1", checked: 3 },
      },
    ]);
    expect(counts).toEqual({ flush: 1, emf: 1 });
  });

  it("records a job that throws as failed, flushes, and rethrows", async () => {
    const { ctx, lines, runs, counts } = setup();
    const job = scheduledJob({ handler: "functions/jobs/health-check.handler" }, async () => {
      throw new TypeError("broken");
    })(() => ctx);
    await expect(job(scheduled())).rejects.toThrow("broken");
    expect(runs).toEqual([{ name: "health-check", ok: false, summary: { error: "TypeError" } }]);
    expect(lines.map((l) => [l.level, l.msg, l.fields.job])).toEqual([["error", "job failed", "health-check"]]);
    expect(counts).toEqual({ flush: 1, emf: 1 });
  });
});

describe("alarmAction", () => {
  const alarm = fixture<Record<string, unknown>>("cloudwatch-alarm-action");

  it("runs on a CloudWatch alarm, logs it with its name and state, flushes", async () => {
    const { ctx, lines, counts } = setup();
    const seen: unknown[] = [];
    const action = alarmAction(async (_ctx, event) => {
      seen.push(event.alarmData?.alarmName);
      return "done";
    })(() => ctx);
    expect(await action(alarm as never)).toBe("done");
    const name = (alarm.alarmData as { alarmName: string }).alarmName;
    expect(seen).toEqual([name]);
    expect(lines).toEqual([
      {
        level: "info",
        msg: "alarm handled",
        fields: { alarm: name, state: expect.any(String), duration_ms: expect.any(Number), request_id: undefined },
      },
    ]);
    expect(counts.flush).toBe(1);
  });

  it("refuses another source or an event without alarm data before any work, logged and flushed", async () => {
    for (const event of [{ ...alarm, source: "aws.events" }, {}, { alarmData: { alarmName: "x" } }]) {
      const { ctx, lines, counts } = setup();
      let ran = false;
      const action = alarmAction(async () => {
        ran = true;
      })(() => ctx);
      await expect(action(event as never)).rejects.toThrow(/Not a CloudWatch alarm event/);
      expect(ran).toBe(false);
      expect(lines.map((l) => l.msg)).toEqual(["alarm handling failed"]);
      expect(counts.flush).toBe(1);
    }
  });
});

describe("secretsManagerRotation", () => {
  it("runs a step, logs it by step (never the secret), flushes; refuses a non-rotation event", async () => {
    const { ctx, lines, counts } = setup();
    const steps: string[] = [];
    const rotate = secretsManagerRotation(async (_ctx, event) => {
      steps.push(event.Step);
    })(() => ctx);
    await rotate({ SecretId: "arn:s", ClientRequestToken: "t", Step: "createSecret" }, { awsRequestId: "r" });
    await expect(rotate({ SecretId: "arn:s" })).rejects.toThrow(/Not a Secrets Manager rotation event/);
    expect(steps).toEqual(["createSecret"]);
    expect(lines.map((l) => [l.level, l.msg, l.fields.step, l.fields.request_id])).toEqual([
      ["info", "rotation step finished", "createSecret", "r"],
      ["error", "rotation step failed", undefined, undefined],
    ]);
    expect(counts.flush).toBe(2);
  });
});

describe("tokenAuthorizer", () => {
  it("reads the Authorization header in any case, or the identity source", async () => {
    const { ctx } = setup();
    const authorizer = tokenAuthorizer(() => ctx);
    const event = (headers: Record<string, string>) =>
      canonicalAuthorizerEvent({ method: "GET", route: "/x", path: "/x", headers }) as never;
    expect(await authorizer(event({ AUTHORIZATION: "Bearer good" }))).toEqual({
      isAuthorized: true,
      context: { authenticated: true, principal: "ci", scopes: "monitor", paths: "a/*" },
    });
    expect((await authorizer(event({ authorization: "Bearer bad" }))).context).toEqual({
      authenticated: false,
      reason: "unknown",
    });
    expect((await authorizer({ headers: {}, identitySource: ["Bearer good"] })).context.principal).toBe("ci");
    expect((await authorizer({ headers: {} })).context).toEqual({ authenticated: false, reason: "missing" });
  });
});
