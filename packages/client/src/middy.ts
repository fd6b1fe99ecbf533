/**
 * A middy middleware (`@middy/core`, an optional peer dependency: only its types are used) that reads named
 * configurations before the handler runs and puts their values on `context.config`.
 *
 * The values stay in the client's memory between warm invocations: while younger than `maxAge` (ms) no
 * request is made; after that the client asks again with If-None-Match and a 304 keeps the value.
 */
import type { MiddlewareObj, Request } from "@middy/core";
import { type ClientOptions, VaultopsClient } from "./client.js";
import { ScopeError } from "./errors.js";

export interface VaultopsConfigOptions<Name extends string> {
  /** A client to read through (shared with other code, its memory included). */
  client?: VaultopsClient;
  /** Or the options of one the middleware makes, once, when it is created. */
  clientOptions?: ClientOptions;
  /** The scope the keys are read from; defaults to the client's. */
  environment?: string;
  service?: string;
  /** The configurations to read: the name they get on `context.config` → their key. */
  keys: Record<Name, string>;
  /** How long (ms) a value is used without asking the API; defaults to the client's maxAge (0: every invocation revalidates). */
  maxAge?: number;
}

/** Lambda's context, as middy names it (so that this file needs no other package's types). */
type LambdaContext = Request["context"];

/** What the middleware adds to the handler's context. */
export interface VaultopsConfigContext<Name extends string> {
  config: Record<Name, string>;
}

/**
 * Reads every key of `keys` in parallel before the handler (one client call each) and sets
 * `context.config[name]` to its value. A key that does not exist, or that the token may not read, fails the
 * invocation with the client's typed error (NotFoundError, ForbiddenError / ScopeError, …) before the
 * handler runs.
 */
export function vaultopsConfig<Name extends string>(
  options: VaultopsConfigOptions<Name>,
): MiddlewareObj<unknown, unknown, Error, LambdaContext & VaultopsConfigContext<Name>> {
  if (!options.client && !options.clientOptions) throw new TypeError("vaultopsConfig: pass a client or clientOptions");
  const client =
    options.client ??
    new VaultopsClient({
      ...(options.clientOptions as ClientOptions),
      ...(options.maxAge !== undefined ? { maxAge: options.maxAge } : {}),
    });
  const scope = {
    ...(options.environment !== undefined ? { environment: options.environment } : {}),
    ...(options.service !== undefined ? { service: options.service } : {}),
    ...(options.maxAge !== undefined ? { maxAge: options.maxAge } : {}),
  };
  const entries = Object.entries(options.keys) as [Name, string][];

  return {
    name: "vaultopsConfig",
    before: async (request) => {
      const values = await Promise.all(
        entries.map(async ([name, key]) => {
          const record = await client.get(key, scope);
          if (typeof record.value !== "string")
            throw new ScopeError(`${key}: the value is withheld from this token (it needs secrets:read)`, {
              status: 403,
              code: "secrets_scope_required",
              body: record,
            });
          return [name, record.value] as const;
        }),
      );
      Object.assign(request.context, { config: Object.fromEntries(values) as Record<Name, string> });
    },
  };
}
