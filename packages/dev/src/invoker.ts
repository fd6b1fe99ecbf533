import { functionCatalogue, functionFor } from "@vaultops/build-definition";
import { lambdaContext, loadHandler } from "./handlers";
import { EmulatedFunction } from "./lambda-emulator";
import type { LambdaTools } from "./lambda-tools";
import { builtFunction } from "./sst-build";

export type RuntimeMode = "source" | "lambda";

export interface Invocation {
  payload?: unknown;
  /** The handler threw (or, in lambda mode, crashed or timed out): what Lambda reports as a function error. */
  functionError?: { errorType: string; errorMessage: string };
  durationMs?: number;
  initMs?: number;
}

/** How the local gateway and scheduler run a function of the catalogue. */
export interface Invoker {
  mode: RuntimeMode;
  invoke(handler: string, event: unknown, requestId: string): Promise<Invocation>;
  stop(): Promise<void>;
}

/** `source`: the TypeScript handlers in this process (fast edits; one process for every function). */
export function sourceInvoker(): Invoker {
  return {
    mode: "source",
    async invoke(handler, event, requestId) {
      const fn = await loadHandler(handler);
      const spec = functionFor(handler);
      try {
        return { payload: await fn(event, lambdaContext(spec.name, requestId, spec.timeoutSeconds * 1000)) };
      } catch (error) {
        const e = error as Error;
        return { functionError: { errorType: e?.name ?? "Error", errorMessage: e?.message ?? String(error) } };
      }
    },
    stop: async () => {},
  };
}

/**
 * `lambda`: every function as `npm run build` built it (dist/functions/<name>, with the handler string
 * SST gives Lambda, from its manifest) in its own emulated Lambda, with the memory and timeout of the
 * catalogue and the given environment; started on first use, kept warm.
 */
export function lambdaInvoker(options: {
  tools: LambdaTools;
  env: Record<string, string>;
  maxEnvironments?: number;
  log?: (line: string) => void;
}): Invoker & { functions: Map<string, EmulatedFunction> } {
  const functions = new Map<string, EmulatedFunction>();
  const get = (handler: string) => {
    let fn = functions.get(handler);
    if (!fn) {
      const spec = functionFor(handler);
      const built = builtFunction(spec.name);
      fn = new EmulatedFunction(
        {
          name: spec.name,
          bundleDir: built.dir,
          handler: built.handler,
          memoryMb: spec.memoryMb,
          timeoutSeconds: spec.timeoutSeconds,
          env: options.env,
        },
        options.tools,
        {
          ...(options.maxEnvironments ? { maxEnvironments: options.maxEnvironments } : {}),
          ...(options.log ? { log: options.log } : {}),
        },
      );
      functions.set(handler, fn);
    }
    return fn;
  };
  return {
    mode: "lambda",
    functions,
    invoke: (handler, event) => get(handler).invoke(event),
    stop: async () => {
      await Promise.all([...functions.values()].map((f) => f.stop()));
    },
  };
}

/** Every handler the catalogue has, for callers that warm or list them. */
export const catalogueHandlers = () => functionCatalogue.map((f) => f.handler);
