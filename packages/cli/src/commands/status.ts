/** `vaultops status`: health, metrics and status in one summary. */
import type { Command } from "commander";
import { EXIT } from "../client";
import { color, print, printJson } from "../output";
import type { Client, Json } from "./shared";

export function registerStatusCommand(program: Command, client: Client): void {
  program
    .command("status")
    .description("health, metrics and status in one summary")
    .option("--json", "machine-readable output")
    .action(async (o: { json?: boolean }) => {
      const api = client();
      const [health, metrics, status] = await Promise.all([
        api.call<Json>("vaultHealth", { allow: [503] }),
        api.call<Json>("vaultMetrics"),
        api.call<Json>("vaultStatus"),
      ]);
      if (o.json) return printJson({ health: health.body, metrics: metrics.body, status: status.body });
      const h = health.body.vault_health as Json;
      const cache = metrics.body.cache_metrics as Json;
      const mark = h.status === "healthy" ? color.ok("●") : color.bad("●");
      print(`${mark} Vault ${color.bold(String(h.status))}  version ${h.version}  checked ${h.last_check}`);
      print(`  requests ${h.total_requests}, success ${h.success_rate}, average ${h.avg_response_time}`);
      print(`  token ttl ${h.token_ttl_seconds}s${h.token_renewable ? " (renewable)" : ""}`);
      for (const w of (h.warnings as string[]) ?? []) print(color.warn(`  ! ${w}`));
      if (h.last_error) print(color.bad(`  last error ${h.last_error} at ${h.last_error_time}`));
      print(`  cache ${cache.total_entries} entries, hit rate ${cache.hit_rate}, ttl ${cache.ttl}`);
      const s = status.body as { snapshots?: Json; rotation?: Json };
      if (s.snapshots)
        print(
          `  last snapshot ${s.snapshots.last_snapshot_at ?? "never"}; last rotation run ${s.rotation?.last_run_at ?? "never"}`,
        );
      if (health.status !== 200) process.exitCode = EXIT.failed;
    });
}
