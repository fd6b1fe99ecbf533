import type { Clock } from "../clock";
import type { Logger } from "../logger";
import type { VaultAuthenticator } from "./auth";
import type { OperationRecorder } from "./operation-recorder";
import type { VaultTransport } from "./transport";

/** The gateway's configuration and per-call options (gateway.ts), kept apart from its behaviour. */

export interface RetryPolicy {
  baseDelayMs: number;
  maxDelayMs: number;
  /** Whole budget of one operation, retries included. */
  deadlineMs: number;
}

export interface VaultGatewayOptions {
  transport: VaultTransport;
  authenticator: VaultAuthenticator;
  recorder?: OperationRecorder;
  logger?: Logger;
  clock?: Clock;
  retry?: Partial<RetryPolicy>;
  loginDeadlineMs?: number;
  /** Called when Vault refuses the plane's credentials (a failed login, not an outage). */
  onLoginRefused?: () => void;
  /** Forced re-authentications closer together than this are refused: one 403 storm, one login. */
  minReauthIntervalMs?: number;
  random?: () => number;
}

/** Per call: whether a retry after a lost answer is safe, and time to keep for what follows it. */
export interface CallOptions {
  /**
   * False for writes: a failure after the request may have been sent is not retried (the write may
   * have happened); the caller finds out what happened. Default true.
   */
  idempotent?: boolean;
  /** Time of the operation's deadline this call leaves unused (for reconciling a lost answer). */
  reserveMs?: number;
}
