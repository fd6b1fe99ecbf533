import { PutCommand, QueryCommand } from "@aws-sdk/lib-dynamodb";
import { keys } from "../aws/key-space";
import type { StateTable } from "../aws/state-table";
import type { IncidentRecord } from "./incident-record";

/** Where incidents are kept: what the incident service needs of the state table. */
export interface IncidentStore {
  add(incident: IncidentRecord): Promise<void>;
  /** Newest first. */
  list(limit: number): Promise<IncidentRecord[]>;
}

export class DynamoIncidentStore implements IncidentStore {
  constructor(private readonly table: StateTable) {}

  async add(incident: IncidentRecord): Promise<void> {
    await this.table.run("incident write", (c, TableName) =>
      c.send(
        new PutCommand({ TableName, Item: { pk: keys.incidents, sk: `${incident.at}#${incident.id}`, ...incident } }),
      ),
    );
  }

  async list(limit: number): Promise<IncidentRecord[]> {
    const out = await this.table.run("incident list", (c, TableName) =>
      c.send(
        new QueryCommand({
          TableName,
          KeyConditionExpression: "pk = :pk",
          ExpressionAttributeValues: { ":pk": keys.incidents },
          ScanIndexForward: false,
          Limit: limit,
        }),
      ),
    );
    return (out.Items ?? []).map(({ pk: _pk, sk: _sk, ...incident }) => incident as IncidentRecord);
  }
}
