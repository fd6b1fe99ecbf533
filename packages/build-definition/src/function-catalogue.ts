/**
 * Every function vaultops deploys, with the memory and timeout infra gives it: read by infra (api,
 * cron, alarms, credential-rotation), by `npm run build`, by the local Lambda runtime and by the
 * benchmark, so a function's sizing is declared once.
 */

import {
  authorizerHandler,
  credentialRotationHandler,
  type Duration,
  fallbackHandler,
  functionName,
  incidentHandler,
  routeList,
  scheduleList,
} from "@vaultops/api";
import { functionRuntime, functionSizing, megabytes, type Size, seconds } from "./bundling";

export type FunctionKind = "route" | "authorizer" | "fallback" | "job" | "incident" | "credential-rotation";

export interface FunctionSpec {
  /** dist/functions/<name>: the handler file's path under functions/, slashes as dashes. */
  name: string;
  kind: FunctionKind;
  /** `<file without extension>.<export>` as SST takes it. */
  handler: string;
  /** The source file. */
  file: string;
  memory: Size;
  timeout: Duration;
  memoryMb: number;
  timeoutSeconds: number;
}

export { functionName };

function spec(kind: FunctionKind, handler: string, sizing: { memory?: Size; timeout?: Duration } = {}): FunctionSpec {
  const memory = sizing.memory ?? functionRuntime.memory;
  const timeout = sizing.timeout ?? functionRuntime.timeout;
  return {
    name: functionName(handler),
    kind,
    handler,
    file: `${handler.slice(0, handler.lastIndexOf("."))}.ts`,
    memory,
    timeout,
    memoryMb: megabytes(memory),
    timeoutSeconds: seconds(timeout),
  };
}

export const functionCatalogue: FunctionSpec[] = [
  ...routeList.map((route) => spec("route", route.handler, route.timeout ? { timeout: route.timeout } : {})),
  ...scheduleList.map((job) =>
    spec("job", job.handler, job.timeout ? { ...functionSizing.job, timeout: job.timeout } : functionSizing.job),
  ),
  spec("authorizer", authorizerHandler, functionSizing.authorizer),
  spec("credential-rotation", credentialRotationHandler, functionSizing.credentialRotation),
  spec("incident", incidentHandler, functionSizing.incident),
  spec("fallback", fallbackHandler, functionSizing.fallback),
];

/** The catalogue entry of a handler (every handler infra deploys has one). */
export function functionFor(handler: string): FunctionSpec {
  const found = functionCatalogue.find((f) => f.handler === handler);
  if (!found) throw new Error(`${handler} is not in the function catalogue`);
  return found;
}
