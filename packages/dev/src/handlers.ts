import path from "node:path";
import { pathToFileURL } from "node:url";
import { repoRoot } from "./paths";

export type AnyHandler = (event: unknown, context: unknown) => Promise<unknown>;

const loaded = new Map<string, Promise<AnyHandler>>();

/** Loads `functions/x/y.handler` (a route or schedule table entry) the way Lambda would. */
export function loadHandler(spec: string): Promise<AnyHandler> {
  let handler = loaded.get(spec);
  if (!handler) {
    const dot = spec.lastIndexOf(".");
    const file = spec.slice(0, dot);
    const exportName = spec.slice(dot + 1);
    handler = import(pathToFileURL(path.join(repoRoot, `${file}.ts`)).href).then((mod: Record<string, unknown>) => {
      const fn = mod[exportName];
      if (typeof fn !== "function") throw new Error(`${file}.ts does not export a function named ${exportName}`);
      return fn as AnyHandler;
    });
    loaded.set(spec, handler);
  }
  return handler;
}

export function lambdaContext(functionName: string, requestId: string, timeoutMs = 15_000) {
  const deadline = Date.now() + timeoutMs;
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName,
    functionVersion: "$LATEST",
    invokedFunctionArn: `arn:aws:lambda:local:000000000000:function:${functionName}`,
    memoryLimitInMB: "512",
    awsRequestId: requestId,
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: "local",
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => {},
    fail: () => {},
    succeed: () => {},
  };
}
