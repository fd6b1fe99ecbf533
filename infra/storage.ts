/** The one DynamoDB table (single-table design; see packages/core/src/aws/state-table.ts). */
export const table = new sst.aws.Dynamo("State", {
  fields: { pk: "string", sk: "string" },
  primaryIndex: { hashKey: "pk", rangeKey: "sk" },
  // TTL deletion is lazy; readers also check expiresAt themselves.
  ttl: "expiresAt",
});
