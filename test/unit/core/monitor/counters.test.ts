import { type CounterStore, type CounterTotals, MetricsRecorder } from "@vaultops/core";
import { describe, expect, it } from "vitest";
import { manualClock } from "../../support/memory";

/** A counter store that keeps every flush it was given. */
function flushes() {
  const added: CounterTotals[] = [];
  const store: CounterStore = {
    add: async (delta) => {
      added.push(delta);
    },
    totals: async () => ({ values: new Map() }),
  };
  return { store, added };
}

describe("MetricsRecorder: when a container's counts reach the shared counters", () => {
  it("flushes successful traffic at most once per interval, Vault reads included", async () => {
    // Arrange: a container answering sensitive reads (each one a Vault read)
    const clock = manualClock();
    const { store, added } = flushes();
    const recorder = new MetricsRecorder(store, { flushIntervalMs: 10_000, clock });
    await recorder.flushIfDue(); // nothing counted yet: nothing written
    // Act: 100 successful Vault reads over 9 s, each followed by the end-of-request check
    for (let i = 0; i < 100; i++) {
      recorder.record("kv_read", true, 3);
      recorder.cacheBypass();
      await recorder.flushIfDue();
      clock.advance(90);
    }
    // Assert: not one write yet; the next check after the interval writes them all at once
    expect(added).toHaveLength(0);
    clock.advance(1_000);
    await recorder.flushIfDue();
    expect(added).toHaveLength(1);
    expect(added[0]?.values.get("n|kv_read|ok")).toBe(100);
  });

  it.each([
    ["a failed Vault call", (r: MetricsRecorder) => r.record("kv_read", false, 3, "sealed", "unavailable")],
    ["a refused token", (r: MetricsRecorder) => r.authFailure("api")],
    ["a denied access", (r: MetricsRecorder) => r.denied()],
    ["an unplanned creation", (r: MetricsRecorder) => r.keyCreated(false)],
  ])("flushes %s at the end of its request: the alerts count it", async (_what, count) => {
    const clock = manualClock();
    const { store, added } = flushes();
    const recorder = new MetricsRecorder(store, { flushIntervalMs: 10_000, clock });
    recorder.record("kv_read", true, 3);
    await recorder.flushIfDue();
    expect(added).toHaveLength(0);
    count(recorder);
    await recorder.flushIfDue();
    expect(added).toHaveLength(1);
    // And the next successful request waits for the interval again.
    recorder.record("kv_read", true, 3);
    await recorder.flushIfDue();
    expect(added).toHaveLength(1);
  });

  it("keeps the counts of a flush that failed for the next one", async () => {
    const clock = manualClock();
    let fail = true;
    const added: CounterTotals[] = [];
    const recorder = new MetricsRecorder(
      {
        add: async (delta) => {
          if (fail) throw new Error("table not answering");
          added.push(delta);
        },
        totals: async () => ({ values: new Map() }),
      },
      { flushIntervalMs: 10_000, clock },
    );
    recorder.denied();
    await expect(recorder.flushIfDue()).rejects.toThrow("table not answering");
    fail = false;
    recorder.denied();
    await recorder.flushIfDue();
    expect(added[0]?.values.get("api|denied")).toBe(2);
  });
});
