/**
 * `vaultops`: the operator's command line for the management API (and two local tools: parsing
 * Vault's audit log and scanning .env files). Exit codes: 0 ok, 1 failed, 2 usage, 3 conflict or
 * mismatch, 4 API unreachable.
 */
import { readFileSync } from "node:fs";
import { createInterface } from "node:readline/promises";
import {
  BACKENDS,
  type CopyItem,
  type CopyReport,
  detectAnomalies,
  filterRecords,
  parseVaultAuditLog,
  summarize,
  withheld,
} from "@vaultops/core";
import { Command, CommanderError, Option } from "commander";
import { ApiClient, CliError, EXIT, resolveConnection } from "./client";
import { parseDotenv } from "./dotenv";
import { applyMigration, planMigration, shown, validateMigration } from "./migrate";
import { color, print, printJson, progress, table } from "./output";
import { classify } from "./sensitivity";
import { createApiToken, SCOPES } from "./tokens";

type Json = Record<string, unknown>;
const program = new Command("vaultops")
  .description("Operate vaultops: Vault health, configuration, cache, tokens, snapshots, rotation and audit")
  .option("--url <url>", "management API URL (default: VAULTOPS_URL, or .vaultops/dev.json)")
  .option("--token <token>", "API bearer token (default: VAULTOPS_TOKEN, or .vaultops/dev.json)")
  .showHelpAfterError()
  .exitOverride();

const client = () => new ApiClient(resolveConnection(program.opts<{ url?: string; token?: string }>()));
const scopeOptions = (cmd: Command) =>
  cmd
    .addOption(new Option("-e, --environment <name>", "environment").makeOptionMandatory())
    .addOption(new Option("-s, --service <name>", "service name").makeOptionMandatory());
