/**
 * The errors the client throws. An answer of the API with an error status becomes a VaultopsApiError, or
 * the subclass of its status and `code` (the API's error body: `{ error, code, details?, request_id? }`);
 * a request that got no answer becomes a VaultopsConnectionError, or an OutcomeUnknownError for a write.
 */

/** The API's error body (components.schemas.Error); API Gateway's own errors only carry `message`. */
export interface ErrorBody {
  error?: string;
  code?: string;
  details?: string;
  request_id?: string;
  message?: string;
  [key: string]: unknown;
}

/** An error answer of the API: its HTTP status, its `code`, the request id to quote, and the body. */
export class VaultopsApiError extends Error {
  override name = "VaultopsApiError";
  readonly status: number;
  /** The API's error code (`version_conflict`, `not_found`, ...), or `http_<status>` when the body had none. */
  readonly code: string;
  readonly details?: string;
  readonly requestId?: string;
  readonly body: unknown;
  /** The answer's Retry-After, in milliseconds, when it had one. */
  readonly retryAfterMs?: number;

  constructor(
    message: string,
    init: {
      status: number;
      code: string;
      details?: string;
      requestId?: string;
      body?: unknown;
      retryAfterMs?: number;
      /** What went wrong underneath, for an error the client made up (no answer). */
      cause?: unknown;
    },
  ) {
    super(message, init.cause === undefined ? undefined : { cause: init.cause });
    this.status = init.status;
    this.code = init.code;
    if (init.details !== undefined) this.details = init.details;
    if (init.requestId !== undefined) this.requestId = init.requestId;
    this.body = init.body;
    if (init.retryAfterMs !== undefined) this.retryAfterMs = init.retryAfterMs;
  }
}

/** 400: the request is not valid (every problem named in `details`). */
export class InvalidRequestError extends VaultopsApiError {
  override name = "InvalidRequestError";
}
/** 401: no valid bearer token. */
export class UnauthorizedError extends VaultopsApiError {
  override name = "UnauthorizedError";
}
/** 403: refused (Vault's or a backend's permission, or the token's scope: see ScopeError). */
export class ForbiddenError extends VaultopsApiError {
  override name = "ForbiddenError";
}
/**
 * 403 about the token itself: it lacks the scope or the path (`forbidden`), or asks a sensitive value
 * without `secrets:read` (`secrets_scope_required`).
 */
export class ScopeError extends ForbiddenError {
  override name = "ScopeError";
}
/** 404: no such configuration, version, snapshot or backend. */
export class NotFoundError extends VaultopsApiError {
  override name = "NotFoundError";
}
/**
 * 409: the write was based on a version that is not the current one (If-Match), the key exists already
 * (create), or the data was written by another client in its own shape (`foreign_shape`). Nothing was written.
 */
export class ConflictError extends VaultopsApiError {
  override name = "ConflictError";
}
/** 503: Vault, the state store or a backend is unavailable; nothing happened. Retried by the client. */
export class UnavailableError extends VaultopsApiError {
  override name = "UnavailableError";
}
/**
 * A write whose outcome is unknown: the API answered 504 `outcome_unknown` (the write was sent to Vault
 * but its answer was lost), or the client got no answer at all (`status` 0). Never retried: read the
 * value before writing again.
 */
export class OutcomeUnknownError extends VaultopsApiError {
  override name = "OutcomeUnknownError";
}

/** No answer: the API cannot be reached, or did not answer within the timeout. */
export class VaultopsConnectionError extends Error {
  override name = "VaultopsConnectionError";
  /** True when the request timed out (AbortSignal.timeout), false for a network failure. */
  readonly timedOut: boolean;

  constructor(message: string, options: { cause?: unknown; timedOut?: boolean } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.timedOut = options.timedOut ?? false;
  }
}

const SCOPE_CODES = new Set(["forbidden", "secrets_scope_required"]);

/** The error for an error answer: by status, and by code where the status alone does not say. */
export function errorFor(
  status: number,
  body: unknown,
  headers: { requestId?: string; retryAfterMs?: number } = {},
): VaultopsApiError {
  const b = (body && typeof body === "object" ? body : {}) as ErrorBody;
  const code = typeof b.code === "string" ? b.code : `http_${status}`;
  const message =
    (typeof b.error === "string" && b.error) ||
    (typeof b.message === "string" && b.message) ||
    (typeof body === "string" && body.trim()) ||
    `HTTP ${status}`;
  const init = {
    status,
    code,
    body,
    ...(typeof b.details === "string" ? { details: b.details } : {}),
    ...((typeof b.request_id === "string" ? b.request_id : headers.requestId) !== undefined
      ? { requestId: typeof b.request_id === "string" ? b.request_id : headers.requestId }
      : {}),
    ...(headers.retryAfterMs !== undefined ? { retryAfterMs: headers.retryAfterMs } : {}),
  };
  switch (status) {
    case 400:
      return new InvalidRequestError(message, init);
    case 401:
      return new UnauthorizedError(message, init);
    case 403:
      return SCOPE_CODES.has(code) ? new ScopeError(message, init) : new ForbiddenError(message, init);
    case 404:
      return new NotFoundError(message, init);
    case 409:
      return new ConflictError(message, init);
    case 503:
      return new UnavailableError(message, init);
    case 504:
      return code === "outcome_unknown" ? new OutcomeUnknownError(message, init) : new VaultopsApiError(message, init);
    default:
      return new VaultopsApiError(message, init);
  }
}
