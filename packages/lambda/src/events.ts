import { functionName } from "@vaultops/api/function-name";
import { credentialRotationHandler, incidentHandler } from "@vaultops/api/handlers";
import { asFunction, type CloudWatchAlarmEvent, ValidationError, type VaultopsContext } from "@vaultops/core";
import type { Context } from "aws-lambda";
import { type ContextProvider, defaultContext } from "./context";
import { flushInvocation } from "./invocation";

/** The event Secrets Manager sends to a rotation function, one per step. */
export interface SecretsManagerRotationEvent {
  SecretId: string;
  ClientRequestToken: string;
  Step: string;
}

/** An event of another kind than the function serves is refused before any work, with what was expected. */
function refuse(kind: string, event: unknown): never {
  const keys = event && typeof event === "object" ? Object.keys(event).slice(0, 8).join(",") : typeof event;
  throw new ValidationError(`Not a ${kind} event`, { details: `fields: ${keys}` });
}

/**
 * A CloudWatch alarm's Lambda action (`source: "aws.cloudwatch"`, an `alarmData` with the state and
 * the alarm's configuration): logged with the alarm's name, counters flushed.
 */
export function alarmAction<T>(run: (ctx: VaultopsContext, event: CloudWatchAlarmEvent) => Promise<T>) {
  return (getContext: ContextProvider = defaultContext) =>
    (event: CloudWatchAlarmEvent, lambdaContext?: Pick<Context, "awsRequestId">): Promise<T> =>
      asFunction(functionName(incidentHandler), async () => {
        const ctx = getContext();
        const started = ctx.clock.now();
        const alarm = event?.alarmData?.alarmName;
        try {
          // Hand-made invocations may leave out `source`; one that names another source is refused.
          if (
            (event?.source !== undefined && event.source !== "aws.cloudwatch") ||
            !alarm ||
            !event.alarmData?.state?.value
          ) {
            refuse("CloudWatch alarm", event);
          }
          const result = await run(ctx, event);
          ctx.logger.info("alarm handled", {
            alarm,
            state: event.alarmData?.state?.value,
            duration_ms: ctx.clock.now() - started,
            request_id: lambdaContext?.awsRequestId,
          });
          return result;
        } catch (error) {
          ctx.logger.error("alarm handling failed", { alarm, error, request_id: lambdaContext?.awsRequestId });
          throw error;
        } finally {
          await flushInvocation(ctx, { always: true });
        }
      });
}

/** A Secrets Manager rotation function: one invocation per step, logged by step, never with the secret. */
export function secretsManagerRotation(
  run: (ctx: VaultopsContext, event: SecretsManagerRotationEvent) => Promise<void>,
) {
  return (getContext: ContextProvider = defaultContext) =>
    (event: SecretsManagerRotationEvent, lambdaContext?: Pick<Context, "awsRequestId">): Promise<void> =>
      asFunction(functionName(credentialRotationHandler), async () => {
        const ctx = getContext();
        const started = ctx.clock.now();
        try {
          if (
            typeof event?.SecretId !== "string" ||
            typeof event.ClientRequestToken !== "string" ||
            typeof event.Step !== "string"
          ) {
            refuse("Secrets Manager rotation", event);
          }
          await run(ctx, event);
          ctx.logger.info("rotation step finished", {
            step: event.Step,
            duration_ms: ctx.clock.now() - started,
            request_id: lambdaContext?.awsRequestId,
          });
        } catch (error) {
          ctx.logger.error("rotation step failed", {
            step: event?.Step,
            error,
            request_id: lambdaContext?.awsRequestId,
          });
          throw error;
        } finally {
          await flushInvocation(ctx, { always: true });
        }
      });
}
