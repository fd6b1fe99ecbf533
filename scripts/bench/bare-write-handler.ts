/**
 * The second baseline: a bare middy handler that makes one DynamoDB write of an item the size and
 * shape of an audit record (what a cached, audited config read writes).
 */

import { randomBytes } from "node:crypto";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient, PutCommand } from "@aws-sdk/lib-dynamodb";
import middy from "@middy/core";

const client = DynamoDBDocumentClient.from(new DynamoDBClient({}));

export const handler = middy(async () => {
  const at = new Date().toISOString();
  await client.send(
    new PutCommand({
      TableName: process.env.TABLE_NAME ?? "t",
      Item: {
        pk: `bench#${at.slice(0, 10)}#${randomBytes(1).readUInt8(0) % 8}`,
        sk: `${at}#${randomBytes(4).toString("hex")}`,
        operation: "read",
        path: "bench/counts-000000/plain",
        success: true,
        keyHash: randomBytes(8).toString("hex"),
        version: 1,
        at,
        actor: "bench",
        sourceIp: "127.0.0.1",
        requestId: randomBytes(16).toString("hex"),
        expiresAt: Math.floor(Date.now() / 1000) + 86_400,
      },
    }),
  );
  return { statusCode: 200, body: "{}" };
});
