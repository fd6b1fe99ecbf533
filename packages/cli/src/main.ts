/**
 * `vaultops`: the operator's command line for the management API (and two local tools: parsing
 * Vault's audit log and scanning .env files). Exit codes: 0 ok, 1 failed, 2 usage, 3 conflict or
 * mismatch, 4 API unreachable.
 */
import { Command, CommanderError } from "commander";
import { ApiClient, CliError, EXIT, resolveConnection } from "./client";
import { registerAuditCommands } from "./commands/audit";
import { registerCacheCommands } from "./commands/cache";
import { registerConfigCommands } from "./commands/config";
import { registerMigrateCommands } from "./commands/migrate";
import { registerRotationCommands } from "./commands/rotation";
import { registerSnapshotCommands } from "./commands/snapshot";
import { registerStatusCommand } from "./commands/status";
import { registerTokenCommands } from "./commands/token";
import { color } from "./output";

const program = new Command("vaultops")
  .description("Operate vaultops: Vault health, configuration, cache, tokens, snapshots, rotation and audit")
  .option("--url <url>", "management API URL (default: VAULTOPS_URL, or .vaultops/dev.json)")
  .option("--token <token>", "API bearer token (default: VAULTOPS_TOKEN, or .vaultops/dev.json)")
  .showHelpAfterError()
  .exitOverride();

const client = () => new ApiClient(resolveConnection(program.opts<{ url?: string; token?: string }>()));

// One file per command group (./commands), registered in the order `vaultops --help` lists them.
registerStatusCommand(program, client);
registerConfigCommands(program, client);
registerCacheCommands(program, client);
registerTokenCommands(program, client);
registerSnapshotCommands(program, client);
registerRotationCommands(program, client);
registerAuditCommands(program, client);
registerMigrateCommands(program, client);

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
