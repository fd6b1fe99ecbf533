import { randomUUID } from "node:crypto";
import { type ScheduleDefinition, scheduleList } from "../../../infra/schedules";
import { lambdaContext, loadHandler } from "./handlers";

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

export async function runJob(job: ScheduleDefinition & { id: string }): Promise<unknown> {
  const handler = await loadHandler(job.handler);
  const event = scheduledEvent(job.id);
  return handler(event, lambdaContext(job.id, event.id, 60_000));
}

/** Runs every job of the schedule table on its rate (first run at start); a run never overlaps itself. */
export function startScheduler(options: { log: (line: string) => void; runAtStart?: boolean }) {
  const timers: NodeJS.Timeout[] = [];
  for (const job of scheduleList) {
    let running = false;
    const tick = async () => {
      if (running) return;
      running = true;
      try {
        await runJob(job);
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
