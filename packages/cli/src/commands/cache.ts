/** `vaultops cache clear`: the shared cache. */
import type { Command } from "commander";
import { color, print } from "../output";
import type { Client, Json } from "./shared";

export function registerCacheCommands(program: Command, client: Client): void {
  program
    .command("cache")
    .description("the shared cache")
    .command("clear")
    .description("empty the shared cache and every container's in-process tier")
    .action(async () => {
      const res = await client().call<{ cleared_stats: Json }>("vaultCacheClear");
      print(`${color.ok("cleared")} ${res.body.cleared_stats.total_entries} entries`);
    });
}
