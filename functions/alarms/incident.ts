import type { CloudWatchAlarmEvent } from "@vaultops/core";
import { defaultContext } from "@vaultops/lambda";

/** A CloudWatch alarm's Lambda action: record the incident, clear the cache of its scope, rotate when told to. */
export const createHandler =
  (getContext = defaultContext) =>
  async (event: CloudWatchAlarmEvent) => {
    const ctx = getContext();
    try {
      return await ctx.incidents.handleAlarm(event);
    } finally {
      await ctx.recorder.flush().catch(() => {});
    }
  };

export const handler = createHandler();
