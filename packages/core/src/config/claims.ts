import { DeleteCommand } from "@aws-sdk/lib-dynamodb";
import { keys } from "../aws/key-space";
import { epochSeconds, type StateTable } from "../aws/state-table";
import { type Clock, systemClock } from "../clock";

/**
 * One winner among concurrent requests for the same change a backend cannot check-and-set itself
 * (KV v2 deletes a version however often it is asked; Secrets Manager refuses a second DeleteSecret
 * with an error): the first to claim it does it, the others are answered as losers of the race.
 */
export interface ClaimStore {
  /** True for the one caller that got `id` (until `ttlMs` passes or it is released). */
  claim(id: string, ttlMs: number): Promise<boolean>;
  release(id: string): Promise<void>;
}

export class DynamoClaimStore implements ClaimStore {
  private readonly clock: Clock;

  constructor(
    private readonly table: StateTable,
    clock?: Clock,
  ) {
    this.clock = clock ?? systemClock;
  }

  async claim(id: string, ttlMs: number): Promise<boolean> {
    const now = this.clock.now();
    return this.table.putIf(
      "claim",
      { pk: keys.claims, sk: id, expiresAtMs: now + ttlMs, expiresAt: epochSeconds(now + ttlMs) },
      // An expired claim (its holder died before releasing it) may be taken.
      "attribute_not_exists(pk) OR expiresAtMs <= :now",
      { ":now": now },
    );
  }

  async release(id: string): Promise<void> {
    await this.table.run("claim release", (c, TableName) =>
      c.send(new DeleteCommand({ TableName, Key: { pk: keys.claims, sk: id } })),
    );
  }
}
