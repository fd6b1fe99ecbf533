import { alarmAction } from "@vaultops/lambda";

/** A CloudWatch alarm's Lambda action: record the incident, clear the cache of its scope, rotate when told to. */
export const createHandler = alarmAction((ctx, event) => ctx.incidents.handleAlarm(event));

export const handler = createHandler();
