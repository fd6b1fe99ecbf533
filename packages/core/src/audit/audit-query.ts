import * as z from "zod/mini";
import { integer } from "../schema";
import type { AuditFilter } from "./analysis";

const time = (field: string) =>
  z.optional(
    z.pipe(
      z
        .string()
        .check(
          z.regex(
            /^(\d{1,15}|\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])(T([01]\d|2[0-3]):[0-5]\d(:[0-5]\d(\.\d{1,9})?)?(Z|[+-]([01]\d|2[0-3]):[0-5]\d)?)?)$/,
            `${field} must be an ISO time or epoch milliseconds`,
          ),
        ),
      z.transform((v, ctx) => {
        const ms = /^\d+$/.test(v) ? Number(v) : Date.parse(v);
        if (Number.isNaN(ms)) {
          ctx.issues.push({ code: "custom", message: `${field} must be an ISO time or epoch milliseconds`, input: v });
          return z.NEVER;
        }
        return ms;
      }),
    ),
  );
const int = (field: string, min: number, max: number, fallback: number) =>
  z._default(integer(field, min, max, { coerce: true }), fallback);

/** The query string of the audit routes. */
export const auditQuerySchema = z.object({
  from: time("from"),
  to: time("to"),
  operation: z.optional(z.string().check(z.maxLength(200))),
  path: z.optional(z.string().check(z.maxLength(500))),
  actor: z.optional(z.string().check(z.maxLength(200))),
  success: z.optional(
    z.pipe(
      z.enum(["true", "false"]),
      z.transform((v) => v === "true"),
    ),
  ),
  client_ip: z.optional(z.string().check(z.maxLength(64))),
  limit: int("limit", 1, 1000, 100),
  /** The `next_cursor` of the previous page. */
  cursor: z.optional(
    z.string().check(z.regex(/^\d{4}-\d{2}-\d{2}T[0-9:.]+Z#[0-9a-f]{8}$/, "cursor must be a next_cursor value")),
  ),
  window_minutes: int("window_minutes", 1, 1440, 60),
  threshold: int("threshold", 1, 1_000_000, 100),
  baseline_hours: int("baseline_hours", 1, 24 * 30, 24),
});
export type AuditQuery = z.infer<typeof auditQuerySchema>;

export function toFilter(query: AuditQuery): AuditFilter {
  const filter: AuditFilter = {};
  if (query.operation) filter.operation = query.operation.split(",");
  if (query.path) filter.path = query.path;
  if (query.actor) filter.actor = query.actor;
  if (query.success !== undefined) filter.success = query.success;
  if (query.client_ip) filter.sourceIp = query.client_ip;
  return filter;
}
