import middy from "@middy/core";
import { functionName } from "@vaultops/api/function-name";
import { credentialRotationHandler, incidentHandler } from "@vaultops/api/handlers";
import { asFunction, type CloudWatchAlarmEvent as IncidentAlarm, type VaultopsContext } from "@vaultops/core";
import type { CloudWatchAlarmEvent, Context, SecretsManagerRotationEvent } from "aws-lambda";
import { type ContextProvider, defaultContext } from "./context";
import { acceptOnly, flushCounters, logInvocation } from "./middlewares";

/**
 * An event as a hand-made invocation may send it (the console's test events, the tests): any field
 * missing, any string in place of a literal. The function refuses one that is not of its kind.
 */
export type Unchecked<T> = {
  [K in keyof T]?: T[K] extends string ? string : T[K] extends object ? Unchecked<T[K]> : T[K];
};

type InvocationContext = Pick<Context, "awsRequestId">;

/**
 * A CloudWatch alarm's Lambda action (`source: "aws.cloudwatch"`, an `alarmData` with the state and
 * the alarm's configuration): logged with the alarm's name, counters flushed.
 */
export function alarmAction<T>(run: (ctx: VaultopsContext, event: IncidentAlarm) => Promise<T>) {
  return (getContext: ContextProvider = defaultContext) => {
    const handler = middy<Unchecked<CloudWatchAlarmEvent>, T>((event: Unchecked<CloudWatchAlarmEvent>) =>
      // What the incident service reads of the event is its own (optional) subset of CloudWatch's.
      run(getContext(), event as IncidentAlarm),
    )
      .use(flushCounters(getContext, { always: true }))
      .use(
        logInvocation<Unchecked<CloudWatchAlarmEvent>>(getContext, {
          done: "alarm handled",
          failed: "alarm handling failed",
          doneFields: (event) => ({ alarm: event.alarmData?.alarmName, state: event.alarmData?.state?.value }),
          failedFields: (event) => ({ alarm: event?.alarmData?.alarmName }),
        }),
      )
      // Hand-made invocations may leave out `source`; one that names another source is refused.
      .use(
        acceptOnly<Unchecked<CloudWatchAlarmEvent>>(
          "CloudWatch alarm",
          (event) =>
            (event?.source === undefined || event.source === "aws.cloudwatch") &&
            !!event?.alarmData?.alarmName &&
            !!event.alarmData.state?.value,
        ),
      );
    return (event: Unchecked<CloudWatchAlarmEvent>, lambdaContext?: InvocationContext): Promise<T> =>
      asFunction(functionName(incidentHandler), () => handler(event, (lambdaContext ?? {}) as Context));
  };
}

/** A Secrets Manager rotation function: one invocation per step, logged by step, never with the secret. */
export function secretsManagerRotation(
  run: (ctx: VaultopsContext, event: SecretsManagerRotationEvent) => Promise<void>,
) {
  return (getContext: ContextProvider = defaultContext) => {
    // The step's name is checked by the rotation itself, which names the step it refuses.
    const handler = middy<Unchecked<SecretsManagerRotationEvent>, void>(
      (event: Unchecked<SecretsManagerRotationEvent>) => run(getContext(), event as SecretsManagerRotationEvent),
    )
      .use(flushCounters(getContext, { always: true }))
      .use(
        logInvocation<Unchecked<SecretsManagerRotationEvent>>(getContext, {
          done: "rotation step finished",
          failed: "rotation step failed",
          doneFields: (event) => ({ step: event.Step }),
          failedFields: (event) => ({ step: event?.Step }),
        }),
      )
      .use(
        acceptOnly<Unchecked<SecretsManagerRotationEvent>>(
          "Secrets Manager rotation",
          (event) =>
            typeof event?.SecretId === "string" &&
            typeof event.ClientRequestToken === "string" &&
            typeof event.Step === "string",
        ),
      );
    return (event: Unchecked<SecretsManagerRotationEvent>, lambdaContext?: InvocationContext): Promise<void> =>
      asFunction(functionName(credentialRotationHandler), () => handler(event, (lambdaContext ?? {}) as Context));
  };
}
