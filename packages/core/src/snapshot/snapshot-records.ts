import { DeleteCommand, GetCommand, PutCommand } from "@aws-sdk/lib-dynamodb";
import { keys } from "../aws/key-space";
import { epochSeconds, queryPartition, type StateTable } from "../aws/state-table";
import type { SnapshotManifest } from "./model";

/** What the snapshot service keeps beside the blobs: manifests, and restore plans for an hour. */
export interface SnapshotRecords {
  saveManifest(manifest: SnapshotManifest): Promise<void>;
  manifest(id: string): Promise<SnapshotManifest | undefined>;
  manifests(): Promise<SnapshotManifest[]>;
  deleteManifest(id: string): Promise<void>;
  /** A plan, already serialised (gzipped, base64), kept until `expiresAtMs`. */
  savePlan(id: string, body: string, expiresAtMs: number): Promise<void>;
  plan(id: string): Promise<{ body: string; expiresAtMs: number } | undefined>;
}

export class DynamoSnapshotRecords implements SnapshotRecords {
  constructor(private readonly table: StateTable) {}

  async saveManifest(manifest: SnapshotManifest): Promise<void> {
    await this.table.run("snapshot manifest write", (c, TableName) =>
      c.send(new PutCommand({ TableName, Item: { pk: keys.snapshots, sk: manifest.id, ...manifest } })),
    );
  }

  async manifest(id: string): Promise<SnapshotManifest | undefined> {
    const out = await this.table.run("snapshot manifest read", (c, TableName) =>
      c.send(new GetCommand({ TableName, Key: { pk: keys.snapshots, sk: id } })),
    );
    if (!out.Item) return undefined;
    const { pk: _pk, sk: _sk, ...manifest } = out.Item;
    return manifest as SnapshotManifest;
  }

  async manifests(): Promise<SnapshotManifest[]> {
    return (await queryPartition(this.table, "snapshot manifest list", keys.snapshots)).map(
      ({ pk: _pk, sk: _sk, ...manifest }) => manifest as unknown as SnapshotManifest,
    );
  }

  async deleteManifest(id: string): Promise<void> {
    await this.table.run("snapshot manifest delete", (c, TableName) =>
      c.send(new DeleteCommand({ TableName, Key: { pk: keys.snapshots, sk: id } })),
    );
  }

  async savePlan(id: string, body: string, expiresAtMs: number): Promise<void> {
    await this.table.run("restore plan write", (c, TableName) =>
      c.send(
        new PutCommand({
          TableName,
          Item: { pk: keys.restorePlans, sk: id, body, expiresAtMs, expiresAt: epochSeconds(expiresAtMs) },
        }),
      ),
    );
  }

  async plan(id: string): Promise<{ body: string; expiresAtMs: number } | undefined> {
    const out = await this.table.run("restore plan read", (c, TableName) =>
      c.send(new GetCommand({ TableName, Key: { pk: keys.restorePlans, sk: id } })),
    );
    return out.Item ? { body: String(out.Item.body), expiresAtMs: Number(out.Item.expiresAtMs) } : undefined;
  }
}
