import type { Clock } from "../clock";
import type { CacheAccessRecorder } from "./cache-access";

/** How a TwoTierCache (two-tier-cache.ts) is configured. */
export interface TwoTierCacheOptions {
  /** TTL of the shared (DynamoDB) tier. */
  ttlMs: number;
  /**
   * TTL of the in-process tier: how long another warm container may serve a value after a write
   * (the writer's own container and the shared tier change at once).
   */
  memoryTtlMs?: number;
  /** How stale this container's view of the clear generation may be. */
  generationCheckMs: number;
  maxMemoryEntries?: number;
  clock?: Clock;
  recorder?: CacheAccessRecorder;
  /** Which origin a key belongs to, for the figures (Vault or Secrets Manager). */
  backendOf?: (key: string) => string | undefined;
}
