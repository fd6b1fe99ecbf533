/**
 * `npm run capacity -- --rps 20000 --containers 2000 --keys 100000 --services 500`: replays a workload
 * through the real handlers on a state table in memory (packages/dev/src/capacity) and prints, per
 * key class, the busiest partition against DynamoDB's per-partition throughput, and the first limit.
 * `--layout today`: the shard layout and counter flushing vaultops had before its capacity work.
 */
import { parseArgs } from "node:util";
import { type ModelResult, runModel, WARMUP_SECONDS, type Workload } from "../packages/dev/src/capacity/model";

const { values } = parseArgs({
  options: {
    rps: { type: "string", default: "20000" },
    containers: { type: "string", default: "2000" },
    keys: { type: "string", default: "100000" },
    services: { type: "string", default: "500" },
    sensitive: { type: "string", default: "0.1" },
    writes: { type: "string", default: "20" },
    lists: { type: "string", default: "2" },
    zipf: { type: "string", default: "1" },
    seconds: { type: "string", default: "20" },
    layout: { type: "string", default: "derived" },
    json: { type: "boolean", default: false },
  },
});

const number = (name: keyof typeof values) => {
  const n = Number(values[name]);
  if (!Number.isFinite(n) || n < 0) {
    process.stderr.write(`capacity: --${name} ${values[name]} is not a number\n`);
    process.exit(2);
  }
  return n;
};

/** What vaultops had before its capacity work: 8 audit shards, 16 counter items, one sync item. */
const TODAY = { auditShards: 8, counterShards: 16, syncReplicas: 1, cacheShards: 8 };

async function main() {
  if (!["derived", "today"].includes(String(values.layout))) {
    process.stderr.write(`capacity: --layout is derived or today, not ${values.layout}\n`);
    process.exit(2);
  }
  const workload: Workload = {
    readsPerSecond: number("rps"),
    containers: Math.max(1, number("containers")),
    keys: Math.max(1, number("keys")),
    services: Math.max(1, number("services")),
    sensitiveShare: number("sensitive"),
    writesPerSecond: number("writes"),
    listsPerSecond: number("lists"),
    zipf: number("zipf"),
    seconds: Math.max(WARMUP_SECONDS + 1, number("seconds")),
    ...(values.layout === "today" ? { plan: TODAY, flushPerVaultRequest: true } : {}),
  };
  const result = await runModel(workload, (line) => process.stderr.write(`${line}\n`));
  process.stdout.write(values.json ? `${JSON.stringify(result, null, 2)}\n` : `${print(result)}\n`);
}

export function print(r: ModelResult): string {
  const w = r.workload;
  const lines = [
    `Workload: ${w.readsPerSecond} config reads/s over ${w.containers} containers, ${w.keys} keys in ${w.services} services (Zipf ${w.zipf}), ${Math.round(w.sensitiveShare * 100)}% sensitive, ${w.writesPerSecond} writes/s, ${w.listsPerSecond} list pages/s; ${w.seconds} simulated s, the first ${WARMUP_SECONDS} (cold containers) apart`,
    `Layout: ${r.plan.auditShards} audit shards, ${r.plan.counterShards} counter items, ${r.plan.syncReplicas} sync replicas, ${r.plan.cacheShards} cache shards${w.flushPerVaultRequest ? "; counters flushed after every request that read Vault" : ""}`,
    "",
    "  key class        partitions   busiest partition-second: RRU   WRU   of limit  (which, when)              warm-up   class total: RRU/s   WRU/s",
  ];
  for (const c of r.classes)
    lines.push(
      `  ${c.keyClass.padEnd(16)} ${String(c.partitions).padStart(10)} ${c.peakReadUnits.toFixed(1).padStart(30)} ${c.peakWriteUnits.toFixed(1).padStart(6)} ${`${(c.share * 100).toFixed(1)}%`.padStart(9)}  ${`${c.busiest.partitionKey}, s${c.busiest.second}`.padEnd(26)} ${`${(c.warmupShare * 100).toFixed(1)}%`.padStart(7)} ${c.readUnitsPerSecond.toFixed(1).padStart(20)} ${c.writeUnitsPerSecond.toFixed(1).padStart(7)}`,
    );
  lines.push(
    "",
    `First limit: ${r.firstLimit.keyClass} at ${(r.firstLimit.share * 100).toFixed(1)}% of a partition's throughput: it reaches 100% near ${r.firstLimit.atReadsPerSecond} reads/s (the rest of the workload scaled alike)`,
    `Per config read: ${r.perRead.dynamodbCalls} DynamoDB calls, ${r.perRead.readUnits} read units, ${r.perRead.writeUnits} write units, ${r.perRead.vaultReads} Vault reads; Vault: ${r.vaultReadsPerSecond} reads/s`,
    `${r.requests} requests through the real handlers in ${r.wallSeconds} s`,
  );
  return lines.join("\n");
}

main().catch((error) => {
  process.stderr.write(`capacity failed: ${(error as Error).stack ?? error}\n`);
  process.exit(1);
});
