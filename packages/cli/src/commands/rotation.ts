/** `vaultops rotation ...`: secret rotation. */
import type { Command } from "commander";
import { color, print, printJson, table } from "../output";
import { type Client, type Json, scopeOf, scopeOptions } from "./shared";

export function registerRotationCommands(program: Command, client: Client): void {
  const rotation = program.command("rotation").description("secret rotation");
  rotation
    .command("status")
    .option("--json", "machine-readable output")
    .action(async (o: { json?: boolean }) => {
      const res = await client().call<{ policies: Array<Json & { status: Json }> }>("rotationStatus");
      if (o.json) return printJson(res.body);
      table(
        res.body.policies.map((p) => ({
          path: p.path,
          every: `${p.interval_days}d`,
          next_due: p.status.next_due_at,
          last: p.status.last_outcome ?? "",
          state: p.status.overdue ? color.bad("overdue") : p.status.due ? color.warn("due") : "ok",
        })),
        ["path", "every", "next_due", "last", "state"],
      );
    });
  scopeOptions(rotation.command("rotate <key>").description("rotate now")).action(
    async (key: string, o: { environment: string; service: string }) => {
      const res = await client().call<Json>("configRotate", { params: { key }, query: scopeOf(o) });
      print(
        `${color.ok("rotated")} ${key}: version ${res.body.version} (previous ${res.body.previous_version} readable until ${res.body.previous_readable_until})`,
      );
    },
  );
}
