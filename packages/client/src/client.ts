/**
 * The vaultops management API over `fetch`: configuration reads kept in memory and revalidated with
 * If-None-Match, writes with If-Match, errors typed by the API's `code`, per-request timeouts, and retries
 * with full jitter where they are safe (503, and a read's 504), never for a write whose outcome is unknown.
 */
import { errorFor, OutcomeUnknownError, VaultopsApiError, VaultopsConnectionError } from "./errors.js";
import type { operations } from "./openapi-types.js";

type Json<Op extends keyof operations, S extends number> = operations[Op]["responses"] extends {
  [K in S]: { content: { "application/json": infer B } };
}
  ? B
  : never;

/** One configuration value as the API answers it (`value` is null when withheld from the token). */
export type ConfigRecord = Json<"configGet", 200>;
/** One page of `GET /api/v1/config`. */
export type ConfigPage = Json<"configList", 200>;
export type ConfigVersions = Json<"configVersions", 200>;
export type ConfigDeleted = Json<"configDelete", 200>;
export type HealthResponse = Json<"vaultHealth", 200>;
export type StatusResponse = Json<"vaultStatus", 200>;

export interface Scope {
  environment: string;
  service: string;
}
/** A scope whose parts may come from the client's defaults. */
export type ScopeOptions = Partial<Scope>;

export interface ClientOptions {
  /** The API's base URL, e.g. `https://vaultops.example.com` (without `/api/v1`). */
  baseUrl: string;
  /** The bearer token, or a function answering it (called for each request). */
  token?: string | (() => string | Promise<string>);
  /** The scope used when a call does not name one. */
  environment?: string;
  service?: string;
  /** Milliseconds each attempt may take (AbortSignal.timeout). Default 10 000. */
  timeoutMs?: number;
  /** Attempts of one call, the first included. Default 3; 1 turns retries off. */
  maxAttempts?: number;
  /** Full jitter: the n-th retry waits random() × min(maxDelayMs, baseDelayMs × 2^n). Defaults 200 and 5 000. */
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** The longest Retry-After the client waits for; a longer one ends the retries. Default 30 000. */
  maxRetryAfterMs?: number;
  /**
   * How long (ms) a value read by `get` is served from memory without asking the API. After that the
   * client asks again with `If-None-Match: "<version>"`: 304 keeps the value (and restarts its age), 200
   * replaces it. Default 0: every `get` revalidates.
   */
  maxAge?: number;
  /** Requests `getMany` runs at once. Default 4. */
  concurrency?: number;
  /** Headers sent with every request (e.g. a user agent). */
  headers?: Record<string, string>;
  /** For tests and other runtimes. */
  fetch?: typeof fetch;
  random?: () => number;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  now?: () => number;
}

export interface RequestOptions {
  query?: Record<string, string | number | boolean | undefined>;
  body?: unknown;
  headers?: Record<string, string>;
  /** Error statuses answered as a response rather than thrown (and never retried). */
  allow?: number[];
  signal?: AbortSignal;
  timeoutMs?: number;
  maxAttempts?: number;
}

export interface ApiResponse<T> {
  status: number;
  body: T;
  headers: Headers;
}

export interface GetOptions extends ScopeOptions {
  /** An older version; such reads are not kept in memory. */
  version?: number;
  /** Ask the API without If-None-Match, whatever is in memory, and keep its answer. */
  forceFetch?: boolean;
  /** Also ask the API to read Vault rather than its own cache (`Cache-Control: no-cache`). */
  noCache?: boolean;
  /** Overrides the client's maxAge for this read. */
  maxAge?: number;
  signal?: AbortSignal;
}

export interface SetOptions extends ScopeOptions {
  /**
   * Update only if the current version is this one (`If-Match`): a ConflictError otherwise. Without it,
   * `set` creates the key, or updates it whatever its version when it exists.
   */
  ifMatch?: number | string;
  /** Create only: a ConflictError when the key exists. */
  ifAbsent?: boolean;
  /** Keep the value as sensitive (never cached by the API, hashed in lists, needs `secrets:read`). */
  isEncrypted?: boolean;
  /** Replace data another client wrote at the path in its own shape (`?replace=true`). */
  replace?: boolean;
  signal?: AbortSignal;
}

export interface DeleteOptions extends ScopeOptions {
  ifMatch?: number | string;
  /** Remove every version, not only the current one. */
  purge?: boolean;
  signal?: AbortSignal;
}

export interface RollbackOptions extends ScopeOptions {
  ifMatch?: number | string;
  isEncrypted?: boolean;
  signal?: AbortSignal;
}

export interface ListOptions extends ScopeOptions {
  /** Page size (1-500; the API's default is 50). */
  limit?: number;
  /** Where the first page starts. */
  offset?: number;
  signal?: AbortSignal;
}

