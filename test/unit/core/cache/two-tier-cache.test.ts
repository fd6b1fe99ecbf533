import { type CacheEntry, mayReplace, TwoTierCache } from "@vaultops/core";
import { describe, expect, it } from "vitest";
import { MemoryCacheStore, manualClock } from "../../support/memory";

const setup = (options: { memoryTtlMs?: number } = {}) => {
  const clock = manualClock();
  const store = new MemoryCacheStore();
  const cache = new TwoTierCache(store, {
    ttlMs: 900_000,
    memoryTtlMs: options.memoryTtlMs ?? 5_000,
    generationCheckMs: 1_000,
    clock,
  });
  return { clock, store, cache };
};
const origin =
  (value: string, version: number, cacheable = true) =>
  async () => ({ value, version, cacheable });

describe("TwoTierCache", () => {
  it("serves a refill from memory, then from the shared tier once memory expires", async () => {
    // Arrange
    const { clock, cache } = setup();
    await cache.get("k", origin("v1", 1));
    // Act
    const memory = await cache.get("k", origin("never", 9));
    clock.advance(6_000);
    const shared = await cache.get("k", origin("never", 9));
    // Assert
    expect([memory?.tier, memory?.value]).toEqual(["memory", "v1"]);
    expect([shared?.tier, shared?.value]).toEqual(["shared", "v1"]);
  });

  it("never stores a value the origin says is sensitive, and writes no tombstone where no copy can be served", async () => {
    const { store, cache } = setup();
    const result = await cache.get("k", origin("secret", 3, false));
    expect(result).toMatchObject({ tier: "origin", value: "secret" });
    // The shared tier held nothing anyone could serve: a tombstone would block nothing.
    expect(store.entries.has("k")).toBe(false);
    // This container remembers it: the next read goes to the origin without asking the shared tier.
    const calls = store.calls;
    expect(await cache.get("k", origin("secret", 3, false))).toMatchObject({ tier: "origin" });
    expect(store.calls).toBe(calls);
  });

  it("writes a tombstone over a plain copy of an older version that other containers could serve", async () => {
    // Arrange: another container cached v2 plain; another client made v3 sensitive.
    const { store, cache } = setup();
    await cache.get("k", origin("plain-v2", 2));
    // Act: a no-cache read (the shared tier was not consulted) finds v3 sensitive
    await cache.get("k", origin("secret-v3", 3, false), { revalidate: true });
    // Assert
    expect(store.entries.get("k")).toMatchObject({ tombstone: true, version: 3, value: "" });
    expect(store.changes).toContainEqual({ key: "k", version: 3 });
  });

  it("writes a sensitive key's tombstone once, not on every read of it", async () => {
    // Arrange: a writer made version 3 sensitive (its tombstone is in the shared tier).
    const { clock, store, cache } = setup();
    await cache.advance("k", { version: 3 });
    await cache.get("k", origin("secret", 3, false));
    const callsAfterFirst = store.calls;
    // Act: reads from memory's tombstone, then (memory expired) from the shared one.
    for (let i = 0; i < 5; i++) await cache.get("k", origin("secret", 3, false));
    clock.advance(6_000);
    for (let i = 0; i < 5; i++) await cache.get("k", origin("secret", 3, false));
    // Assert: one shared-tier read after memory expired, and no write
    expect(store.calls - callsAfterFirst).toBe(1);
    // A newer sensitive version: one look at the shared tier finds no value there to block, no write.
    const before = store.calls;
    await cache.get("k", origin("secret-v4", 4, false));
    expect(store.calls - before).toBe(1);
    expect(store.entries.get("k")).toMatchObject({ tombstone: true, version: 3 });
  });

  it("writes a newer tombstone when another container cached a plain version since this one looked", async () => {
    // Arrange: this container knows v3 sensitive; another client wrote v4 plain, which another container
    // cached; then v5 sensitive.
    const { store, cache } = setup({ memoryTtlMs: 60_000 });
    const other = new TwoTierCache(store, { ttlMs: 900_000, generationCheckMs: 1_000, clock: manualClock() });
    await cache.advance("k", { version: 3 });
    await cache.get("k", origin("secret-v3", 3, false));
    await other.get("k", origin("plain-v4", 4), { revalidate: true });
    expect(store.entries.get("k")).toMatchObject({ tombstone: false, version: 4 });
    // Act
    await cache.get("k", origin("secret-v5", 5, false));
    // Assert: the plain copy is superseded and announced
    expect(store.entries.get("k")).toMatchObject({ tombstone: true, version: 5 });
    expect(store.changes).toContainEqual({ key: "k", version: 5 });
  });

  it("does not let a slow reader put back an older value after a write advanced the key", async () => {
    const { store, cache } = setup();
    // A reader read version 1 from the origin and is about to refill; a writer made version 2 sensitive.
    await cache.advance("k", { version: 2 });
    const stale = await cache.get("k", origin("plain-v1", 1));
    expect(stale?.value).toBe("plain-v1"); // answered, as read, to that one reader
    expect(store.entries.get("k")).toMatchObject({ tombstone: true, version: 2 });
    // The next reader goes to the origin, not to a stale copy.
    expect((await cache.get("k", origin("secret-v2", 2, false)))?.tier).toBe("origin");
  });

  it("lets a write move a tombstone forward to a plain value again", async () => {
    const { store, cache } = setup();
    await cache.advance("k", { version: 2 });
    await cache.advance("k", { version: 3, value: "plain-v3" });
    expect(store.entries.get("k")).toMatchObject({ tombstone: false, version: 3, value: "plain-v3" });
    expect((await cache.get("k", origin("never", 9)))?.value).toBe("plain-v3");
  });

  it("after a purge refills nothing until a writer writes the key again", async () => {
    const { store, cache } = setup();
    await cache.get("k", origin("v5", 5));
    await cache.purge("k");
    await cache.get("k", origin("old-v5", 5));
    expect(store.entries.get("k")).toMatchObject({ purged: true });
    await cache.advance("k", { version: 1, value: "recreated" });
    expect(store.entries.get("k")).toMatchObject({ purged: false, version: 1, value: "recreated" });
  });

  it("keeps a delete's tombstone and a purge marker when a read finds the key gone", async () => {
    // Arrange: a delete at version 2 (tombstone) and a purge, each followed by readers that get a 404.
    const { clock, store, cache } = setup();
    const gone = async () => undefined;
    await cache.advance("deleted", { version: 2 });
    await cache.get("purged", origin("v5", 5));
    await cache.purge("purged");
    // Act: reads from memory's tombstone, then (memory expired) through the shared tier
    await cache.get("deleted", gone);
    await cache.get("purged", gone);
    clock.advance(6_000);
    await cache.get("deleted", gone);
    await cache.get("purged", gone);
    // Assert: both still stand, so a slow reader's refill of an older version is refused
    expect(store.entries.get("deleted")).toMatchObject({ tombstone: true, version: 2 });
    expect(store.entries.get("purged")).toMatchObject({ purged: true });
    await cache.get("deleted", origin("slow-v1", 1));
    await cache.get("purged", origin("slow-v5", 5));
    expect(store.entries.get("deleted")).toMatchObject({ tombstone: true, version: 2 });
    expect(store.entries.get("purged")).toMatchObject({ purged: true, value: "" });
  });

  it("drops the copy when the origin says the key is gone", async () => {
    const { store, cache } = setup();
    await cache.get("k", origin("v1", 1));
    expect(await cache.get("k", async () => undefined, { revalidate: true })).toBeUndefined();
    expect(store.entries.has("k")).toBe(false);
  });

  it("revalidates: Cache-Control no-cache reads the origin and refreshes both tiers", async () => {
    const { store, cache } = setup();
    await cache.get("k", origin("v1", 1));
    const fresh = await cache.get("k", origin("v2", 2), { revalidate: true });
    expect(fresh).toMatchObject({ tier: "origin", value: "v2" });
    expect(store.entries.get("k")?.version).toBe(2);
    expect((await cache.get("k", origin("never", 9)))?.value).toBe("v2");
  });

  it("shares one origin read among concurrent misses", async () => {
    const { cache } = setup();
    let loads = 0;
    const load = async () => {
      loads++;
      await new Promise((r) => setTimeout(r, 5));
      return { value: "v", version: 1, cacheable: true };
    };
    await Promise.all(Array.from({ length: 20 }, () => cache.get("k", load)));
    expect(loads).toBe(1);
  });

  it("sweeps expired entries and, with a check, every value Vault has moved past", async () => {
    const { clock, store, cache } = setup();
    await cache.get("current", origin("a", 1));
    await cache.get("stale", origin("b", 1));
    await cache.get("old", origin("c", 1));
    clock.advance(901_000);
    await cache.get("current", origin("a", 1));
    await cache.get("stale", origin("b", 1));
    const record = await cache.sweep(async (key) => (key === "stale" ? "stale" : "current"));
    expect(record).toMatchObject({ removed: 2, revalidated: { checked: 2, stale: 1, unknown: 0 } });
    expect([...store.entries.keys()]).toEqual(["current"]);
  });

  it("a clear reaches another container's memory within the generation check, and keeps tombstones", async () => {
    const { clock, store, cache } = setup();
    const other = new TwoTierCache(store, { ttlMs: 900_000, memoryTtlMs: 60_000, generationCheckMs: 1_000, clock });
    await other.get("k", origin("v1", 1));
    await cache.advance("t", { version: 4 });
    await cache.clear();
    clock.advance(1_000);
    expect((await other.get("k", origin("v1-again", 1)))?.tier).toBe("origin");
    expect(store.entries.get("t")).toMatchObject({ tombstone: true });
  });

  describe("changes reach other containers' memory within the generation check", () => {
    const containers = () => {
      const { clock, store, cache: writer } = setup();
      // Memory kept a minute: only the change list can explain a copy dropped within a second.
      const reader = new TwoTierCache(store, { ttlMs: 900_000, memoryTtlMs: 60_000, generationCheckMs: 1_000, clock });
      return { clock, store, writer, reader };
    };

    it("drops a value another container superseded or made sensitive, and keeps serving untouched keys", async () => {
      const { clock, writer, reader } = containers();
      await reader.get("a", origin("a1", 1));
      await reader.get("b", origin("b1", 1));
      await reader.get("c", origin("c1", 1));
      await writer.advance("a", { version: 2, value: "a2" });
      await writer.advance("b", { version: 2 }); // made sensitive: a tombstone
      expect((await reader.get("a", origin("never", 9)))?.value).toBe("a1"); // before its next check
      clock.advance(1_000);
      expect(await reader.get("a", origin("never", 9))).toMatchObject({ tier: "shared", value: "a2" });
      expect(await reader.get("b", origin("b-secret", 2, false))).toMatchObject({ tier: "origin", cacheable: false });
      expect(await reader.get("c", origin("never", 9))).toMatchObject({ tier: "memory", value: "c1" });
    });

    it("drops a key another container dropped (a 404) or saw stale in the sweep", async () => {
      const { clock, writer, reader } = containers();
      await reader.get("gone", origin("g1", 1));
      await reader.get("moved", origin("m1", 1));
      await writer.drop("gone");
      await writer.sweep(async (key) => (key === "moved" ? "stale" : "current"));
      clock.advance(1_000);
      expect((await reader.get("gone", async () => undefined))?.value).toBeUndefined();
      expect(await reader.get("moved", origin("m2", 2))).toMatchObject({ tier: "origin", value: "m2" });
    });

    it("drops every copy when more changed than the list keeps since it last looked", async () => {
      const { clock, writer, reader } = containers();
      await reader.get("kept", origin("k1", 1));
      for (let i = 0; i < 40; i++) {
        await writer.get(`other-${i}`, origin("x", 1));
        await writer.advance(`other-${i}`, { version: 2, value: "y" });
      }
      clock.advance(1_000);
      expect((await reader.get("kept", origin("never", 9)))?.tier).toBe("shared");
    });

    it("keeps nothing from a read that began before a change to that key was applied", async () => {
      const { clock, store, writer, reader } = containers();
      await reader.get("k", origin("v1", 1)); // the reader's first check: it knows the list from here
      clock.advance(60_001); // its copy expired: the next read goes to the shared tier
      const get = store.get.bind(store);
      store.get = async (key) => {
        store.get = get; // once
        const entry = await get(key); // the shared tier answers v1 ...
        await writer.advance("k", { version: 2, value: "v2" }); // ... then v2 is written and announced
        clock.advance(1_000);
        await reader.get("unrelated", origin("u", 1)); // the reader's check applies the change meanwhile
        return entry;
      };
      expect((await reader.get("k", origin("never", 9)))?.value).toBe("v1"); // answered as read
      expect(await reader.get("k", origin("never", 9))).toMatchObject({ tier: "shared", value: "v2" });
    });
  });

  describe("getMany (a list page)", () => {
    it("serves memory, then the shared tier in one lookup, then the origin for the rest", async () => {
      // Arrange: "a" in this container's memory, "b" in the shared tier only, "c" nowhere, "s" sensitive.
      const { store, cache } = setup();
      const other = new TwoTierCache(store, { ttlMs: 900_000, generationCheckMs: 1_000, clock: manualClock() });
      await cache.get("a", origin("a1", 1));
      await other.get("b", origin("b1", 1));
      const loads: string[] = [];
      const load = async (key: string) => {
        loads.push(key);
        return key === "s"
          ? { value: "secret", version: 1, cacheable: false }
          : { value: `${key}1`, version: 1, cacheable: true };
      };
      const calls = store.calls;
      // Act
      const page = await cache.getMany(["a", "b", "c", "s"], load);
      // Assert
      expect([...page].map(([k, r]) => [k, r?.tier, r?.value])).toEqual(
        expect.arrayContaining([
          ["a", "memory", "a1"],
          ["b", "shared", "b1"],
          ["c", "origin", "c1"],
          ["s", "origin", "secret"],
        ]),
      );
      expect(loads.sort()).toEqual(["c", "s"]);
      // One lookup for b, c and s, one refill for c; nothing written for the sensitive key.
      expect(store.calls - calls).toBe(2);
      expect(store.entries.get("c")).toMatchObject({ value: "c1", version: 1 });
      expect(store.entries.has("s")).toBe(false);
    });

    it("keeps the refill rules: an older value read on a page does not replace a newer entry", async () => {
      const { store, cache } = setup();
      const getMany = store.getMany.bind(store);
      store.getMany = async (keys) => {
        const found = await getMany(keys); // nothing yet ...
        await cache.advance("k", { version: 2, value: "v2" }); // ... then a writer moves the key on
        return found;
      };
      const page = await cache.getMany(["k"], async () => ({ value: "v1", version: 1, cacheable: true }));
      expect(page.get("k")?.value).toBe("v1"); // answered as read
      expect(store.entries.get("k")).toMatchObject({ value: "v2", version: 2 });
    });

    it("leaves a key the origin no longer has out, and a tombstone in place", async () => {
      const { store, cache } = setup();
      await cache.advance("deleted", { version: 2 });
      const page = await cache.getMany(["deleted", "never"], async () => undefined);
      expect(page.get("deleted")).toBeUndefined();
      expect(page.get("never")).toBeUndefined();
      expect(store.entries.get("deleted")).toMatchObject({ tombstone: true, version: 2 });
    });
  });

  describe("precedence: one number orders what may replace what", () => {
    const entry = (version: number, tombstone = false, purged = false): CacheEntry => ({
      key: "k",
      value: tombstone ? "" : "v",
      version,
      storedAt: 0,
      expiresAtMs: 10,
      generation: 0,
      tombstone,
      purged,
    });
    // Every pair of entries, both writes: the rule as first written, case by case.
    const rule = (current: CacheEntry, next: CacheEntry, write: "refill" | "advance") => {
      if (write === "refill")
        return (
          !current.purged &&
          (current.version < next.version || (current.version === next.version && !current.tombstone))
        );
      if (current.purged || current.version < next.version) return true;
      return current.version === next.version && (next.tombstone || !current.tombstone);
    };
    const all = [1, 2, 3].flatMap((v) => [entry(v), entry(v, true)]).concat(entry(0, true, true));
    for (const write of ["refill", "advance"] as const)
      it(`${write}: agrees with the rule for every pair of entries`, () => {
        for (const current of all)
          for (const next of all.filter((e) => !e.purged))
            expect(mayReplace(current, next, write, 0), `${JSON.stringify(current)} <- ${JSON.stringify(next)}`).toBe(
              rule(current, next, write),
            );
      });
  });
});
