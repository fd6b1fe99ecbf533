/**
 * One attempt per key at a time: callers that ask for a key while its attempt is out share it (the
 * two-tier cache's concurrent misses on one key in one container make one origin read).
 */
export class SingleFlight<T> {
  private readonly pending = new Map<string, Promise<T>>();

  run(key: string, attempt: () => Promise<T>): Promise<T> {
    const pending = this.pending.get(key);
    if (pending) return pending;
    const started = attempt().finally(() => this.pending.delete(key));
    this.pending.set(key, started);
    return started;
  }
}
