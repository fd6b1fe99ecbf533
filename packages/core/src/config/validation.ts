import * as z from "zod/mini";
import { PayloadTooLargeError, ValidationError } from "../errors";
import { integer } from "../schema";

/**
 * Names of environments, services and keys: a safe character set that cannot traverse paths or
 * smuggle a Vault path segment (no slash, no leading dot, no `..`).
 */
export const NAME_PATTERN = /^(?!.*\.\.)[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/;
const name = (field: string) =>
  z
    .string({ error: `${field} is required` })
    .check(
      z.regex(
        NAME_PATTERN,
        `${field} must be 1-128 characters of letters, digits, '_', '-' and '.', starting with a letter or digit, without '..'`,
      ),
    );

/** Keys the routes `/api/v1/config/status` and `/api/v1/config/copy` would shadow. */
export const RESERVED_KEYS = ["status", "copy"] as const;

/** A key name the API serves: the name rules, and not a reserved word. */
export const KEY_PATTERN = /^(?!(status|copy)$)(?!.*\.\.)[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/;

const keyName = z
  .string({ error: "key is required" })
  .check(
    z.regex(
      KEY_PATTERN,
      "key must be 1-128 characters of letters, digits, '_', '-' and '.', starting with a letter or digit, without '..', and not 'status' or 'copy' (the routes /config/status and /config/copy)",
    ),
  );

export const configRefSchema = z.object({
  environment: name("environment"),
  service_name: name("service_name"),
  key: keyName,
});
export type ConfigRef = z.infer<typeof configRefSchema>;

/** `{environment}/{service_name}/{key}`: the path under the KV mount, in audit records and logs. */
export const refPath = (ref: ConfigRef): string => `${ref.environment}/${ref.service_name}/${ref.key}`;

const versionNumber = (field: string) => integer(field, 1, Number.MAX_SAFE_INTEGER, { coerce: true });

export const createConfigSchema = z.object({
  key: keyName,
  value: z.string({ error: "value must be a string" }),
  environment: name("environment"),
  service_name: name("service_name"),
  /** Default false for a new key; a key that was sensitive (re-created after a delete) stays so. */
  is_encrypted: z.optional(z.boolean({ error: "is_encrypted must be true or false" })),
});
export type CreateConfigInput = z.infer<typeof createConfigSchema>;

export const updateConfigSchema = z.object({
  value: z.string({ error: "value must be a string" }),
  is_encrypted: z.optional(z.boolean({ error: "is_encrypted must be true or false" })),
  expected_version: z.optional(versionNumber("expected_version")),
});
export type UpdateConfigInput = z.infer<typeof updateConfigSchema>;

export const rollbackSchema = z.object({
  version: versionNumber("version"),
  expected_version: z.optional(versionNumber("expected_version")),
  /** `false` (admin only): the restored version is plain again although the key is (or was) sensitive. */
  is_encrypted: z.optional(z.boolean({ error: "is_encrypted must be true or false" })),
});

export const listQuerySchema = z.object({
  environment: name("environment"),
  service_name: name("service_name"),
  limit: z._default(integer("limit", 1, 500, { coerce: true }), 50),
  offset: z._default(integer("offset", 0, Number.MAX_SAFE_INTEGER, { coerce: true }), 0),
});

export const versionQuerySchema = z.optional(versionNumber("version"));

/** Parses input with a schema; failures become a 400 listing every problem. */
export function parseInput<T>(schema: z.ZodMiniType<T>, input: unknown): T {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const problems = result.error.issues.map((i) => (i.path.length ? `${i.path.join(".")}: ${i.message}` : i.message));
  throw new ValidationError("Invalid request", { details: problems.join("; ") });
}

export function checkValueSize(value: string, maxBytes: number): void {
  const bytes = Buffer.byteLength(value, "utf8");
  if (bytes > maxBytes) {
    throw new PayloadTooLargeError("Config value too large", { details: `${bytes} bytes; the limit is ${maxBytes}` });
  }
}

/** `If-Match: "3"`, `3` or `W/"3"` -> 3; `*` -> none; anything else (an empty value too) is a 400. */
export function parseIfMatch(header: string | undefined): number | undefined {
  if (header === undefined || header.trim() === "*") return undefined;
  const match = /^(?:W\/)?"?(\d+)"?$/.exec(header.trim());
  if (!match) throw new ValidationError("Invalid If-Match header", { details: 'expected a version such as "3"' });
  return Number(match[1]);
}
