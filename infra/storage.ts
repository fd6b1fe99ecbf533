/** The one DynamoDB table (single-table design; see packages/core/src/aws/state-table.ts). */
export const table = new sst.aws.Dynamo("State", {
  fields: { pk: "string", sk: "string" },
  primaryIndex: { hashKey: "pk", rangeKey: "sk" },
  // TTL deletion is lazy; readers also check expiresAt themselves.
  ttl: "expiresAt",
});

/** Encrypted snapshots (AES-256-GCM under KMS data keys); never public. */
export const snapshotBucket = new sst.aws.Bucket("Snapshots");

export const snapshotKey = new aws.kms.Key("SnapshotKey", {
  description: "Wraps the data keys of vaultops snapshots",
  enableKeyRotation: true,
  deletionWindowInDays: 30,
});
