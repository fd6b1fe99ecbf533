import { AccessMetrics, createLogger, type VaultopsContext } from "@vaultops/core";
import { MemoryAuditLog } from "./memory";

/**
 * What the HTTP edge touches of a context (clock, logger, audit, figures), faked: refusals land in the
 * audit log in memory, counters and EMF lines are kept for the test to read.
 */
export function fakeEdgeContext(now = Date.parse("2026-06-01T00:00:00Z")) {
  const audit = new MemoryAuditLog();
  const counted = { authFailures: 0, denied: 0 };
  const emf: string[] = [];
  const ctx = {
    clock: { now: () => now },
    logger: createLogger({}, "error", () => {}),
    audit,
    accessMetrics: new AccessMetrics("Test", (line) => emf.push(line)),
    recorder: {
      flush: async () => {},
      flushIfDue: async () => {},
      authFailure: () => counted.authFailures++,
      denied: () => counted.denied++,
    },
  } as unknown as VaultopsContext;
  return { ctx, audit, counted, emf };
}
