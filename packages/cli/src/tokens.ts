import { randomBytes } from "node:crypto";
import { type ApiTokenRecord, parseTokenList, SCOPES, tokenRecord } from "@vaultops/core";
import { CliError, EXIT } from "./client";

export { SCOPES };

/** `90d`, `12h`, `30m` -> milliseconds. */
export function parseTtl(ttl: string): number {
  const match = /^([1-9]\d*)([dhm])$/.exec(ttl.trim());
  if (!match) throw new CliError(`--ttl ${ttl}: expected a positive number and d, h or m (90d, 12h, 30m)`, EXIT.usage);
  return Number(match[1]) * { d: 86_400_000, h: 3_600_000, m: 60_000 }[match[2] as "d" | "h" | "m"];
}

/**
 * A new API token (32 random bytes, URL-safe) and its entry for the token list: name, SHA-256,
 * scopes, paths, expiry. The entry is checked by the same parser the plane loads lists with.
 */
export function createApiToken(
  options: { name: string; scopes: string; paths?: string; ttl?: string },
  now = Date.now(),
): { token: string; entry: ApiTokenRecord } {
  const token = `vo_${randomBytes(32).toString("base64url")}`;
  const split = (text: string) =>
    text
      .split(",")
      .map((s) => s.trim())
      .filter(Boolean);
  const entry = tokenRecord(options.name, token, split(options.scopes) as ApiTokenRecord["scopes"], {
    ...(options.paths ? { paths: split(options.paths) } : {}),
    ...(options.ttl ? { expires_at: new Date(now + parseTtl(options.ttl)).toISOString() } : {}),
  });
  try {
    parseTokenList([entry], "the new token");
  } catch (error) {
    throw new CliError((error as Error).message, EXIT.usage);
  }
  return { token, entry };
}
