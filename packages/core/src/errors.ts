/**
 * Every error class of vaultops' core, and the one mapping to HTTP statuses. Only VaultopsErrors
 * are shown to clients (their message, code and details); anything else becomes a plain 500.
 * Errors about Vault carry its name; the others are the plane's own.
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
/** A write based on a version that is not the current one any more (check-and-set, If-Match): 409. */
export class VersionConflictError extends VaultopsError {
  readonly status = 409;
  readonly code: string = "version_conflict";
}
/** The data at a path was written by another client in its own shape; replacing it needs `?replace=true`. */
export class ForeignShapeError extends VersionConflictError {
  override readonly code = "foreign_shape";
}
/** The request is not valid: 400 with every problem named. */
export class ValidationError extends VaultopsError {
  readonly status: number = 400;
  readonly code: string = "invalid_request";
}
export class PayloadTooLargeError extends ValidationError {
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
/** A known path asked with a method it does not have (the API's `$default` route). */
export class MethodNotAllowedError extends VaultopsError {
  readonly status = 405;
  readonly code = "method_not_allowed";
}
/** The snapshot store (S3 or the local directory) refused a write or cannot be reached. */
export class SnapshotStorageError extends VaultopsError {
  readonly status = 503;
  readonly code = "snapshot_storage_unavailable";
}
/** A snapshot that does not decrypt, or whose hash or content does not match its manifest. */
export class SnapshotIntegrityError extends VaultopsError {
  readonly status = 422;
  readonly code = "snapshot_invalid";
}
/** EventBridge rejected an event (logged: the change it reports is done). */
export class EventPublishError extends Error {}
/** A bad or missing setting: the cold start fails with a message naming it. */
export class SettingsError extends Error {}
/** A configuration backend other than Vault (AWS Secrets Manager) cannot be reached. */
export class BackendUnavailableError extends VaultopsError {
  readonly status = 503;
  readonly code = "backend_unavailable";
}
/** A backend a request names that CONFIG_BACKENDS does not set up here. */
export class BackendNotConfiguredError extends VaultopsError {
  readonly status = 404;
  readonly code = "backend_not_configured";
}
/** A configuration backend other than Vault refused the plane's credentials. */
export class BackendPermissionError extends VaultopsError {
  readonly status = 403;
  readonly code = "backend_permission_denied";
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
