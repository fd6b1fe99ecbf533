/**
 * What failed, by kind: what the health state records and the public health route shows, never
 * a message with a path, key or address in it.
 */
export const HEALTH_ERROR_KINDS = ["sealed", "uninitialized", "timeout", "denied", "unreachable", "failed"] as const;
export type HealthErrorKind = (typeof HEALTH_ERROR_KINDS)[number];

const PUBLIC_TEXT: Record<HealthErrorKind, string> = {
  sealed: "Vault is sealed",
  uninitialized: "Vault is not initialized",
  timeout: "Vault did not answer in time",
  denied: "Vault refused the plane's credentials",
  unreachable: "Vault is not reachable",
  failed: "Vault request failed",
};

/** The kind of a recorded failure message (a failed sys/health call's, or the last call's). */
export function errorKind(message: string): HealthErrorKind {
  // A word, not a substring: the recorded message of a failed sys/health call holds `sealedcode=200`.
  if (/\bsealed\b/i.test(message)) return "sealed";
  if (/uninitiali[sz]ed|not initialized/i.test(message)) return "uninitialized";
  if (/timeout|timed out|ECONNABORTED|ETIMEDOUT|deadline|exceeded/i.test(message)) return "timeout";
  if (/permission denied|refused the plane|403/i.test(message)) return "denied";
  if (/not available|ECONNREFUSED|ECONNRESET|ENOTFOUND|EHOSTUNREACH|socket hang up|HTTP 5\d\d/i.test(message))
    return "unreachable";
  return "failed";
}

/** A failure kind in the public health route's words. */
export const publicErrorText = (kind: HealthErrorKind): string => PUBLIC_TEXT[kind];

/** An error as the public health route may show it: its kind, without a path, key or address. */
export const publicError = (message: string): string => publicErrorText(errorKind(message));
