/** `vaultops migrate ...`: .env files into Vault, a service's configurations between backends. */
import { BACKENDS, type CopyItem, type CopyReport } from "@vaultops/core";
import { type Command, Option } from "commander";
import { CliError, EXIT } from "../client";
import { parseDotenv } from "../dotenv";
import { applyMigration, planMigration, shown, validateMigration } from "../migrate";
import { color, print, printJson, progress, table } from "../output";
import { classify } from "../sensitivity";
import { type Client, confirm, type Json, readText, scopeOf, scopeOptions } from "./shared";

export function registerMigrateCommands(program: Command, client: Client): void {
  const migrate = program
    .command("migrate")
    .description("move .env files into Vault, or a service's configurations between backends");
  const loadEnvFile = (file: string) => {
    const parsed = parseDotenv(readText(file));
    for (const d of parsed.duplicates)
      process.stderr.write(color.warn(`${file}: ${d.key} set on lines ${d.lines.join(", ")}; the last one wins\n`));
    if (parsed.malformed.length) {
      for (const m of parsed.malformed)
        process.stderr.write(color.bad(`${file}:${m.line}: ${m.key ? `${m.key}: ` : ""}${m.reason}\n`));
      throw new CliError(
        `${parsed.malformed.length} malformed line(s) in ${file}`,
        EXIT.usage,
        "fix them, or comment them out with #",
      );
    }
    return parsed.entries;
  };
  migrate
    .command("scan <file>")
    .description("list the entries with a proposed sensitivity; sensitive values are never printed")
    .option("--json", "machine-readable output")
    .action(async (file: string, o: { json?: boolean }) => {
      const rows = loadEnvFile(file).map((e) => {
        const c = classify(e.key, e.value);
        return {
          key: e.key,
          line: e.line,
          sensitive: c.sensitive,
          reason: c.reason,
          value: shown(e.value, c.sensitive),
        };
      });
      if (o.json) return printJson({ entries: rows });
      table(
        rows.map((r) => ({ ...r, sensitive: r.sensitive ? color.warn("yes") : "no" })),
        ["line", "key", "sensitive", "reason", "value"],
      );
    });
  scopeOptions(migrate.command("apply <file>").description("plan, then write with check-and-set; a rerun is a no-op"))
    .option("--overwrite", "replace existing values that differ")
    .option("--yes", "do not ask")
    .option("--json", "machine-readable output")
    .action(
      async (
        file: string,
        o: { environment: string; service: string; overwrite?: boolean; yes?: boolean; json?: boolean },
      ) => {
        const entries = loadEnvFile(file);
        const api = client();
        const scope = scopeOf(o);
        const bar = progress(entries.length, "planning");
        const plan = await planMigration(api, entries, scope, { overwrite: Boolean(o.overwrite), onEntry: bar.tick });
        bar.stop();
        const count = (a: string) => plan.filter((p) => p.action === a).length;
        if (!o.json) {
          table(
            plan.map((p) => ({ line: p.line, key: p.key, action: p.action, sensitive: p.sensitive ? "yes" : "" })),
            ["line", "key", "action", "sensitive"],
          );
          print(
            `plan: ${count("create")} to create, ${count("update")} to update, ${count("unchanged")} unchanged, ${count("conflict")} conflicts, ${count("invalid")} invalid`,
          );
        }
        const writes = count("create") + count("update");
        let result = plan;
        if (
          writes > 0 &&
          (await confirm(`Write ${writes} value(s) to ${scope.environment}/${scope.service_name}?`, Boolean(o.yes)))
        ) {
          const writing = progress(plan.length, "writing");
          result = await applyMigration(api, entries, plan, scope, writing.tick);
          writing.stop();
        }
        if (o.json) printJson({ items: result });
        else if (writes > 0) {
          const done = (x: string) => result.filter((p) => p.outcome === x).length;
          print(
            `done: ${done("created")} created, ${done("updated")} updated, ${done("unchanged")} unchanged, ${done("conflict")} conflicts, ${done("failed")} failed`,
          );
        }
        if (result.some((p) => p.action === "conflict" || p.outcome === "conflict")) {
          if (!o.json)
            process.stderr.write(
              color.warn("conflicts: existing values differ; rerun with --overwrite to replace them\n"),
            );
          process.exitCode = EXIT.conflict;
        }
        if (result.some((p) => p.outcome === "failed" || p.action === "invalid")) process.exitCode = EXIT.failed;
      },
    );
  scopeOptions(migrate.command("validate <file>").description("does each entry exist in Vault with the same value?"))
    .option("--json", "machine-readable output")
    .action(async (file: string, o: { environment: string; service: string; json?: boolean }) => {
      const rows = await validateMigration(client(), loadEnvFile(file), scopeOf(o));
      if (o.json) printJson({ items: rows });
      else
        table(
          rows.map((r) => ({ ...r, status: r.status === "ok" ? color.ok("ok") : color.bad(r.status) })),
          ["line", "key", "status"],
        );
      if (rows.some((r) => r.status !== "ok")) process.exitCode = EXIT.conflict;
    });

  scopeOptions(
    migrate
      .command("copy")
      .description("copy a service's configurations between backends: a plan, then check-and-set writes"),
  )
    .addOption(new Option("--from <backend>", "source backend").choices([...BACKENDS]).makeOptionMandatory())
    .addOption(new Option("--to <backend>", "target backend").choices([...BACKENDS]).makeOptionMandatory())
    .option("--overwrite", "replace target values that differ")
    .option("--yes", "do not ask")
    .option("--json", "machine-readable output")
    .action(
      async (o: {
        environment: string;
        service: string;
        from: string;
        to: string;
        overwrite?: boolean;
        yes?: boolean;
        json?: boolean;
      }) => {
        const api = client();
        const body = { ...scopeOf(o), from: o.from, to: o.to, overwrite: Boolean(o.overwrite) };
        const plan = (await api.call<CopyReport>("configCopy", { body: { ...body, dry_run: true } })).body;
        const rows = (items: CopyItem[]) =>
          items.map((i) => ({
            key: i.key,
            action: i.action,
            ...(i.outcome ? { outcome: i.outcome } : {}),
            // Values are never printed: sensitive or not, a short hash says which value it is.
            value: `sha256:${i.value_sha256_prefix}`,
            sensitive: i.is_encrypted ? "yes" : "",
            ...(i.error ? { error: i.error } : {}),
          }));
        if (!o.json) {
          table(rows(plan.items), ["key", "action", "value", "sensitive"]);
          print(
            `plan (${o.from} -> ${o.to}): ${plan.summary.create} to create, ${plan.summary.update} to update, ${plan.summary.unchanged} unchanged, ${plan.summary.differs} differ (left alone without --overwrite)${plan.summary.invalid ? `, ${plan.summary.invalid} with names the API refuses (not copied)` : ""}`,
          );
        }
        const writes = plan.items.filter((i) => i.action === "create" || i.action === "update");
        let result = plan;
        if (
          writes.length > 0 &&
          (await confirm(
            `Copy ${writes.length} configuration(s) of ${o.environment}/${o.service} to ${o.to}?`,
            Boolean(o.yes),
          ))
        ) {
          // Against exactly the target versions the plan showed: a key changed since is a conflict.
          const expected = Object.fromEntries(writes.map((i) => [i.key, i.target_version]));
          result = (await api.call<CopyReport>("configCopy", { body: { ...body, dry_run: false, expected } })).body;
          if (!o.json) {
            const done = (x: string) => result.items.filter((i) => i.outcome === x).length;
            print(
              `done: ${done("created")} created, ${done("updated")} updated, ${done("unchanged")} unchanged, ${done("conflict")} conflicts, ${done("failed")} failed`,
            );
            for (const i of result.items.filter((x) => x.error))
              process.stderr.write(color.warn(`${i.key}: ${i.error}\n`));
          }
        }
        if (o.json) printJson(result as unknown as Json);
        else if (result.routed_to !== o.to)
          print(
            color.dim(
              `${o.environment}/${o.service} is still served by ${result.routed_to}: switch CONFIG_BACKENDS when the copy is complete`,
            ),
          );
        if (result.items.some((i) => i.outcome === "conflict")) process.exitCode = EXIT.conflict;
        if (result.items.some((i) => i.outcome === "failed")) process.exitCode = EXIT.failed;
      },
    );
}
