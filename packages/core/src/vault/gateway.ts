import { type Clock, sleep, systemClock } from "../clock";
import {
  TokenRenewalError,
  VaultAuthenticationError,
  VaultConnectionError,
  VaultopsError,
  VaultPermissionError,
  VaultSecretNotFoundError,
  VersionConflictError,
} from "../errors";
import { operationDeadline, withinOperation } from "../operation-deadline";
import type { VaultSession } from "./auth";
import type { CallOptions, RetryPolicy, VaultGatewayOptions } from "./gateway-options";
import { classifyHealth, unreachableHealth, type VaultHealth } from "./health";
import { failureKind } from "./operation-recorder";
import type { VaultRequest } from "./transport";

export type { CallOptions, RetryPolicy, VaultGatewayOptions } from "./gateway-options";
export type { FailureKind, OperationRecorder } from "./operation-recorder";

export interface TokenInfo {
  ttlSeconds: number;
  renewable: boolean;
  /** Undefined for a token that never expires. */
  expireTime?: string;
  policies?: string[];
}

const withDeadline = <T>(promise: Promise<T>, ms: number, what: string): Promise<T> =>
  new Promise<T>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new VaultConnectionError("Vault is not available", { details: `${what} exceeded ${ms} ms` })),
      ms,
    );
    promise.then(
      (v) => {
        clearTimeout(timer);
        resolve(v);
      },
      (e) => {
        clearTimeout(timer);
        reject(e);
      },
    );
  });

/** Time of every operation's deadline kept for what follows its last Vault call. */
const ANSWER_RESERVE_MS = 50;

/**
 * The only way vaultops talks to Vault: authentication with single-flight login and one forced
 * re-auth on 403, retries with backoff and jitter inside a deadline, and a record of every call.
 * `within(fn)` gives an operation of several calls one deadline: no call, attempt or retry in it
 * runs past the deadline, each attempt's timeout is capped by the time left.
 */
export class VaultGateway {
  private session: VaultSession | undefined;
  private loginInFlight: Promise<VaultSession> | undefined;
  private lastForcedLoginAt = Number.NEGATIVE_INFINITY;
  private readonly clock: Clock;
  private readonly retry: RetryPolicy;
  private readonly random: () => number;

  constructor(private readonly options: VaultGatewayOptions) {
    this.clock = options.clock ?? systemClock;
    this.retry = { baseDelayMs: 100, maxDelayMs: 1_000, deadlineMs: 8_000, ...options.retry };
    this.random = options.random ?? Math.random;
  }

  get authMethod(): string {
    return this.options.authenticator.method;
  }

  /** The session as known without a round trip (may be undefined before first use). */
  get currentSession(): VaultSession | undefined {
    return this.session;
  }

  /** sys/health, unauthenticated; never throws: an unreachable Vault is a health state. */
  async health(): Promise<VaultHealth> {
    const started = this.clock.now();
    try {
      const body = await this.call(
        "health",
        {
          method: "GET",
          path: "/sys/health?standbyok=true&perfstandbyok=true&sealedcode=200&uninitcode=200&standbycode=200&performancestandbycode=200",
        },
        { retry: false },
      );
      return classifyHealth(body, started, this.clock.now() - started);
    } catch (error) {
      const message =
        error instanceof VaultopsError ? `${error.message}${error.details ? `: ${error.details}` : ""}` : String(error);
      return unreachableHealth(message, started, this.clock.now() - started);
    }
  }

  async lookupSelf(): Promise<TokenInfo> {
    const body = (await this.authed("token_lookup", (token) => ({
      method: "GET",
      path: "/auth/token/lookup-self",
      token,
    }))) as { data?: { ttl?: number; renewable?: boolean; expire_time?: string | null; policies?: string[] } };
    const info: TokenInfo = { ttlSeconds: body.data?.ttl ?? 0, renewable: body.data?.renewable === true };
    if (body.data?.expire_time) info.expireTime = body.data.expire_time;
    if (body.data?.policies) info.policies = body.data.policies;
    this.updateSessionTtl(info);
    return info;
  }

  /** Renews the plane's own token. Not renewable, expired or refused: TokenRenewalError (400). */
  async renewSelf(incrementSeconds?: number): Promise<TokenInfo> {
    const current = await this.lookupSelf();
    if (!current.renewable) throw new TokenRenewalError("Failed to renew token", { details: "token is not renewable" });
    let body: { auth?: { lease_duration?: number; renewable?: boolean } };
    try {
      body = (await this.authed("token_renew", (token) => ({
        method: "POST",
        path: "/auth/token/renew-self",
        token,
        json: incrementSeconds ? { increment: `${incrementSeconds}s` } : {},
      }))) as typeof body;
    } catch (error) {
      if (error instanceof VaultConnectionError) throw error;
      const details = error instanceof VaultopsError ? (error.details ?? error.message) : "renewal failed";
      throw new TokenRenewalError("Failed to renew token", { cause: error, details });
    }
    const info: TokenInfo = { ttlSeconds: body.auth?.lease_duration ?? 0, renewable: body.auth?.renewable === true };
    this.updateSessionTtl(info);
    return info;
  }

  /** Runs `fn` as one operation: every Vault call inside shares one deadline (VAULT_DEADLINE_MS). */
  within<T>(fn: () => Promise<T>): Promise<T> {
    return withinOperation(this, () => this.clock.now() + this.retry.deadlineMs, fn);
  }

  /** Milliseconds left of the current operation (or of a fresh one). */
  timeLeft(): number {
    const deadline = operationDeadline(this);
    return deadline !== undefined ? deadline - this.clock.now() : this.retry.deadlineMs;
  }

