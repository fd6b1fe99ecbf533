import { randomUUID } from "node:crypto";
import { type ScheduleDefinition, scheduleList } from "@vaultops/api";
import { type Invoker, sourceInvoker } from "./invoker";

/** An EventBridge "Scheduled Event", as a Cron job's function receives it. */
export function scheduledEvent(id: string) {
  return {
    version: "0",
    id: randomUUID(),
    "detail-type": "Scheduled Event",
    source: "aws.events",
    account: "000000000000",
    time: new Date().toISOString(),
    region: process.env.AWS_REGION ?? "us-east-1",
    resources: [`arn:aws:events:local:000000000000:rule/${id}`],
    detail: {},
  };
}

/** Runs one job through the invoker; a function error becomes a thrown error naming the job. */
export async function runJob(job: ScheduleDefinition & { id: string }, invoker: Invoker = sourceInvoker()) {
  const event = scheduledEvent(job.id);
  const result = await invoker.invoke(job.handler, event, event.id);
  if (result.functionError) throw new Error(`${result.functionError.errorType}: ${result.functionError.errorMessage}`);
  return result.payload;
}

/** Runs every job of the schedule table on its rate (first run at start); a run never overlaps itself. */
export function startScheduler(options: { log: (line: string) => void; runAtStart?: boolean; invoker?: Invoker }) {
  const invoker = options.invoker ?? sourceInvoker();
  const timers: NodeJS.Timeout[] = [];
  for (const job of scheduleList) {
    let running = false;
    const tick = async () => {
      if (running) return;
      running = true;
      try {
        await runJob(job, invoker);
      } catch (error) {
        options.log(`[scheduler] ${job.id} failed: ${(error as Error).message}`);
      } finally {
        running = false;
      }
    };
    if (options.runAtStart !== false && job.runAtStart !== false) void tick();
    timers.push(setInterval(tick, job.everyMs));
  }
  return { stop: () => timers.forEach(clearInterval) };
}
