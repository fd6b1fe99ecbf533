import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { type RouteId, routes } from "@vaultops/api";
import {
  type ApiResponse,
  OutcomeUnknownError,
  VaultopsApiError,
  VaultopsClient,
  VaultopsConnectionError,
} from "@vaultops/client/source";

import { CliError, EXIT } from "./errors";

export { CliError, EXIT };

export interface Connection {
  url: string;
  token: string;
  source: string;
}

/** Flags, then VAULTOPS_URL / VAULTOPS_TOKEN, then the running local stack's .vaultops/dev.json. */
export function resolveConnection(flags: { url?: string; token?: string }): Connection {
  // An empty variable counts as unset.
  let url = flags.url || process.env.VAULTOPS_URL || undefined;
  let token = flags.token || process.env.VAULTOPS_TOKEN || undefined;
  let source = flags.url ? "flags" : process.env.VAULTOPS_URL ? "environment" : "";
  if (!url || !token) {
    const candidates = [process.env.VAULTOPS_DEV_FILE, path.join(process.cwd(), ".vaultops", "dev.json")].filter(
      (f): f is string => Boolean(f),
    );
    const file = candidates.find((f) => existsSync(f));
    if (file) {
      const dev = JSON.parse(readFileSync(file, "utf8")) as { apiUrl?: string; apiToken?: string };
      url ??= dev.apiUrl;
      token ??= dev.apiToken;
      source ||= path.relative(process.cwd(), file) || file;
    }
  }
  if (!url) {
    throw new CliError(
      "No vaultops API to talk to",
      EXIT.usage,
      "pass --url, set VAULTOPS_URL, or start the local stack with `npm run dev`",
    );
  }
  if (!token) throw new CliError("No API token", EXIT.usage, "pass --token or set VAULTOPS_TOKEN");
  return { url: url.replace(/\/$/, ""), token, source };
}

export type { ApiResponse } from "@vaultops/client/source";

type RequestOptions = {
  query?: Record<string, string | number | boolean | undefined>;
  body?: unknown;
  headers?: Record<string, string>;
  allow?: number[];
};

/**
 * The management API over HTTP through @vaultops/client; its errors become CliErrors with the API's own
 * message. One attempt per command, as before the client: a script decides itself whether to run again.
 */
export class ApiClient {
  readonly api: VaultopsClient;

  constructor(readonly connection: Connection) {
    this.api = new VaultopsClient({
      baseUrl: connection.url,
      token: connection.token,
      timeoutMs: 60_000,
      maxAttempts: 1,
    });
  }

  /**
   * A route of the table (packages/api), by its id: method and path come from there, so no route is
   * written twice; `params` fill its `{placeholders}`.
   */
  call<T = Record<string, unknown>>(
    id: RouteId,
    options: RequestOptions & { params?: Record<string, string> } = {},
  ): Promise<ApiResponse<T>> {
    const route = routes[id];
    const path = route.path.replace(/\{(\w+)\}/g, (_, name: string) => {
      const value = options.params?.[name];
      if (value === undefined) throw new Error(`${id}: missing path parameter ${name}`);
      return encodeURIComponent(value);
    });
    return this.request<T>(route.method, path, options);
  }

  async request<T = Record<string, unknown>>(
    method: string,
    route: string,
    options: RequestOptions = {},
  ): Promise<ApiResponse<T>> {
    try {
      return await this.api.request<T>(method, route, {
        ...(options.query ? { query: options.query } : {}),
        ...(options.body !== undefined ? { body: options.body } : {}),
        ...(options.headers ? { headers: options.headers } : {}),
        ...(options.allow ? { allow: options.allow } : {}),
      });
    } catch (error) {
      throw toCliError(error, this.connection.url);
    }
  }
}

/** The client's errors as the command line shows them: the API's message, a hint, an exit code. */
function toCliError(error: unknown, url: string): unknown {
  // No answer at all (a refused connection, a timeout): the API is not reachable.
  if (error instanceof VaultopsConnectionError || (error instanceof OutcomeUnknownError && error.status === 0)) {
    const cause = error.cause instanceof Error ? error.cause : error;
    return new CliError(`Cannot reach ${url}: ${cause.message}`, EXIT.unreachable, "is the API running? (npm run dev)");
  }
  if (!(error instanceof VaultopsApiError)) return error;
  const status = error.status;
  const err = (error.body && typeof error.body === "object" ? error.body : {}) as {
    error?: string;
    message?: string;
    details?: string;
  };
  const message = `${err.error ?? err.message ?? `HTTP ${status}`}${err.details ? `: ${err.details}` : ""}`;
  const hint =
    status === 401
      ? "check the API token (--token, VAULTOPS_TOKEN)"
      : status === 403
        ? "this needs an admin token"
        : status === 503
          ? "Vault or DynamoDB is unavailable; see `vaultops status`"
          : undefined;
  return new CliError(message, status === 409 ? EXIT.conflict : EXIT.failed, hint);
}
