/**
 * The one error hierarchy of vaultops (seed 003) and its one mapping to HTTP statuses.
 * Only these errors are shown to clients; anything else becomes a plain 500.
 */
export abstract class VaultopsError extends Error {
  abstract readonly status: number;
  abstract readonly code: string;
  /** Extra, client-safe detail (never a secret value). */
  readonly details?: string;

  constructor(message: string, options?: { cause?: unknown; details?: string }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    if (options?.details !== undefined) this.details = options.details;
  }
}

export class VaultError extends VaultopsError {
  readonly status: number = 502;
  readonly code: string = "vault_error";
}
export class VaultConnectionError extends VaultError {
  override readonly status = 503;
  override readonly code = "vault_unavailable";
  /**
   * The request may have reached Vault before the connection failed (a timeout or reset after
   * sending, not a refused connection): a write may have happened, so it is not simply retried.
   */
  readonly mayHaveReachedVault: boolean;

  constructor(message: string, options?: { cause?: unknown; details?: string; mayHaveReachedVault?: boolean }) {
    super(message, options);
    this.mayHaveReachedVault = options?.mayHaveReachedVault ?? false;
  }
}
/** A write whose answer was lost, and whether it happened could not be found out in time. */
export class OutcomeUnknownError extends VaultError {
  override readonly status = 504;
  override readonly code = "outcome_unknown";
}
export class VaultAuthenticationError extends VaultError {
  override readonly status: number = 503;
  override readonly code: string = "vault_authentication_failed";
}
export class VaultInvalidTokenError extends VaultAuthenticationError {
  override readonly code = "vault_invalid_token";
}
export class VaultSecretNotFoundError extends VaultError {
  override readonly status = 404;
  override readonly code = "not_found";
}
export class VaultPermissionError extends VaultError {
  override readonly status = 403;
  override readonly code = "vault_permission_denied";
}
export class VaultSealedError extends VaultError {
  override readonly status = 503;
  override readonly code = "vault_sealed";
}
export class VaultUninitializedError extends VaultError {
  override readonly status = 503;
  override readonly code = "vault_uninitialized";
}
/** A check-and-set write lost against a concurrent writer. */
export class VaultVersionError extends VaultError {
  override readonly status = 409;
  override readonly code: string = "version_conflict";
}
/** The data at a path was written by another client in its own shape; replacing it needs `?replace=true`. */
export class ForeignShapeError extends VaultVersionError {
  override readonly code = "foreign_shape";
}
export class VaultCacheError extends VaultError {
  override readonly status = 503;
  override readonly code = "cache_unavailable";
}
export class VaultValidationError extends VaultError {
  override readonly status: number = 400;
  override readonly code: string = "invalid_request";
}
export class PayloadTooLargeError extends VaultValidationError {
  override readonly status = 413;
  override readonly code = "payload_too_large";
}
/** The plane's token cannot be renewed (not renewable, expired, refused). */
export class TokenRenewalError extends VaultError {
  override readonly status = 400;
  override readonly code = "token_renewal_failed";
}

/** Caller errors of the management API itself, not of Vault. */
export class UnauthorizedError extends VaultopsError {
  readonly status = 401;
  readonly code = "unauthorized";
}
export class ForbiddenError extends VaultopsError {
  readonly status = 403;
  readonly code: string = "forbidden";
  /** The configuration path refused, when the refusal is about one (for the audit record and figures). */
  readonly path?: string;

  constructor(message: string, options?: { cause?: unknown; details?: string; path?: string }) {
    super(message, options);
    if (options?.path !== undefined) this.path = options.path;
  }
}
/** A sensitive value asked for by a token without `secrets:read`. */
export class SecretsScopeRequiredError extends ForbiddenError {
  override readonly code = "secrets_scope_required";
}
export class NotFoundError extends VaultopsError {
  readonly status = 404;
  readonly code = "not_found";
}
/** A shared state store (DynamoDB) cannot be reached. */
export class StateStoreError extends VaultopsError {
  readonly status = 503;
  readonly code = "state_store_unavailable";
}

export interface ErrorBody {
  error: string;
  code: string;
  details?: string;
  request_id?: string;
}

/** The single place where an error becomes a status and a client-safe body. */
export function toErrorResponse(error: unknown, requestId?: string): { status: number; body: ErrorBody } {
  if (error instanceof VaultopsError) {
    const body: ErrorBody = { error: error.message, code: error.code };
    if (error.details !== undefined) body.details = error.details;
    if (requestId !== undefined) body.request_id = requestId;
    return { status: error.status, body };
  }
  const body: ErrorBody = { error: "Internal server error", code: "internal_error" };
  if (requestId !== undefined) body.request_id = requestId;
  return { status: 500, body };
}
