/** What the command groups share: the API client, the scope options, reading a file, asking before a write. */
import { readFileSync } from "node:fs";
import { createInterface } from "node:readline/promises";
import { type Command, Option } from "commander";
import { type ApiClient, CliError, EXIT } from "../client";

export type Json = Record<string, unknown>;

/** The management API's client, from the global --url / --token options (read when a command runs). */
export type Client = () => ApiClient;

export const scopeOptions = (cmd: Command) =>
  cmd
    .addOption(new Option("-e, --environment <name>", "environment").makeOptionMandatory())
    .addOption(new Option("-s, --service <name>", "service name").makeOptionMandatory());

export const scopeOf = (o: { environment: string; service: string }) => ({
  environment: o.environment,
  service_name: o.service,
});

export const readText = (file: string) => {
  try {
    return readFileSync(file, "utf8");
  } catch (error) {
    throw new CliError(
      `Cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
      EXIT.usage,
    );
  }
};

export async function confirm(question: string, yes: boolean): Promise<boolean> {
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
