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
