import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { type RouteId, routes } from "@vaultops/api";

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

export interface ApiResponse<T> {
  status: number;
  body: T;
  headers: Headers;
}

type RequestOptions = {
  query?: Record<string, string | number | boolean | undefined>;
  body?: unknown;
  headers?: Record<string, string>;
  allow?: number[];
};

/** The management API over HTTP; errors become CliErrors with the API's own message. */
export class ApiClient {
  constructor(readonly connection: Connection) {}

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
    const url = new URL(`${this.connection.url}${route}`);
    for (const [k, v] of Object.entries(options.query ?? {})) if (v !== undefined) url.searchParams.set(k, String(v));
    let res: Response;
    try {
      res = await fetch(url, {
        method,
        headers: {
          authorization: `Bearer ${this.connection.token}`,
          accept: "application/json",
          ...(options.body !== undefined ? { "content-type": "application/json" } : {}),
          ...options.headers,
        },
        ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
        signal: AbortSignal.timeout(60_000),
      });
    } catch (error) {
      throw new CliError(
        `Cannot reach ${this.connection.url}: ${(error as Error).message}`,
        EXIT.unreachable,
        "is the API running? (npm run dev)",
      );
    }
    const text = await res.text();
    let body: unknown = text;
    try {
      body = text ? JSON.parse(text) : {};
    } catch {
      // text responses (Prometheus)
    }
    if (res.ok || options.allow?.includes(res.status))
      return { status: res.status, body: body as T, headers: res.headers };
    const err = body as { error?: string; message?: string; details?: string };
    const message = `${err.error ?? err.message ?? `HTTP ${res.status}`}${err.details ? `: ${err.details}` : ""}`;
    const hint =
      res.status === 401
        ? "check the API token (--token, VAULTOPS_TOKEN)"
        : res.status === 403
          ? "this needs an admin token"
          : res.status === 503
            ? "Vault or DynamoDB is unavailable; see `vaultops status`"
            : undefined;
    throw new CliError(message, res.status === 409 ? EXIT.conflict : EXIT.failed, hint);
  }
}
