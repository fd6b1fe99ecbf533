import {
  DynamoSnapshotRecords,
  NotFoundError,
  PLAN_ID_PATTERN,
  SnapshotIntegrityError,
  SnapshotService,
} from "@vaultops/core";
import { describe, expect, it } from "vitest";
import { configServices, MemoryKeys, MemorySnapshotStorage, memoryStateTable } from "../../support/services";

const DAY = 86_400_000;
const ns = { environment: "prod", service_name: "billing" };
const actor = { name: "tester" };
const prefix = "prod/billing";

/** Snapshots of an in-memory Vault backend: blobs in a Map, manifests and plans on an in-memory table. */
async function setup() {
  const services = configServices();
  const storage = new MemorySnapshotStorage();
  const snapshots = new SnapshotService({
    backends: [services.backend],
    records: new DynamoSnapshotRecords(memoryStateTable().state),
    storage,
    keys: new MemoryKeys(),
    audit: services.audit,
    logger: services.logger,
    mount: "secret",
    retentionDays: 30,
    clock: services.clock,
  });
  // prod/billing/db at version 2, prod/billing/url at version 1.
  await services.config.create({ ...ns, key: "db", value: "db-one", is_encrypted: false }, actor);
  await services.config.update({ ...ns, key: "db" }, { value: "db-two" }, actor);
  await services.config.create({ ...ns, key: "url", value: "https://billing", is_encrypted: false }, actor);
  return { ...services, storage, snapshots };
}