const scopeOf = (o: { environment: string; service: string }) => ({
  environment: o.environment,
  service_name: o.service,
});
const readText = (file: string) => {
  try {
    return readFileSync(file, "utf8");
  } catch (error) {
    throw new CliError(
      `Cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
      EXIT.usage,
    );
  }
};

async function confirm(question: string, yes: boolean): Promise<boolean> {
  if (yes) return true;
  if (!process.stdin.isTTY)
    throw new CliError("Refusing to write without confirmation", EXIT.usage, "pass --yes to run without a terminal");
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return /^y(es)?$/i.test((await rl.question(`${question} [y/N] `)).trim());
  } finally {
    rl.close();
  }
}

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

const config = program.command("config").description("configuration values in Vault KV v2");
scopeOptions(config.command("get <key>").description("read a configuration"))
  .option("--version <n>", "an older version")
  .option("--json", "machine-readable output")
  .action(async (key: string, o: { environment: string; service: string; version?: string; json?: boolean }) => {
    const res = await client().call<Json>("configGet", {
      params: { key },
      query: { ...scopeOf(o), version: o.version },
    });
    if (o.json) return printJson(res.body);
    print(String(res.body.value));
  });
scopeOptions(config.command("set <key> <value>").description("create, or update with check-and-set"))
  .option("--sensitive", "never cached; read from Vault every time")
  .option("--if-match <version>", "only if the current version is this one")
  .option("--json", "machine-readable output")
  .action(
    async (
      key: string,
      value: string,
      o: { environment: string; service: string; sensitive?: boolean; ifMatch?: string; json?: boolean },
    ) => {
      const api = client();
      const existing = await api.call<Json>("configGet", { params: { key }, query: scopeOf(o), allow: [404] });
      const res =
        existing.status === 404
          ? await api.call<Json>("configCreate", {
              // Without --sensitive the API decides: plain for a new key, sensitive for one that was.
              body: { key, value, ...scopeOf(o), ...(o.sensitive ? { is_encrypted: true } : {}) },
            })
          : await api.call<Json>("configUpdate", {
              params: { key },
              query: scopeOf(o),
              body: { value, ...(o.sensitive !== undefined ? { is_encrypted: true } : {}) },
              headers: { "if-match": `"${o.ifMatch ?? existing.body.version}"` },
            });
      if (o.json) return printJson({ ...res.body, value: undefined });
      print(`${color.ok(existing.status === 404 ? "created" : "updated")} ${key} version ${res.body.version}`);
    },
  );
scopeOptions(config.command("list").description("list configurations (sensitive values as a hash)"))
  .option("--limit <n>", "page size", "50")
  .option("--offset <n>", "skip", "0")
  .option("--json", "machine-readable output")
  .option("--reveal", "show sensitive values too")
  .action(
    async (o: {
      environment: string;
      service: string;
      limit: string;
      offset: string;
      json?: boolean;
      reveal?: boolean;
    }) => {
      const res = await client().call<{ items: Json[]; total: number }>("configList", {
        query: { ...scopeOf(o), limit: o.limit, offset: o.offset },
      });
      // Sensitive values are masked in every output unless asked for: JSON is piped into logs and tickets.
      const items = res.body.items.map((i) =>
        i.is_encrypted && !o.reveal && typeof i.value === "string" ? withheld({ ...i, value: i.value }) : i,
      );
      if (o.json) return printJson({ ...res.body, items });
      table(
        res.body.items.map((i) => ({
          key: i.key,
          version: i.version,
          sensitive: i.is_encrypted ? "yes" : "",
          // A value the API withheld (null) is shown by the hash the API answered, never hashed here.
          value:
            i.value === null
              ? `<sensitive sha256:${String(i.value_sha256_prefix ?? "")}>`
              : o.reveal
                ? String(i.value)
                : shown(String(i.value), Boolean(i.is_encrypted)),
          updated: i.updated_at,
        })),
        ["key", "version", "sensitive", "value", "updated"],
      );
      print(color.dim(`${res.body.items.length} of ${res.body.total}`));
    },
  );
scopeOptions(config.command("delete <key>").description("delete (history kept unless --purge)"))
  .option("--purge", "remove every version")
  .option("--yes", "do not ask")
  .action(async (key: string, o: { environment: string; service: string; purge?: boolean; yes?: boolean }) => {
    if (
      !(await confirm(
        `Delete ${o.environment}/${o.service}/${key}${o.purge ? " and all its versions" : ""}?`,
        Boolean(o.yes),
      ))
    )
      return;
    await client().call("configDelete", {
      params: { key },
      query: { ...scopeOf(o), purge: o.purge ? "true" : undefined },
    });
    print(`${color.ok("deleted")} ${key}`);
  });
scopeOptions(config.command("versions <key>").description("version history"))
  .option("--json", "machine-readable output")
  .action(async (key: string, o: { environment: string; service: string; json?: boolean }) => {
    const res = await client().call<{ versions: Json[] }>("configVersions", {
      params: { key },
      query: scopeOf(o),
    });
    if (o.json) return printJson(res.body);
    table(res.body.versions, ["version", "created_at", "deleted", "destroyed"]);
  });
scopeOptions(config.command("rollback <key> <version>").description("restore an older version as a new one")).action(
  async (key: string, version: string, o: { environment: string; service: string }) => {
    const res = await client().call<Json>("configRollback", {
      params: { key },
      query: scopeOf(o),
      body: { version: Number(version) },
    });
    print(`${color.ok("rolled back")} ${key} to version ${version} as version ${res.body.version}`);
  },
);

program
  .command("cache")
  .description("the shared cache")
  .command("clear")
  .description("empty the shared cache and every container's in-process tier")
  .action(async () => {
    const res = await client().call<{ cleared_stats: Json }>("vaultCacheClear");
    print(`${color.ok("cleared")} ${res.body.cleared_stats.total_entries} entries`);
  });
const token = program.command("token").description("API tokens, and the plane's own Vault token");
token
  .command("renew")
  .description("renew the plane's Vault token")
  .action(async () => {
    const res = await client().call<{ token_info: Json }>("vaultTokenRenew");
    print(`${color.ok("renewed")} ttl ${res.body.token_info.ttl_seconds}s`);
  });
token
  .command("create")
  .description("make an API token: printed once, with the entry (its SHA-256, never the token) for the token list")
  .requiredOption("--name <name>", "what audit records and logs call it")
  .requiredOption("--scopes <scopes>", `comma-separated: ${SCOPES.join(", ")}`)
  .option("--paths <patterns>", "comma-separated path patterns, e.g. 'prod/payments/*,staging/**'")
  .option("--ttl <duration>", "lifetime: 90d, 12h, 30m")
  .option("--json", "machine-readable output")
  .action((o: { name: string; scopes: string; paths?: string; ttl?: string; json?: boolean }) => {
    const made = createApiToken(o);
    if (o.json) return printJson(made);
    print(made.token);
    process.stderr.write(
      `${color.dim('Store it now: it is not shown again. Add this entry to the token list (API_TOKENS_SECRET\'s "tokens"):')}\n${JSON.stringify(made.entry)}\n`,
    );
  });
token
  .command("check")
  .description("what a token may do: its scopes, paths, expiry and every route (uses --token or VAULTOPS_TOKEN)")
  .option("--json", "machine-readable output")
  .action(async (o: { json?: boolean }) => {
    const res = await client().call<{
      name: string;
      scopes: string[];
      paths: string[] | null;
      expires_at: string | null;
      sensitive_values: boolean;
      routes: Array<{ method: string; path: string; scope: string; allowed: boolean; note?: string }>;
    }>("tokenSelf");
    if (o.json) return printJson(res.body);
    const b = res.body;
    print(`${color.ok(b.name)}: ${b.scopes.join(", ")}`);
    print(`  paths:            ${b.paths ? b.paths.join(", ") : "every path"}`);
    print(`  expires:          ${b.expires_at ?? "never"}`);
    print(`  sensitive values: ${b.sensitive_values ? "shown" : "withheld (needs secrets:read)"}`);
    table(
      b.routes.map((r) => ({
        route: `${r.method} ${r.path}`,
        scope: r.scope,
        allowed: r.allowed ? color.ok("yes") : color.bad("no"),
        note: r.note ?? "",
      })),
      ["route", "scope", "allowed", "note"],
    );
  });

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

const audit = program.command("audit").description("the audit trail");
audit
  .command("query")
  .option("--operation <ops>", "e.g. read,create")
  .option("--path <glob>", "e.g. prod/*/db")
  .option("--actor <name>")
  .option("--failed", "failures only")
  .option("--since <time>", "ISO time or epoch ms")
  .option("--limit <n>", "records", "50")
  .option("--json", "machine-readable output")
  .action(
    async (o: {
      operation?: string;
      path?: string;
      actor?: string;
      failed?: boolean;
      since?: string;
      limit: string;
      json?: boolean;
    }) => {
      const res = await client().call<{ items: Json[] }>("auditQuery", {
        query: {
          operation: o.operation,
          path: o.path,
          actor: o.actor,
          success: o.failed ? "false" : undefined,
          from: o.since,
          limit: o.limit,
        },
      });
      if (o.json) return printJson(res.body);
      table(res.body.items, ["at", "actor", "operation", "path", "success", "sourceIp"]);
    },
  );
audit
  .command("parse <file>")
  .description("filter and analyse Vault's own file audit log (JSON lines), locally")
  .option("--operation <ops>")
  .option("--path <glob>")
  .option("--actor <name>")
  .option("--failed", "failures only")
  .option("--anomalies", "detect anomalies instead of listing records")
  .option("--window <minutes>", "anomaly window", "60")
  .option("--threshold <n>", "reads of one path in the window that are an anomaly", "100")
  .option("--json", "machine-readable output")
  .action(
    async (
      file: string,
      o: {
        operation?: string;
        path?: string;
        actor?: string;
        failed?: boolean;
        anomalies?: boolean;
        window: string;
        threshold: string;
        json?: boolean;
      },
    ) => {
      const parsed = parseVaultAuditLog(readText(file));
      for (const m of parsed.malformed) process.stderr.write(color.warn(`${file}:${m.line}: ${m.error}\n`));
      const records = filterRecords(parsed.records, {
        operation: o.operation?.split(","),
        path: o.path,
        actor: o.actor,
        success: o.failed ? false : undefined,
      });
      if (o.anomalies) {
        const latest = Math.max(0, ...records.map((r) => Date.parse(r.at)));
        const found = detectAnomalies(records, {
          windowMinutes: Number(o.window),
          threshold: Number(o.threshold),
          now: latest + 1,
        });
        if (o.json) return printJson({ anomalies: found, examined: records.length });
        if (found.length === 0) return print(`no anomalies in ${records.length} records`);
        table(found as unknown as Json[], ["kind", "subject", "count", "baseline", "detail"]);
        process.exitCode = EXIT.conflict;
        return;
      }
      if (o.json) return printJson({ records, summary: summarize(records, 60), malformed: parsed.malformed });
      table(records as unknown as Json[], ["at", "actor", "operation", "path", "success", "sourceIp"]);
      print(color.dim(`${records.length} records (${parsed.malformed.length} malformed lines)`));
    },
  );

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
      return { key: e.key, line: e.line, sensitive: c.sensitive, reason: c.reason, value: shown(e.value, c.sensitive) };
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

try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (error instanceof CommanderError) {
    process.exitCode = error.exitCode === 0 ? EXIT.ok : EXIT.usage;
  } else if (error instanceof CliError) {
    process.stderr.write(`${color.bad("error:")} ${error.message}\n`);
    if (error.hint) process.stderr.write(`${color.dim(`hint: ${error.hint}`)}\n`);
    process.exitCode = error.exitCode;
  } else {
    process.stderr.write(`${color.bad("error:")} ${(error as Error).message}\n`);
    process.exitCode = EXIT.failed;
  }
}
