/** What a read through the two-tier cache returns, and what it reports of each read (for the figures). */

export type CacheTier = "memory" | "shared" | "origin";

export interface CacheAccessRecorder {
  /** `backend`: the origin the key belongs to (see `backendOf`); the default origin when undefined. */
  cacheAccess(hit: boolean, tier: CacheTier, backend?: string): void;
  /** A read that never uses the cache by design (a sensitive value): not a miss. */
  cacheBypass?(backend?: string): void;
}

export interface Loaded {
  value: string;
  version: number;
  /** False for sensitive values: returned to the caller, never stored in either tier. */
  cacheable: boolean;
}

export interface CacheResult extends Loaded {
  tier: CacheTier;
}
