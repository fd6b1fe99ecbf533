import { AsyncLocalStorage } from "node:async_hooks";

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
