import {
  ForeignShapeError,
  SecretsScopeRequiredError,
  VaultSecretNotFoundError,
  VersionConflictError,
} from "@vaultops/core";
import { describe, expect, it } from "vitest";
import { configServices } from "../../support/services";

/** The configuration service with in-memory ports: KV v2, the shared cache tier, audit, events. */
const setup = configServices;
const ns = { environment: "prod", service_name: "billing" };
const ref = (key: string) => ({ ...ns, key });
const actor = { name: "tester" };

describe("ConfigService", () => {
  it("creates version 1 in our shape, refuses a second create, and allows one after a delete", async () => {
    const { kv, config } = setup();
    const created = await config.create({ ...ns, key: "db", value: "v", is_encrypted: false }, actor);
    expect(created).toMatchObject({ version: 1, value: "v", is_encrypted: false });
    expect((await kv.read("prod/billing/db"))?.data).toMatchObject({ value: "v", is_encrypted: false });
    await expect(config.create({ ...ns, key: "db", value: "w", is_encrypted: false }, actor)).rejects.toThrow(
      VersionConflictError,
    );
    await config.remove(ref("db"), {}, actor);
    expect((await config.create({ ...ns, key: "db", value: "again", is_encrypted: false }, actor)).version).toBe(2);
  });

  it("refuses a stale If-Match with 409 and overwrites nothing", async () => {
    const { kv, config } = setup();
    await config.create({ ...ns, key: "db", value: "one", is_encrypted: false }, actor);
    await config.update(ref("db"), { value: "two", ifMatch: 1 }, actor);
    await expect(config.update(ref("db"), { value: "stale", ifMatch: 1 }, actor)).rejects.toMatchObject({
      code: "version_conflict",
      details: "prod/billing/db: expected version 1, current is 2",
    });
    expect((await kv.read("prod/billing/db"))?.data.value).toBe("two");
  });

  it("retries an unconditional update past a concurrent writer (last writer wins); a rotation does not", async () => {
    const { kv, config } = setup();
    await config.create({ ...ns, key: "db", value: "one", is_encrypted: false }, actor);
    let raced = false;
    kv.beforeWrite = (path) => {
      if (!raced) {
        raced = true;
        kv.external(path, { value: "concurrent", is_encrypted: false });
      }
    };
    const written = await config.update(ref("db"), { value: "mine" }, actor);
    expect(written.version).toBe(3);
    expect((await kv.read("prod/billing/db"))?.data.value).toBe("mine");
    raced = false;
    await expect(config.update(ref("db"), { value: "rotated" }, actor, "rotate")).rejects.toThrow(VersionConflictError);
  });

  it("keeps sensitive values out of the shared cache tier and out of events", async () => {
    const { cacheStore, events, config } = setup();
    await config.create({ ...ns, key: "pw", value: "s3cr3t-value", is_encrypted: true }, actor);
    await config.get(ref("pw"), {}, actor);
    await config.get(ref("pw"), {}, actor);
    expect(JSON.stringify([...cacheStore.entries.values()])).not.toContain("s3cr3t-value");
    expect(JSON.stringify(events.events)).not.toContain("s3cr3t-value");
  });

  it("withholds a sensitive value from a caller without secrets:read", async () => {
    const { config } = setup();
    await config.create({ ...ns, key: "pw", value: "s3cr3t-value", is_encrypted: true }, actor);
    await expect(config.get(ref("pw"), { allowSensitive: false }, actor)).rejects.toThrow(SecretsScopeRequiredError);
    expect((await config.get(ref("pw"), { allowSensitive: true }, actor)).value).toBe("s3cr3t-value");
  });

  it("refuses to replace another client's shape unless asked; a rollback copies it exactly", async () => {
    const { kv, config } = setup();
    kv.external("prod/billing/creds", { username: "app", password: "pw" });
    await expect(config.update(ref("creds"), { value: "x" }, actor)).rejects.toThrow(ForeignShapeError);
    await config.update(ref("creds"), { value: "ours", replace: true }, actor);
    await config.rollback(ref("creds"), { version: 1 }, actor);
    expect((await kv.read("prod/billing/creds"))?.data).toEqual({ username: "app", password: "pw" });
  });

  it("reads a version whose deletion time is in the future as live", async () => {
    const { clock, kv, config } = setup();
    await config.create({ ...ns, key: "ttl", value: "v", is_encrypted: false }, actor);
    const stored = kv.paths.get("prod/billing/ttl")?.[0];
    if (stored) stored.deletionTime = new Date(clock.now() + 3_600_000).toISOString();
    expect((await config.get(ref("ttl"), { revalidate: true })).value).toBe("v");
    clock.advance(3_600_001);
    await expect(config.get(ref("ttl"), { revalidate: true })).rejects.toThrow(VaultSecretNotFoundError);
  });

  it("lists one page, only the keys the caller may see, each an audited read", async () => {
    const { kv, audit, config } = setup();
    for (const key of ["a", "b", "c", "d"]) await config.create({ ...ns, key, value: key, is_encrypted: false }, actor);
    kv.reads = 0;
    audit.records.length = 0;
    const page = await config.list({ ...ns, limit: 2, offset: 0 }, actor, (path) => !path.endsWith("/b"));
    expect(page).toMatchObject({ total: 3, has_more: true });
    expect(page.items.map((i) => i.key)).toEqual(["a", "c"]);
    expect(audit.records.filter((r) => r.operation === "read").map((r) => r.path)).toEqual([
      "prod/billing/a",
      "prod/billing/c",
    ]);
  });

  it("audits a change that did not happen, with its reason", async () => {
    const { audit, config } = setup();
    await expect(config.update(ref("missing"), { value: "x" }, actor)).rejects.toThrow(VaultSecretNotFoundError);
    expect(audit.records.at(-1)).toMatchObject({ operation: "update", success: false, error: "not_found" });
  });
});
