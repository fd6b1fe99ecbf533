/** The baseline of the cold-start benchmark: a bare middy handler that reads one DynamoDB item. */

import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient, GetCommand } from "@aws-sdk/lib-dynamodb";
import middy from "@middy/core";

const client = DynamoDBDocumentClient.from(new DynamoDBClient({}));

export const handler = middy(async () => {
  const out = await client.send(
    new GetCommand({ TableName: process.env.TABLE_NAME ?? "t", Key: { pk: "a", sk: "b" } }),
  );
  return { statusCode: 200, body: JSON.stringify(out.Item ?? {}) };
});
