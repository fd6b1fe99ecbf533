import { createHash } from "node:crypto";

/** The short hash that stands in for a secret in logs, metrics and audit: first 8 bytes of SHA-256, hex. */
export function shortHash(value: string): string {
  return createHash("sha256").update(value).digest("hex").slice(0, 16);
}

export function sha256Hex(value: string): string {
  return createHash("sha256").update(value).digest("hex");
}
