import { GetCommand } from "@aws-sdk/lib-dynamodb";
import { type Clock, systemClock } from "../clock";
import type { CapacityPlan } from "./capacity";
import { keys } from "./key-space";
import type { StateTable } from "./state-table";

/** How long a container trusts the recorded layout (it only ever grows, and only at a deploy). */
const LAYOUT_MEMO_MS = 300_000;

type Shards = Pick<CapacityPlan, "auditShards" | "counterShards">;

/**
 * The sharded families that readers must read whole (audit days, counters): writers spread over
 * their own plan's shards, readers cover the most shards any plan has written. The most is kept
 * in one item, raised by the health job (each minute) and never lowered, so a deploy sized for
 * less load never hides records or counts written under a larger plan.
 */
export class ShardLayout {
  private recorded: { shards: Shards; at: number } | undefined;

  constructor(
    private readonly table: StateTable,
    readonly plan: CapacityPlan,
    private readonly clock: Clock = systemClock,
  ) {}

  /** The shards a reader covers: this plan's, or more where an earlier plan wrote more. */
  async readable(): Promise<Shards> {
    const now = this.clock.now();
    if (!this.recorded || now - this.recorded.at >= LAYOUT_MEMO_MS)
      this.recorded = { shards: await this.read(false), at: now };
    return widest(this.plan, this.recorded.shards);
  }

  /** Raises the recorded layout to this plan's where it is below it; true when it wrote. */
  async record(): Promise<boolean> {
    const current = await this.read(true);
    const next = widest(this.plan, current);
    if (next.auditShards === current.auditShards && next.counterShards === current.counterShards) return false;
    // Written only over what was read: a concurrent raise is kept, this one is tried again next run.
    return this.table.putIf(
      "shard layout record",
      { ...keys.shardLayout, ...next },
      "attribute_not_exists(pk) OR (auditShards = :a AND counterShards = :c)",
      { ":a": current.auditShards, ":c": current.counterShards },
    );
  }

  private async read(consistent: boolean): Promise<Shards> {
    const out = await this.table.run("shard layout read", (c, TableName) =>
      c.send(new GetCommand({ TableName, Key: keys.shardLayout, ConsistentRead: consistent })),
    );
    return { auditShards: Number(out.Item?.auditShards ?? 0), counterShards: Number(out.Item?.counterShards ?? 0) };
  }
}

const widest = (a: Shards, b: Shards): Shards => ({
  auditShards: Math.max(a.auditShards, b.auditShards),
  counterShards: Math.max(a.counterShards, b.counterShards),
});
