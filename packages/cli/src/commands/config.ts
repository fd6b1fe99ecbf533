/** `vaultops config ...`: configuration values in Vault KV v2. */
import { withheld } from "@vaultops/core";
import type { Command } from "commander";
import { shown } from "../migrate";
import { color, print, printJson, table } from "../output";
import { type Client, confirm, type Json, scopeOf, scopeOptions } from "./shared";

export function registerConfigCommands(program: Command, client: Client): void {
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
}
