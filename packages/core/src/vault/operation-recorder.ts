import { VaultConnectionError, VaultPermissionError, VaultSealedError, VaultUninitializedError } from "../errors";

/**
 * How backend calls are counted: the recorder port every backend adapter (the Vault gateway, the
 * Secrets Manager store) reports each call to, apart from the gateway so adapters need not import it.
 */

/**
 * Why a backend call failed, for the figures: the backend refused the plane (`denied`: Vault's 403,
 * Secrets Manager's AccessDenied), could not be reached or answer (`unavailable`: unreachable, sealed,
 * past the deadline), or anything else (`error`). An outage is never counted as a refusal.
 */
export type FailureKind = "denied" | "unavailable" | "error";

/** Receives every Vault call: counted and timed into the shared counters. */
export interface OperationRecorder {
  record(operation: string, ok: boolean, durationMs: number, error?: string, kind?: FailureKind): void;
}

/** The failure kind of an error a Vault call threw. */
export const failureKind = (error: unknown): FailureKind =>
  error instanceof VaultPermissionError
    ? "denied"
    : error instanceof VaultConnectionError ||
        error instanceof VaultSealedError ||
        error instanceof VaultUninitializedError
      ? "unavailable"
      : "error";
