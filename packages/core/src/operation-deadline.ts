import { AsyncLocalStorage } from "node:async_hooks";
import type { OperationScope } from "./config/kv-store";

/**
 * One deadline per operation and per owner (a Vault gateway, a Secrets Manager scope), kept across
 * awaits. One AsyncLocalStorage for the process, not one per owner: Node pays for every live instance
 * on every promise, and a process can hold many contexts (the local runtime, the capacity model).
 */
const deadlines = new AsyncLocalStorage<ReadonlyMap<object, number>>();

/** The deadline `owner` set for the operation running now, if any. */
export function operationDeadline(owner: object): number | undefined {
  return deadlines.getStore()?.get(owner);
}

/** Runs `fn` under `owner`'s deadline; inside an operation of the same owner, under that one's. */
export function withinOperation<T>(owner: object, deadline: () => number, fn: () => Promise<T>): Promise<T> {
  const current = deadlines.getStore();
  if (current?.has(owner)) return fn();
  const next = new Map(current);
  next.set(owner, deadline());
  return deadlines.run(next, fn);
}

/** An operation's deadline as the calls inside it see it: a signal that cuts them when it passes. */
export interface DeadlineScope extends OperationScope {
  /**
   * The signal of the current operation's deadline (of a fresh one outside any), firing `reserveMs`
   * early: a write keeps that time to find out whether a lost answer's write landed.
   */
  signal(reserveMs?: number): AbortSignal;
  /** Milliseconds left of the current operation. */
  timeLeft(): number;
}

/**
 * One deadline for an operation's Secrets Manager calls: each call carries the deadline's abort
 * signal, so at the deadline the call in flight is cut and the operation fails (503
 * backend_unavailable, or 504 outcome_unknown for a write that may have landed), instead of holding the
 * function to its timeout. Nothing is raced: work that is not a Secrets Manager call (the cache, the
 * audit record after a write that landed) finishes, so a change is never answered as failed once done.
 */
export function deadlineScope(deadlineMs: number, clock: { now(): number } = Date): DeadlineScope {
  const owner = {};
  const deadline = () => operationDeadline(owner) ?? clock.now() + deadlineMs;
  return {
    within<T>(fn: () => Promise<T>): Promise<T> {
      return withinOperation(owner, () => clock.now() + deadlineMs, fn);
    },
    signal(reserveMs = 0) {
      return AbortSignal.timeout(Math.max(0, deadline() - reserveMs - clock.now()));
    },
    timeLeft() {
      return deadline() - clock.now();
    },
  };
}
