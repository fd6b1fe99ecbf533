import { createHash } from "node:crypto";

/** The short hash that stands in for a secret in logs, metrics and audit: first 8 bytes of SHA-256, hex. */
export function shortHash(value: string): string {
  return createHash("sha256").update(value).digest("hex").slice(0, 16);
}

/** A sensitive value withheld: null, with its short hash beside it (the record keeps its shape). */
export function withheld<T extends { value: string }>(
  record: T,
): Omit<T, "value"> & { value: null; value_sha256_prefix: string } {
  return { ...record, value: null, value_sha256_prefix: shortHash(record.value) };
}

export function sha256Hex(value: string): string {
  return createHash("sha256").update(value).digest("hex");
}
