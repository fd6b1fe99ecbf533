import middy from "@middy/core";
import { functionName } from "@vaultops/api/function-name";
import { asFunction, type VaultopsContext } from "@vaultops/core";
import type { Context, ScheduledEvent } from "aws-lambda";
import { type ContextProvider, defaultContext } from "./context";
import { flushCounters } from "./middlewares";

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
  return (getContext: ContextProvider = defaultContext) => {
    const handler = middy<ScheduledEvent, JobOutcome>((event: ScheduledEvent) => run(getContext(), event))
      .use(flushCounters(getContext, { always: true }))
      .use(jobRun(name, getContext));
    return (event: ScheduledEvent, lambdaContext?: Pick<Context, "awsRequestId">): Promise<Record<string, unknown>> =>
      asFunction(fn, async () => {
        const outcome = await handler(event, (lambdaContext ?? {}) as Context);
        return { ok: outcome.ok, ...outcome.summary };
      });
  };
}

/** The job's run record and log line, for a run that finished (after) or threw (onError). */
function jobRun(name: string, getContext: ContextProvider): middy.MiddlewareObj<ScheduledEvent, JobOutcome> {
  const started = new WeakMap<object, number>();
  const record = async (request: middy.Request<ScheduledEvent, JobOutcome>, outcome: JobOutcome) => {
    const ctx = getContext();
    const at = started.get(request) ?? ctx.clock.now();
    await ctx.jobRuns
      .record(name, { at, ok: outcome.ok, durationMs: ctx.clock.now() - at, summary: outcome.summary })
      .catch((error: unknown) => ctx.logger.error("job run not recorded", { job: name, error }));
  };
  return {
    before: (request) => {
      started.set(request, getContext().clock.now());
    },
    after: async (request) => {
      const ctx = getContext();
      const outcome = request.response as JobOutcome;
      await record(request, outcome);
      ctx.logger.info("job finished", {
        job: name,
        ok: outcome.ok,
        duration_ms: ctx.clock.now() - (started.get(request) ?? ctx.clock.now()),
        request_id: request.context?.awsRequestId,
        ...outcome.summary,
      });
    },
    onError: async (request) => {
      await record(request, { ok: false, summary: { error: (request.error as Error).name ?? "Error" } });
      getContext().logger.error("job failed", {
        job: name,
        error: request.error,
        request_id: request.context?.awsRequestId,
      });
    },
  };
}
