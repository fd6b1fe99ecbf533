import { execFileSync } from "node:child_process";
import { type CounterTotals, prometheusText } from "@vaultops/core";
import { beforeAll, describe, expect, it } from "vitest";
import { ensurePythonPackages, venvBin } from "../../packages/dev/src/python-env";

interface Family {
  name: string;
  type: string;
  samples: Array<{ name: string; labels: Record<string, string>; value: number }>;
}

/** Parsed by prometheus_client's own parser (the reference implementation), not by a regex. */
const parse = (text: string): Family[] =>
  JSON.parse(
    execFileSync(venvBin("python"), ["test/support/parse-prometheus.py"], { input: text }).toString(),
  ) as Family[];

describe("prometheusText", () => {
  const totals: CounterTotals = {
    values: new Map([
      ["n|kv_read|ok", 8],
      ["n|kv_read|fail", 2],
      ["ms|kv_read", 120],
      ["b|kv_read|0", 5],
      ["b|kv_read|3", 4],
      ["b|kv_read|11", 1],
      ["n|health|ok", 1],
      ["ms|health", 3],
      ["b|health|0", 1],
      ["cache|hit", 30],
      ["cache|miss", 10],
      // Secrets Manager's calls and its share of the cache figures.
      ["n|sm_get_secret_value|ok", 3],
      ["ms|sm_get_secret_value", 30],
      ["b|sm_get_secret_value|2", 3],
      ["cache|hit@aws", 4],
      ["cache|miss@aws", 1],
    ]),
  };
  const text = prometheusText({
    totals,
    backends: [
      { backend: "vault", up: true, cacheSize: 7 },
      { backend: "aws", up: false, cacheSize: 2 },
    ],
    tokenTtlSeconds: 3600,
    healthCheckDurationMs: 12,
  });
  let families: Record<string, Family>;

  beforeAll(async () => {
    await ensurePythonPackages(["test"]);
    families = Object.fromEntries(parse(text).map((f) => [f.name, f]));
  });

  it("parses as valid exposition format with the seed's families", () => {
    // The reference parser strips _total from counter family names.
    expect(families.vaultops_key_operations?.type).toBe("counter");
    expect(families.vaultops_key_operation_duration_seconds?.type).toBe("histogram");
    expect(families.vaultops_key_cache_hits?.type).toBe("counter");
    expect(families.vaultops_key_cache_misses?.type).toBe("counter");
    expect(families.vaultops_key_cache_size?.type).toBe("gauge");
    expect(families.vaultops_key_backend_up?.samples[0]?.value).toBe(1);
  });

  it("labels every key-storage figure with its backend", () => {
    const up = Object.fromEntries(
      (families.vaultops_key_backend_up?.samples ?? []).map((s) => [s.labels.backend, s.value]),
    );
    expect(up).toEqual({ vault: 1, aws: 0 });
    const sm = families.vaultops_key_operations?.samples.find(
      (s) => s.labels.operation === "get_secret_value" && s.labels.status === "success",
    );
    expect(sm?.labels.backend).toBe("aws");
    expect(sm?.value).toBe(3);
    const hits = Object.fromEntries(
      (families.vaultops_key_cache_hits?.samples ?? []).map((s) => [s.labels.backend, s.value]),
    );
    // Vault's share is the total less the other backends'.
    expect(hits).toEqual({ vault: 26, aws: 4 });
    const size = Object.fromEntries(
      (families.vaultops_key_cache_size?.samples ?? []).map((s) => [s.labels.backend, s.value]),
    );
    expect(size).toEqual({ vault: 7, aws: 2 });
  });

  it("counts operations by operation and status, failures by reason", () => {
    const failures = families.vaultops_key_operations?.samples.filter(
      (s) => s.labels.operation === "kv_read" && s.labels.status === "failure",
    );
    expect(failures?.map((s) => s.labels.reason).sort()).toEqual(["denied", "error", "unavailable"]);
    expect(failures?.reduce((sum, s) => sum + s.value, 0)).toBe(2);
  });

  it("makes histogram buckets cumulative and consistent with the count", () => {
    const samples =
      families.vaultops_key_operation_duration_seconds?.samples.filter((s) => s.labels.operation === "kv_read") ?? [];
    const bucket = (le: string) => samples.find((s) => s.name.endsWith("_bucket") && s.labels.le === le)?.value;
    expect(bucket("0.005")).toBe(5);
    expect(bucket("0.05")).toBe(9);
    expect(bucket("+Inf")).toBe(10);
    expect(samples.find((s) => s.name.endsWith("_count"))?.value).toBe(10);
    expect(samples.find((s) => s.name.endsWith("_sum"))?.value).toBeCloseTo(0.12);
  });
});