describe("SnapshotService", () => {
  it("creates an encrypted snapshot of the current versions, with its manifest and an audit record", async () => {
    // Arrange
    const { snapshots, storage, audit, clock } = await setup();

    // Act
    const manifest = await snapshots.create({ prefix }, actor);

    // Assert
    expect(manifest).toMatchObject({
      type: "full",
      prefix,
      status: "completed",
      path_count: 2,
      version_count: 2,
      retention_days: 30,
      expires_at: new Date(clock.now() + 30 * DAY).toISOString(),
      key_id: "memory-key",
    });
    const blob = storage.blobs.get(manifest.id);
    expect(blob?.length).toBe(manifest.size_bytes);
    expect(blob?.toString("latin1")).not.toContain("db-two");
    expect(await snapshots.get(manifest.id)).toEqual(manifest);
    expect(audit.records.at(-1)).toMatchObject({ operation: "snapshot_create", success: true });
  });

  it("keeps every live version in a full_versions snapshot", async () => {
    const { snapshots } = await setup();

    const manifest = await snapshots.create({ prefix, type: "full_versions" }, actor);
    const payload = await snapshots.load(manifest);

    expect(manifest.version_count).toBe(3);
    const db = payload.entries.find((e) => e.path === "prod/billing/db");
    expect(db?.versions.map((v) => [v.version, v.data.value])).toEqual([
      [1, "db-one"],
      [2, "db-two"],
    ]);
  });

  it("lists snapshots newest first, filtered by type", async () => {
    // Arrange
    const { snapshots, clock } = await setup();
    const first = await snapshots.create({ prefix }, actor);
    clock.advance(60_000);
    const second = await snapshots.create({ prefix, type: "full_versions" }, actor);

    // Act
    const all = await snapshots.list();
    const full = await snapshots.list({ type: "full" });

    // Assert
    expect(all.map((m) => m.id)).toEqual([second.id, first.id]);
    expect(full.map((m) => m.id)).toEqual([first.id]);
    expect((await snapshots.latest())?.id).toBe(second.id);
  });

  it("verifies an intact snapshot and refuses one whose blob was modified", async () => {
    // Arrange
    const { snapshots, storage } = await setup();
    const manifest = await snapshots.create({ prefix }, actor);

    // Act
    const verified = await snapshots.verify(manifest.id);
    const blob = storage.blobs.get(manifest.id) as Buffer;
    blob[blob.length - 1] = (blob[blob.length - 1] ?? 0) ^ 0xff;

    // Assert
    expect(verified).toEqual({
      id: manifest.id,
      valid: true,
      path_count: 2,
      version_count: 2,
      sha256: manifest.sha256,
    });
    await expect(snapshots.verify(manifest.id)).rejects.toThrow(SnapshotIntegrityError);
    await expect(snapshots.verify("snap-missing")).rejects.toThrow(NotFoundError);
  });

  it("plans a restore in a dry run without writing, then restores against the plan", async () => {
    // Arrange: after the snapshot, db changes and url is deleted
    const { snapshots, kv, config, audit } = await setup();
    const manifest = await snapshots.create({ prefix }, actor);
    await config.update({ ...ns, key: "db" }, { value: "db-three" }, actor);
    await config.remove({ ...ns, key: "url" }, {}, actor);

    // Act
    const plan = await snapshots.restore(manifest.id, { dryRun: true }, actor);

    // Assert: the plan, and nothing written
    expect(plan.dry_run).toBe(true);
    expect(plan.plan_id).toMatch(PLAN_ID_PATTERN);
    expect(plan.summary).toEqual({ create: 1, change: 1, unchanged: 0, conflicts: 0, failed: 0 });
    const byPath = Object.fromEntries(plan.items.map((i) => [i.path, i]));
    expect(byPath["prod/billing/db"]).toMatchObject({ action: "change", current_version: 3 });
    expect(byPath["prod/billing/url"]).toMatchObject({ action: "create", current_version: 1 });
    expect(await kv.read("prod/billing/db")).toMatchObject({ version: 3, data: { value: "db-three" } });
    expect(await kv.read("prod/billing/url")).toBeUndefined();

    // Act: the real restore with that plan
    const done = await snapshots.restore(manifest.id, { dryRun: false, planId: plan.plan_id }, actor);

    // Assert
    expect(done.summary).toMatchObject({ conflicts: 0, failed: 0 });
    expect(done.items.map((i) => i.outcome).sort()).toEqual(["changed", "created"]);
    expect((await kv.read("prod/billing/db"))?.data.value).toBe("db-two");
    expect((await kv.read("prod/billing/url"))?.data.value).toBe("https://billing");
    expect(audit.records.at(-1)).toMatchObject({ operation: "snapshot_restore", success: true });
  });

  it("refuses to overwrite a path changed since the dry run's plan", async () => {
    // Arrange
    const { snapshots, kv, config } = await setup();
    const manifest = await snapshots.create({ prefix }, actor);
    await config.update({ ...ns, key: "db" }, { value: "db-three" }, actor);
    const plan = await snapshots.restore(manifest.id, { dryRun: true }, actor);
    await config.update({ ...ns, key: "db" }, { value: "db-four" }, actor);

    // Act
    const done = await snapshots.restore(manifest.id, { dryRun: false, planId: plan.plan_id }, actor);

    // Assert
    expect(done.summary.conflicts).toBe(1);
    expect(done.items.find((i) => i.path === "prod/billing/db")).toMatchObject({ outcome: "conflict", status: 409 });
    expect((await kv.read("prod/billing/db"))?.data.value).toBe("db-four");
  });

  it("deletes only the snapshots whose retention has ended, blobs included", async () => {
    // Arrange: one kept a day, one kept 30 days
    const { snapshots, storage, clock } = await setup();
    const short = await snapshots.create({ prefix, retentionDays: 1 }, actor);
    const long = await snapshots.create({ prefix }, actor);

    // Act: within the day, then two days on
    const early = await snapshots.cleanup(actor);
    clock.advance(2 * DAY);
    const later = await snapshots.cleanup(actor);

    // Assert
    expect(early).toEqual({ deleted: [], kept: 2 });
    expect(later).toEqual({ deleted: [short.id], kept: 1 });
    expect(storage.blobs.has(short.id)).toBe(false);
    expect(storage.blobs.has(long.id)).toBe(true);
    await expect(snapshots.get(short.id)).rejects.toThrow(NotFoundError);
    expect((await snapshots.list()).map((m) => m.id)).toEqual([long.id]);
  });
});
