import {
  ValidationError,
  VaultConnectionError,
  VaultError,
  VaultopsError,
  VaultPermissionError,
  VaultSealedError,
  VaultSecretNotFoundError,
  VaultUninitializedError,
  VersionConflictError,
} from "../errors";

/** One HTTP call to Vault's API; node-vault does the wire work, loaded on first use (it costs ~95 ms to import). */
export interface VaultRequest {
  method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE" | "LIST";
  path: string;
  token?: string;
  json?: unknown;
  /** A body type other than JSON's (KV v2's PATCH takes `application/merge-patch+json`). */
  contentType?: string;
  /** This attempt's timeout, when shorter than the transport's (the time left of the operation). */
  timeoutMs?: number;
}

export type VaultTransport = (request: VaultRequest) => Promise<unknown>;

type NodeVaultClient = { request(options: Record<string, unknown>): Promise<unknown> };

export function createNodeVaultTransport(options: {
  address: string;
  namespace?: string | undefined;
  timeoutMs: number;
}): VaultTransport {
  let client: Promise<NodeVaultClient> | undefined;
  const load = () => {
    client ??= import("node-vault").then((mod) => {
      const factory = (mod.default ?? mod) as unknown as (config: Record<string, unknown>) => NodeVaultClient;
      const config: Record<string, unknown> = { endpoint: options.address, apiVersion: "v1", token: "" };
      if (options.namespace) config.namespace = options.namespace;
      return factory(config);
    });
    return client;
  };
  return async (request) => {
    const vault = await load();
    const headers: Record<string, string> = {};
    if (request.token) headers["X-Vault-Token"] = request.token;
    if (request.contentType) headers["Content-Type"] = request.contentType;
    try {
      return await vault.request({
        path: request.path,
        method: request.method,
        json: request.json,
        headers,
        timeout: Math.max(1, Math.min(options.timeoutMs, request.timeoutMs ?? options.timeoutMs)),
      });
    } catch (error) {
      throw toVaultError(error, request);
    }
  };
}

/**
 * THE transport of a deployed function, from its settings (Vault's address, namespace and request
 * timeout): the context's gateway and the credential rotation both use this one.
 */
export function vaultTransportFor(settings: {
  VAULT_ADDR: string;
  VAULT_NAMESPACE?: string | undefined;
  VAULT_REQUEST_TIMEOUT_MS: number;
}): VaultTransport {
  return createNodeVaultTransport({
    address: settings.VAULT_ADDR,
    namespace: settings.VAULT_NAMESPACE,
    timeoutMs: settings.VAULT_REQUEST_TIMEOUT_MS,
  });
}

/** Failures before the request could have been sent: nothing reached Vault. */
const notSentCodes = new Set(["ECONNREFUSED", "EHOSTUNREACH", "ENETUNREACH", "ENOTFOUND", "EAI_AGAIN"]);
/** Failures after it may have been sent (a timeout, a reset): Vault may have acted on it. */
const maybeSentCodes = new Set(["ECONNRESET", "ETIMEDOUT", "ECONNABORTED", "EPIPE", "ERR_SOCKET_CONNECTION_TIMEOUT"]);

/**
 * Maps node-vault / axios failures onto the typed hierarchy. The raw error is not kept as the cause:
 * axios errors carry the request config, token header included, and serialise it (toJSON).
 */
export function toVaultError(raw: unknown, request: Pick<VaultRequest, "method" | "path">): Error {
  if (raw instanceof VaultopsError) return raw;
  const where = `${request.method} ${request.path}`;
  const err = raw as { code?: string; message?: string; response?: { statusCode?: number; body?: unknown } };
  const error = new Error(err.code ? `${err.code}: ${err.message ?? ""}` : (err.message ?? "Vault request failed"));
  const status = err.response?.statusCode;
  if (status === undefined) {
    const notSent = err.code !== undefined && notSentCodes.has(err.code);
    if (
      notSent ||
      (err.code && maybeSentCodes.has(err.code)) ||
      /timeout|socket hang up|network/i.test(err.message ?? "")
    ) {
      return new VaultConnectionError("Vault is not available", {
        cause: error,
        details: `${where}: ${err.code ?? err.message ?? "connection failed"}`,
        mayHaveReachedVault: !notSent,
      });
    }
    return new VaultError("Vault request failed", { cause: error, details: `${where}: ${err.message ?? "unknown"}` });
  }
  const message = (err.message ?? "").slice(0, 300);
  if (status === 503 && /sealed/i.test(message)) {
    return new VaultSealedError("Vault is sealed", { cause: error, details: where });
  }
  if (status === 501) return new VaultUninitializedError("Vault is not initialized", { cause: error, details: where });
  if (status === 403) return new VaultPermissionError("Permission denied by Vault", { cause: error, details: where });
  if (status === 404) return new VaultSecretNotFoundError("Not found in Vault", { cause: error, details: where });
  if (status === 400 && /check-and-set/i.test(message)) {
    return new VersionConflictError("Version conflict: the value was changed by another writer", {
      cause: error,
      details: message,
    });
  }
  if (status === 400) return new ValidationError("Vault rejected the request", { cause: error, details: message });
  if (status === 429 || status === 502 || status === 503 || status === 504) {
    // A proxy's 502/504 may come after Vault received the request; 429 and 503 are Vault refusing it.
    return new VaultConnectionError("Vault is not available", {
      cause: error,
      details: `${where}: HTTP ${status}`,
      mayHaveReachedVault: status === 502 || status === 504,
    });
  }
  return new VaultError("Vault request failed", { cause: error, details: `${where}: HTTP ${status} ${message}` });
}
