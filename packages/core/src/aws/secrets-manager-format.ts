import { createHash } from "node:crypto";
import { SENSITIVE_MARK } from "../config/kv-store";

/**
 * How SecretsManagerKv (secrets-manager-kv.ts) lays configurations out in Secrets Manager: version ids
 * that carry their number, the secret's string or bytes as KV data, and the sensitive tag. Pure: no calls.
 */

/** The version id (and idempotency token) of version `n` of a path. */
export function versionToken(path: string, n: number): string {
  return `vaultops-v${String(n).padStart(10, "0")}-${createHash("sha256").update(path).digest("hex").slice(0, 16)}`;
}

/** The number in a version id vaultops wrote; undefined for another client's (random) id. */
export function versionNumberOf(versionId: string | undefined): number | undefined {
  const match = /^vaultops-v(\d{10})-[0-9a-f]{16}$/.exec(versionId ?? "");
  return match ? Number(match[1]) : undefined;
}

/** The secret's string as data: our JSON object as it is; anything else as another client's shape. */
export function secretData(out: { SecretString?: string; SecretBinary?: Uint8Array }): Record<string, unknown> {
  if (out.SecretString !== undefined) {
    try {
      const parsed = JSON.parse(out.SecretString) as unknown;
      if (parsed && typeof parsed === "object" && !Array.isArray(parsed)) return parsed as Record<string, unknown>;
    } catch {
      // a plain string: another client's shape
    }
    return { secret_string: out.SecretString };
  }
  return { secret_binary_base64: Buffer.from(out.SecretBinary ?? new Uint8Array()).toString("base64") };
}

/**
 * What a write sends for `data`: our JSON; or, for data read from another client's plain string or
 * binary secret (`{secret_string}`, `{secret_binary_base64}`), that string or those bytes again, so a
 * rollback restores such a version exactly as it was.
 */
export function secretPayload(data: Record<string, unknown>): { SecretString: string } | { SecretBinary: Uint8Array } {
  const keys = Object.keys(data);
  if (keys.length === 1 && typeof data.secret_string === "string") return { SecretString: data.secret_string };
  if (keys.length === 1 && typeof data.secret_binary_base64 === "string")
    return { SecretBinary: Buffer.from(data.secret_binary_base64, "base64") };
  return { SecretString: JSON.stringify(data) };
}

/** Whether the secret's tags carry the plane's sensitive mark. */
export function hasSensitiveTag(tags: Array<{ Key?: string; Value?: string }> | undefined): boolean {
  return (tags ?? []).some((t) => t.Key === SENSITIVE_MARK.aws && t.Value === "true");
}
