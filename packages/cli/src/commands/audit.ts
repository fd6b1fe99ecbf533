/** `vaultops audit ...`: the audit trail, and Vault's own audit log read locally. */
import { detectAnomalies, filterRecords, parseVaultAuditLog, summarize } from "@vaultops/core";
import type { Command } from "commander";
import { EXIT } from "../client";
import { color, print, printJson, table } from "../output";
import { type Client, type Json, readText } from "./shared";

export function registerAuditCommands(program: Command, client: Client): void {
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
}
