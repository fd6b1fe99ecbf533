/** `vaultops snapshot ...`: encrypted snapshots of the KV v2 tree. */
import type { Command } from "commander";
import { EXIT } from "../client";
import { color, print, printJson, table } from "../output";
import { type Client, confirm, type Json } from "./shared";

export function registerSnapshotCommands(program: Command, client: Client): void {
  const snapshot = program.command("snapshot").description("encrypted snapshots of the KV v2 tree");
  snapshot
    .command("create")
    .option("--type <type>", "full or full_versions", "full")
    .option("--prefix <path>", "only this part of the tree", "")
    .option("--json", "machine-readable output")
    .action(async (o: { type: string; prefix: string; json?: boolean }) => {
      process.stderr.write(color.dim("exporting the KV tree...\n"));
      const res = await client().call<Json>("snapshotCreate", {
        body: { type: o.type, prefix: o.prefix },
      });
      if (o.json) return printJson(res.body);
      print(
        `${color.ok("created")} ${res.body.id}: ${res.body.path_count} paths, ${res.body.size_bytes} bytes, expires ${res.body.expires_at}`,
      );
    });
  snapshot
    .command("list")
    .option("--type <type>")
    .option("--status <status>")
    .option("--json", "machine-readable output")
    .action(async (o: { type?: string; status?: string; json?: boolean }) => {
      const res = await client().call<{ items: Json[] }>("snapshotList", {
        query: { type: o.type, status: o.status },
      });
      if (o.json) return printJson(res.body);
      table(res.body.items, ["id", "created_at", "type", "path_count", "size_bytes", "status", "expires_at"]);
    });
  snapshot.command("verify <id>").action(async (id: string) => {
    const res = await client().call<Json>("snapshotVerify", { params: { id } });
    print(`${color.ok("valid")} ${id}: ${res.body.path_count} paths, ${res.body.version_count} versions`);
  });
  snapshot
    .command("restore <id>")
    .description("show the plan, then restore with check-and-set writes")
    .option("--yes", "do not ask")
    .option("--json", "machine-readable output")
    .action(async (id: string, o: { yes?: boolean; json?: boolean }) => {
      const api = client();
      const plan = await api.call<{ summary: Json; items: Json[]; plan_id: string }>("snapshotRestore", {
        params: { id },
        query: { dry_run: "true" },
      });
      const s = plan.body.summary;
      if (!o.json) {
        for (const item of plan.body.items.filter((i) => i.action !== "unchanged"))
          print(`  ${item.action === "create" ? color.ok("+") : color.warn("~")} ${item.path}`);
        print(`plan: ${s.create} to create, ${s.change} to change, ${s.unchanged} unchanged`);
      }
      if (Number(s.create) + Number(s.change) === 0) return o.json ? printJson(plan.body) : print("nothing to restore");
      if (!(await confirm("Restore now?", Boolean(o.yes)))) return;
      process.stderr.write(color.dim(`restoring ${Number(s.create) + Number(s.change)} paths...\n`));
      // The plan shown is the plan applied: a path changed since is refused, not overwritten.
      const done = await api.call<{ summary: Json; items: Json[] }>("snapshotRestore", {
        params: { id },
        query: { dry_run: "false", plan_id: plan.body.plan_id },
      });
      if (o.json) return printJson(done.body);
      const d = done.body.summary;
      for (const item of done.body.items.filter((i) => i.outcome === "conflict"))
        print(`  ${color.warn("!")} ${item.path}: changed since the plan, not restored`);
      print(
        `${color.ok("restored")}: ${d.create} created, ${d.change} changed, ${d.conflicts} conflicts, ${d.failed} failed`,
      );
      if (Number(d.conflicts) + Number(d.failed) > 0) process.exitCode = EXIT.conflict;
    });
}
