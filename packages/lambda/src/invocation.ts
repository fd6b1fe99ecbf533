import type { VaultopsContext } from "@vaultops/core";

/**
 * What every entry kind does when an invocation ends, however it ended: the access figures go out as
 * EMF lines, the shared counters are flushed (`always`: every time; else only when due), and a failure
 * to flush is logged, never turned into a failed invocation.
 */
export async function flushInvocation(ctx: VaultopsContext, options: { always: boolean }): Promise<void> {
  ctx.accessMetrics.flush();
  try {
    if (options.always) await ctx.recorder.flush();
    else await ctx.recorder.flushIfDue();
  } catch (error) {
    ctx.logger.warn("counter flush failed", { error: (error as Error).message });
  }
}

/** Header names compared without case, as HTTP says; values of repeated headers joined with commas. */
export function lowerCaseHeaders(
  headers: Record<string, string | undefined> | null | undefined,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (value === undefined || value === null) continue;
    const key = name.toLowerCase();
    out[key] = key in out ? `${out[key]},${value}` : String(value);
  }
  return out;
}
