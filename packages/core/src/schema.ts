import * as z from "zod/mini";

/**
 * An integer in [min, max] expressed with checks that JSON Schema can carry (multipleOf, minimum,
 * maximum), so the OpenAPI document states exactly what the handlers accept.
 */
export function integer(field: string, min: number, max = Number.MAX_SAFE_INTEGER, options: { coerce?: boolean } = {}) {
  const message =
    max === Number.MAX_SAFE_INTEGER
      ? `${field} must be an integer of at least ${min}`
      : `${field} must be an integer from ${min} to ${max}`;
  const base = options.coerce ? z.coerce.number({ error: message }) : z.number({ error: message });
  // multipleOf tolerates float noise (4.8e-222 passes), so the refine makes "integer" exact.
  return base.check(
    z.multipleOf(1, message),
    z.gte(min, message),
    z.lte(max, message),
    z.refine((n) => Number.isInteger(n), message),
  );
}

/** An optional query parameter: an empty value (`?from=`) is the same as none. */
export const emptyAsUndefined = (value: unknown) => (value === "" ? undefined : value);