  /** Generic authenticated request for the domain services (KV v2, sys, ...). */
  request<T = unknown>(operation: string, request: Omit<VaultRequest, "token">, options: CallOptions = {}): Promise<T> {
    return this.authed(operation, (token) => ({ ...request, token }), options) as Promise<T>;
  }

  /** Unauthenticated request (sys/unseal, sys/seal-status). */
  requestAnonymous<T = unknown>(operation: string, request: Omit<VaultRequest, "token">): Promise<T> {
    return this.call(operation, request) as Promise<T>;
  }

  /** Drops the session so the next call logs in again (after the plane's credential rotated). */
  forgetSession(): void {
    this.session = undefined;
  }

  private updateSessionTtl(info: TokenInfo): void {
    if (!this.session) return;
    this.session.renewable = info.renewable;
    if (info.ttlSeconds > 0) this.session.expiresAt = this.clock.now() + info.ttlSeconds * 1000;
  }

  private async getSession(force: boolean): Promise<VaultSession> {
    const now = this.clock.now();
    const valid = this.session && (this.session.expiresAt === undefined || this.session.expiresAt - 5_000 > now);
    if (!force && valid && this.session) return this.session;
    if (this.loginInFlight) return this.loginInFlight;
    const previous = this.session;
    const attempt = (async () => {
      const started = this.clock.now();
      try {
        const session = await withDeadline(
          this.options.authenticator.login((r) => this.call("login", r, { retry: true }), { force, now: started }),
          this.options.loginDeadlineMs ?? 4_000,
          "Vault login",
        );
        this.session = session;
        this.options.logger?.info("vault login", { method: session.method, renewable: session.renewable });
        return session;
      } catch (error) {
        // An outage never makes us forget a token that is still valid.
        if (error instanceof VaultConnectionError && previous && valid) return previous;
        if (!(error instanceof VaultConnectionError)) this.options.onLoginRefused?.();
        throw error;
      }
    })();
    this.loginInFlight = attempt;
    try {
      return await attempt;
    } finally {
      this.loginInFlight = undefined;
    }
  }

  private async authed(
    operation: string,
    build: (token: string) => VaultRequest,
    options: CallOptions = {},
  ): Promise<unknown> {
    const session = await this.getSession(false);
    try {
      return await this.call(operation, build(session.token), options);
    } catch (error) {
      if (!(error instanceof VaultPermissionError)) throw error;
      // 403: the token may be revoked or expired. One forced re-auth, shared by concurrent callers,
      // and at most one per interval, so a real policy denial cannot cause a login storm.
      // Another caller is already logging in again, or has: use its token.
      if (this.loginInFlight) return this.call(operation, build((await this.loginInFlight).token), options);
      if (this.session && this.session.token !== session.token)
        return this.call(operation, build(this.session.token), options);
      const now = this.clock.now();
      if (now - this.lastForcedLoginAt < (this.options.minReauthIntervalMs ?? 5_000)) throw error;
      this.lastForcedLoginAt = now;
      let fresh: VaultSession;
      try {
        fresh = await this.getSession(true);
      } catch (loginError) {
        if (loginError instanceof VaultPermissionError) {
          throw new VaultAuthenticationError("Vault refused the plane's credentials", { cause: loginError });
        }
        throw loginError;
      }
      return this.call(operation, build(fresh.token), options);
    }
  }

  /**
   * One logical call: timed and recorded per attempt; connection failures retried with full jitter
   * while the deadline allows, each attempt's timeout capped by the time left. A miss (404) and a
   * check-and-set conflict are answers, not failures, in the records.
   */
  private async call(
    operation: string,
    request: VaultRequest,
    opts: { retry?: boolean } & CallOptions = {},
  ): Promise<unknown> {
    const deadline = Math.min(
      operationDeadline(this) ?? Number.POSITIVE_INFINITY,
      this.clock.now() + this.retry.deadlineMs,
    );
    // The answer's own work after a failure (its audit record, the response) fits in the deadline too.
    const usable = deadline - (opts.reserveMs ?? 0) - Math.min(ANSWER_RESERVE_MS, this.retry.deadlineMs / 10);
    for (let attempt = 0; ; attempt++) {
      const started = this.clock.now();
      const left = usable - started;
      if (left <= 0) {
        const error = new VaultConnectionError("Vault is not available", {
          details: `${request.method} ${request.path}: the operation's deadline passed`,
        });
        this.options.recorder?.record(operation, false, 0, `${error.message}: ${error.details}`, "unavailable");
        throw error;
      }
      try {
        const result = await this.options.transport({ ...request, timeoutMs: left });
        this.options.recorder?.record(operation, true, this.clock.now() - started);
        return result;
      } catch (error) {
        const ok = error instanceof VaultSecretNotFoundError || error instanceof VersionConflictError;
        const message =
          error instanceof VaultopsError ? error.message + (error.details ? `: ${error.details}` : "") : String(error);
        this.options.recorder?.record(
          operation,
          ok,
          this.clock.now() - started,
          ok ? undefined : message,
          ok ? undefined : failureKind(error),
        );
        if (!(error instanceof VaultConnectionError) || opts.retry === false) throw error;
        if (opts.idempotent === false && error.mayHaveReachedVault) throw error;
        const delay = Math.min(this.retry.maxDelayMs, this.retry.baseDelayMs * 2 ** attempt) * this.random();
        if (this.clock.now() + delay >= usable) throw error;
        await sleep(delay);
      }
    }
  }
}
