import type { Clock } from "./clock";

/** One load shared by every caller for `ms` (or until `force`); a failed load is not kept. */
export function memoised<T>(clock: Clock, ms: number, load: () => Promise<T>): (force?: boolean) => Promise<T> {
  let memo: { at: number; value: Promise<T> } | undefined;
  return (force = false) => {
    const now = clock.now();
    if (force || !memo || now - memo.at >= ms) {
      const value = load();
      memo = { at: now, value };
      value.catch(() => {
        if (memo?.value === value) memo = undefined;
      });
    }
    return memo.value;
  };
}

/** Built on first use, then the same object: what a function kind never touches, it never builds. */
export function lazily<T>(build: () => T): () => T {
  let built: { value: T } | undefined;
  return () => {
    built ??= { value: build() };
    return built.value;
  };
}