interface Entry {
  record: ConfigRecord;
  etag: string;
  fetchedAt: number;
}

const READS = new Set(["GET", "HEAD"]);
/** Network errors where the request surely never left: a write may be tried again. */
const NOT_SENT = new Set(["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN", "ENETUNREACH", "EHOSTUNREACH"]);

const defaultSleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener("abort", onAbort, { once: true });
  });

/** Retry-After as milliseconds: delta-seconds or an HTTP date; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | null, now = Date.now()): number | undefined {
  if (value === null || value.trim() === "") return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

const asEtag = (version: number | string) => {
  const text = String(version);
  return /^(W\/)?"/.test(text) ? text : `"${text}"`;
};

export class VaultopsClient {
  readonly baseUrl: string;
  private readonly options: ClientOptions;
  private readonly fetchFn: typeof fetch;
  private readonly random: () => number;
  private readonly sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  private readonly now: () => number;
  /** Values read by `get`, by environment/service/key: in this process's memory only, never written anywhere. */
  private readonly cache = new Map<string, Entry>();

  constructor(options: ClientOptions) {
    this.options = options;
    this.baseUrl = options.baseUrl.replace(/\/+$/, "");
    this.fetchFn = options.fetch ?? ((...args) => fetch(...args));
    this.random = options.random ?? Math.random;
    this.sleep = options.sleep ?? defaultSleep;
    this.now = options.now ?? Date.now;
  }

  /** A configuration value: from memory while younger than maxAge, else revalidated (304) or read (200). */
  async get(key: string, options: GetOptions = {}): Promise<ConfigRecord> {
    const scope = this.scope(options);
    const query = { environment: scope.environment, service_name: scope.service };
    const path = `/api/v1/config/${encodeURIComponent(key)}`;
    const headers: Record<string, string> = options.noCache ? { "cache-control": "no-cache" } : {};
    if (options.version !== undefined) {
      const res = await this.request<ConfigRecord>("GET", path, {
        query: { ...query, version: options.version },
        headers,
        ...(options.signal ? { signal: options.signal } : {}),
      });
      return res.body;
    }
    const cacheKey = this.cacheKey(scope, key);
    const entry = options.forceFetch ? undefined : this.cache.get(cacheKey);
    const maxAge = options.maxAge ?? this.options.maxAge ?? 0;
    if (entry && this.now() - entry.fetchedAt < maxAge) return entry.record;
    const res = await this.request<ConfigRecord>("GET", path, {
      query,
      headers: entry ? { ...headers, "if-none-match": entry.etag } : headers,
      allow: entry ? [304] : [],
      ...(options.signal ? { signal: options.signal } : {}),
    });
    if (res.status === 304 && entry) {
      entry.fetchedAt = this.now();
      return entry.record;
    }
    this.cache.set(cacheKey, {
      record: res.body,
      etag: asEtag(res.body.version),
      fetchedAt: this.now(),
    });
    return res.body;
  }

  /**
   * Several keys of one service, `concurrency` requests at a time: a Map of the ones found (a key that
   * does not exist is left out; any other error rejects).
   */
  async getMany(keys: readonly string[], options: ScopeOptions & { signal?: AbortSignal } = {}) {
    const scope = this.scope(options);
    const found = new Map<string, ConfigRecord>();
    const queue = [...new Set(keys)];
    const worker = async () => {
      for (let key = queue.shift(); key !== undefined; key = queue.shift()) {
        try {
          found.set(key, await this.get(key, { ...scope, ...(options.signal ? { signal: options.signal } : {}) }));
        } catch (error) {
          if (!(error instanceof VaultopsApiError && error.status === 404)) {
            queue.length = 0;
            throw error;
          }
        }
      }
    };
    const workers = Math.max(1, Math.min(this.options.concurrency ?? 4, queue.length));
    await Promise.all(Array.from({ length: workers }, worker));
    // In the order asked.
    return new Map(keys.filter((k) => found.has(k)).map((k) => [k, found.get(k) as ConfigRecord]));
  }

  /** Every page of one service's configurations, following `offset`/`has_more`. */
  async *list(options: ListOptions = {}): AsyncGenerator<ConfigPage, void, undefined> {
    const scope = this.scope(options);
    let offset = options.offset ?? 0;
    for (;;) {
      const res = await this.request<ConfigPage>("GET", "/api/v1/config", {
        query: {
          environment: scope.environment,
          service_name: scope.service,
          limit: options.limit,
          offset,
        },
        ...(options.signal ? { signal: options.signal } : {}),
      });
      yield res.body;
      if (!res.body.has_more || res.body.items.length === 0) return;
      offset = res.body.offset + res.body.items.length;
    }
  }

  /**
   * Creates the key (POST), or updates it (PUT): with `ifMatch` only if its current version is that one.
   * Without `ifMatch` an existing key is updated whatever its version (unless `ifAbsent`).
   */
  async set(key: string, value: string, options: SetOptions = {}): Promise<ConfigRecord> {
    const scope = this.scope(options);
    const signal = options.signal ? { signal: options.signal } : {};
    this.cache.delete(this.cacheKey(scope, key));
    const update = () =>
      this.request<ConfigRecord>("PUT", `/api/v1/config/${encodeURIComponent(key)}`, {
        query: {
          environment: scope.environment,
          service_name: scope.service,
          replace: options.replace ? "true" : undefined,
        },
        body: { value, ...(options.isEncrypted !== undefined ? { is_encrypted: options.isEncrypted } : {}) },
        headers: options.ifMatch !== undefined ? { "if-match": asEtag(options.ifMatch) } : {},
        ...signal,
      });
    if (options.ifMatch !== undefined) return (await update()).body;
    const created = await this.request<ConfigRecord>("POST", "/api/v1/config", {
      body: {
        key,
        value,
        environment: scope.environment,
        service_name: scope.service,
        ...(options.isEncrypted !== undefined ? { is_encrypted: options.isEncrypted } : {}),
      },
      allow: options.ifAbsent ? [] : [409],
      ...signal,
    });
    if (created.status !== 409) return created.body;
    // It exists (`version_conflict`); another 409 (foreign_shape) is the caller's to see.
    const code = (created.body as { code?: unknown }).code;
    if (code !== "version_conflict") throw errorFor(409, created.body, { requestId: requestIdOf(created.headers) });
    return (await update()).body;
  }

  async delete(key: string, options: DeleteOptions = {}): Promise<ConfigDeleted> {
    const scope = this.scope(options);
    this.cache.delete(this.cacheKey(scope, key));
    const res = await this.request<ConfigDeleted>("DELETE", `/api/v1/config/${encodeURIComponent(key)}`, {
      query: { environment: scope.environment, service_name: scope.service, purge: options.purge ? "true" : undefined },
      headers: options.ifMatch !== undefined ? { "if-match": asEtag(options.ifMatch) } : {},
      ...(options.signal ? { signal: options.signal } : {}),
    });
    return res.body;
  }

  async versions(key: string, options: ScopeOptions & { signal?: AbortSignal } = {}): Promise<ConfigVersions> {
    const scope = this.scope(options);
    const res = await this.request<ConfigVersions>("GET", `/api/v1/config/${encodeURIComponent(key)}/versions`, {
      query: { environment: scope.environment, service_name: scope.service },
      ...(options.signal ? { signal: options.signal } : {}),
    });
    return res.body;
  }

  /** Writes an older version's value as a new version. */
  async rollback(key: string, version: number, options: RollbackOptions = {}): Promise<ConfigRecord> {
    const scope = this.scope(options);
    this.cache.delete(this.cacheKey(scope, key));
    const res = await this.request<ConfigRecord>("POST", `/api/v1/config/${encodeURIComponent(key)}/rollback`, {
      query: { environment: scope.environment, service_name: scope.service },
      body: { version, ...(options.isEncrypted !== undefined ? { is_encrypted: options.isEncrypted } : {}) },
      headers: options.ifMatch !== undefined ? { "if-match": asEtag(options.ifMatch) } : {},
      ...(options.signal ? { signal: options.signal } : {}),
    });
    return res.body;
  }

  /** Vault's health: the answer of 200 (healthy) and of 503 (not) alike, without retries. */
  async health(options: { signal?: AbortSignal } = {}): Promise<HealthResponse & { healthy: boolean }> {
    const res = await this.request<HealthResponse>("GET", "/api/v1/vault/health", {
      allow: [503],
      ...(options.signal ? { signal: options.signal } : {}),
    });
    return { ...res.body, healthy: res.status === 200 };
  }

  async status(options: { signal?: AbortSignal } = {}): Promise<StatusResponse> {
    return (
      await this.request<StatusResponse>("GET", "/api/v1/vault/status", {
        ...(options.signal ? { signal: options.signal } : {}),
      })
    ).body;
  }

  /** Forgets the values kept in memory: one key's, or all. */
  clearCache(key?: string, options: ScopeOptions = {}): void {
    if (key === undefined) this.cache.clear();
    else this.cache.delete(this.cacheKey(this.scope(options), key));
  }

  /**
   * Any route: JSON in and out (a text answer, such as Prometheus', comes back as a string). Error
   * statuses throw typed errors unless listed in `allow`; 503 and a read's 504 are retried.
   */
  async request<T = Record<string, unknown>>(
    method: string,
    path: string,
    options: RequestOptions = {},
  ): Promise<ApiResponse<T>> {
    const url = new URL(`${this.baseUrl}${path}`);
    for (const [k, v] of Object.entries(options.query ?? {})) if (v !== undefined) url.searchParams.set(k, String(v));
    const read = READS.has(method.toUpperCase());
    const maxAttempts = Math.max(1, options.maxAttempts ?? this.options.maxAttempts ?? 3);
    const timeoutMs = options.timeoutMs ?? this.options.timeoutMs ?? 10_000;
    const token = typeof this.options.token === "function" ? await this.options.token() : this.options.token;
    const headers: Record<string, string> = {
      accept: "application/json",
      ...this.options.headers,
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(options.body !== undefined ? { "content-type": "application/json" } : {}),
      ...options.headers,
    };
    for (let attempt = 1; ; attempt++) {
      const last = attempt >= maxAttempts;
      const timeout = AbortSignal.timeout(timeoutMs);
      let res: Response;
      let text: string;
      try {
        res = await this.fetchFn(url, {
          method,
          headers,
          ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
          signal: options.signal ? AbortSignal.any([options.signal, timeout]) : timeout,
        });
        text = await res.text();
      } catch (error) {
        // The caller's own abort is theirs: no retry, their reason.
        if (options.signal?.aborted) throw options.signal.reason ?? error;
        const timedOut = timeout.aborted || (error as Error)?.name === "TimeoutError";
        const notSent = !timedOut && NOT_SENT.has(networkCode(error) ?? "");
        if (!read && !notSent) {
          throw new OutcomeUnknownError(
            `${method} ${path}: ${timedOut ? `no answer within ${timeoutMs} ms` : describe(error)}; the write may have happened, read before writing again`,
            { status: 0, code: "outcome_unknown", body: undefined, cause: error },
          );
        }
        if (last)
          throw new VaultopsConnectionError(
            timedOut ? `${method} ${path}: no answer within ${timeoutMs} ms` : `${describe(error)}`,
            { cause: error, timedOut },
          );
        await this.sleep(this.backoff(attempt), options.signal);
        continue;
      }
      let body: unknown = text;
      try {
        body = text ? JSON.parse(text) : {};
      } catch {
        // a text answer (Prometheus exposition)
      }
      if (res.ok || res.status === 304 || options.allow?.includes(res.status))
        return { status: res.status, body: body as T, headers: res.headers };
      const retryAfterMs = parseRetryAfter(res.headers.get("retry-after"), this.now());
      const error = errorFor(res.status, body, {
        ...(requestIdOf(res.headers) !== undefined ? { requestId: requestIdOf(res.headers) } : {}),
        ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
      });
      // A write the API could not finish: whether it happened is unknown, so it is never sent again.
      if (res.status === 504 && !read) {
        if (error instanceof OutcomeUnknownError) throw error;
        throw new OutcomeUnknownError(error.message, {
          status: 504,
          code: error.code,
          body,
          ...(error.requestId !== undefined ? { requestId: error.requestId } : {}),
          ...(error.details !== undefined ? { details: error.details } : {}),
        });
      }
      const retryable = res.status === 503 || (res.status === 504 && read);
      if (!retryable || last) throw error;
      const maxRetryAfter = this.options.maxRetryAfterMs ?? 30_000;
      if (retryAfterMs !== undefined && retryAfterMs > maxRetryAfter) throw error;
      await this.sleep(retryAfterMs ?? this.backoff(attempt), options.signal);
    }
  }

  /** Full jitter: random in [0, min(max, base × 2^(attempt-1))). */
  private backoff(attempt: number): number {
    const base = this.options.baseDelayMs ?? 200;
    const cap = this.options.maxDelayMs ?? 5_000;
    return Math.floor(this.random() * Math.min(cap, base * 2 ** (attempt - 1)));
  }

  private scope(options: ScopeOptions): Scope {
    const environment = options.environment ?? this.options.environment;
    const service = options.service ?? this.options.service;
    if (!environment || !service)
      throw new TypeError("vaultops client: name the environment and service (in the call or the client's options)");
    return { environment, service };
  }

  private cacheKey(scope: Scope, key: string) {
    return `${scope.environment}\u0000${scope.service}\u0000${key}`;
  }
}

function requestIdOf(headers: Headers): string | undefined {
  return headers.get("x-request-id") ?? headers.get("apigw-requestid") ?? undefined;
}

function networkCode(error: unknown): string | undefined {
  const cause = (error as { cause?: { code?: unknown } })?.cause;
  const code = cause?.code ?? (error as { code?: unknown })?.code;
  return typeof code === "string" ? code : undefined;
}

function describe(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const code = networkCode(error);
  return code && !message.includes(code) ? `${message} (${code})` : message;
}
