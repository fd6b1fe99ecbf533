import type { Command } from "commander";
import { color, print, printJson, table } from "../output";
import { createApiToken, SCOPES } from "../tokens";
import type { Client, Json } from "./shared";

export function registerTokenCommands(program: Command, client: Client): void {
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
}
