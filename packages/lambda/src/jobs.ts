import { functionName } from "@vaultops/api/function-name";
import { asFunction, type VaultopsContext } from "@vaultops/core";
import type { Context, ScheduledEvent } from "aws-lambda";
import { type ContextProvider, defaultContext } from "./context";
import { flushInvocation } from "./invocation";

/** What a job reports: whether it did all it should, and a summary for the job-run record and the log. */
export interface JobOutcome {
  ok: boolean;
  summary: Record<string, unknown>;
}

/**
 * A scheduled job's Lambda handler (EventBridge `Scheduled Event`). The run is recorded in the shared
 * table the same way for every job (`job#<name>`: when, how long, ok, summary), logged, and the
 * counters are flushed. A job that throws is recorded as failed and the error rethrown, so Lambda
 * reports it and EventBridge's retry policy applies.
 */
export function scheduledJob(
  schedule: { handler: string },
  run: (ctx: VaultopsContext, event: ScheduledEvent) => Promise<JobOutcome>,
) {
  const fn = functionName(schedule.handler);
  // The job's name in its run record (`job#health-check`): the handler's file name.
  const name = fn.replace(/^jobs-/, "");
  return (getContext: ContextProvider = defaultContext) =>
    (event: ScheduledEvent, lambdaContext?: Pick<Context, "awsRequestId">): Promise<Record<string, unknown>> =>
      asFunction(fn, async () => {
        const ctx = getContext();
        const started = ctx.clock.now();
        const requestId = lambdaContext?.awsRequestId;
        const record = async (outcome: JobOutcome) => {
          await ctx.jobRuns
            .record(name, {
              at: started,
              ok: outcome.ok,
              durationMs: ctx.clock.now() - started,
              summary: outcome.summary,
            })
            .catch((error: unknown) => ctx.logger.error("job run not recorded", { job: name, error }));
        };
        try {
          const outcome = await run(ctx, event);
          await record(outcome);
          ctx.logger.info("job finished", {
            job: name,
            ok: outcome.ok,
            duration_ms: ctx.clock.now() - started,
            request_id: requestId,
            ...outcome.summary,
          });
          return { ok: outcome.ok, ...outcome.summary };
        } catch (error) {
          await record({ ok: false, summary: { error: (error as Error).name ?? "Error" } });
          ctx.logger.error("job failed", { job: name, error, request_id: requestId });
          throw error;
        } finally {
          await flushInvocation(ctx, { always: true });
        }
      });
}
