import { execFile } from "node:child_process";
import { writeFileSync } from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startDevRuntime } from "../support/dev-runtime";
import { registerSecret, vaultApi } from "../support/harness";

/** The `vaultops` command as a subprocess against the local stack (found through dev.json). */
const run = promisify(execFile);
let stack: Awaited<ReturnType<typeof startDevRuntime>>;

async function vaultops(args: string[], env: Record<string, string> = {}) {
  try {
    const { stdout, stderr } = await run(process.execPath, ["packages/cli/bin/vaultops.js", ...args], {
      env: {
        ...process.env,
        VAULTOPS_DEV_FILE: stack.devFile,
        VAULTOPS_URL: "",
        VAULTOPS_TOKEN: "",
        NO_COLOR: "1",
        ...env,
      },
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}
const scope = ["-e", "cli", "-s", "app"];

beforeAll(async () => {
  // One scope served by Secrets Manager (moto's), for `migrate copy` in both directions.
  stack = await startDevRuntime({ VAULTOPS_DEV_MOTO: "1", CONFIG_BACKENDS: "cli-aws/*=aws,*=vault" });
  for (const value of ["very-secret-value", "correct-horse-battery"]) registerSecret(value);
}, 120_000);
afterAll(async () => {
  await stack?.stop();
});

describe("vaultops", () => {
  it("status: a readable summary, and --json for scripts", async () => {
    const text = await vaultops(["status"]);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/Vault healthy/);
    const json = await vaultops(["status", "--json"]);
    expect(JSON.parse(json.stdout).health.vault_health.status).toBe("healthy");
  });

  it("config set / get / list / versions / rollback / delete", async () => {
    expect((await vaultops(["config", "set", "db_url", "postgres://one", ...scope])).stdout).toMatch(
      /created db_url version 1/,
    );
    expect((await vaultops(["config", "set", "db_url", "postgres://two", ...scope])).stdout).toMatch(
      /updated db_url version 2/,
    );
    expect((await vaultops(["config", "get", "db_url", ...scope])).stdout.trim()).toBe("postgres://two");
    expect((await vaultops(["config", "get", "db_url", "--version", "1", ...scope])).stdout.trim()).toBe(
      "postgres://one",
    );
    await vaultops(["config", "set", "token", "very-secret-value", "--sensitive", ...scope]);
    const list = await vaultops(["config", "list", ...scope]);
    expect(list.stdout).toMatch(/db_url\s+2/);
    expect(list.stdout).not.toContain("very-secret-value");
    // JSON output masks sensitive values too, unless --reveal.
    const listed = await vaultops(["config", "list", "--json", ...scope]);
    expect(listed.stdout).not.toContain("very-secret-value");
    const token = JSON.parse(listed.stdout).items.find((i: { key: string }) => i.key === "token");
    expect(token).toMatchObject({ value: null, value_sha256_prefix: expect.stringMatching(/^[0-9a-f]{16}$/) });
    expect((await vaultops(["config", "list", "--json", "--reveal", ...scope])).stdout).toContain("very-secret-value");
    // To a token without secrets:read the API answers value null and the hash: the CLI shows that hash,
    // not one of the string "null".
    const asReader = await vaultops(["config", "list", ...scope], { VAULTOPS_TOKEN: stack.facts.apiReadToken });
    expect(asReader.stdout).toContain(`<sensitive sha256:${token.value_sha256_prefix}>`);
    expect(asReader.stdout).not.toContain("sha256:74234e98afe7498f");
    const versions = JSON.parse((await vaultops(["config", "versions", "db_url", "--json", ...scope])).stdout);
    expect(versions.current_version).toBe(2);
    expect((await vaultops(["config", "rollback", "db_url", "1", ...scope])).stdout).toMatch(/as version 3/);
    const stale = await vaultops(["config", "set", "db_url", "x", "--if-match", "1", ...scope]);
    expect(stale.code).toBe(3);
    expect(stale.stderr).toMatch(/Version conflict/);
    expect((await vaultops(["config", "delete", "db_url", "--yes", ...scope])).code).toBe(0);
    const gone = await vaultops(["config", "get", "db_url", ...scope]);
    expect(gone.code).toBe(1);
    expect(gone.stderr).toMatch(/Configuration not found/);
  });

  it("refuses to delete without --yes when there is no terminal", async () => {
    const res = await vaultops(["config", "delete", "token", ...scope]);
    expect(res.code).toBe(2);
    expect(res.stderr).toMatch(/pass --yes/);
  });

  it("cache clear, token renew (400 for the dev root token), rotation, snapshots", async () => {
    expect((await vaultops(["cache", "clear"])).stdout).toMatch(/cleared \d+ entries/);
    const renew = await vaultops(["token", "renew"]);
    expect(renew.code).toBe(1);
    expect(renew.stderr).toMatch(/token is not renewable/);
    expect((await vaultops(["rotation", "rotate", "token", ...scope])).stdout).toMatch(/rotated token: version 2/);
    expect((await vaultops(["rotation", "status"])).code).toBe(0);
    const created = JSON.parse((await vaultops(["snapshot", "create", "--prefix", "cli", "--json"])).stdout);
    expect(created.status).toBe("completed");
    expect((await vaultops(["snapshot", "verify", created.id])).stdout).toMatch(/valid/);
    expect((await vaultops(["snapshot", "list"])).stdout).toContain(created.id);
    await vaultops(["config", "delete", "token", "--yes", ...scope]);
    const restore = await vaultops(["snapshot", "restore", created.id, "--yes"]);
    expect(restore.stdout).toMatch(/\+ cli\/app\/token/);
    expect(restore.stdout).toMatch(/restored: 1 created/);
    expect(restore.code).toBe(0);
  });

  it("audit query shows what the commands did", async () => {
    const res = JSON.parse((await vaultops(["audit", "query", "--operation", "create", "--json"])).stdout);
    expect(res.items.length).toBeGreaterThan(0);
  });

  it("audit parse reads Vault's audit log format, and reports malformed lines", async () => {
    const file = path.join(stack.dir, "vault-audit.log");
    const line = (op: string, p: string, error?: string) =>
      JSON.stringify({
        time: new Date().toISOString(),
        type: "response",
        auth: { display_name: "token-ci" },
        request: { id: "r", operation: op, path: p, remote_address: "10.0.0.1" },
        ...(error ? { error } : {}),
      });
    writeFileSync(
      file,
      [line("read", "secret/data/a"), line("read", "secret/data/a", "permission denied"), "garbage"].join("\n"),
    );
    const res = await vaultops(["audit", "parse", file, "--failed"]);
    expect(res.stdout).toMatch(/token-ci\s+read\s+secret\/data\/a\s+false/);
    expect(res.stderr).toMatch(/vault-audit.log:3: not JSON/);
  });

  it("migrates a .env file: scan, apply, a rerun that does nothing, a conflict, then --overwrite", async () => {
    const envFile = path.join(stack.dir, "app.env");
    writeFileSync(
      envFile,
      [
        "# app settings",
        'export DB_PASSWORD="correct-horse-battery"',
        "LOG_LEVEL=info # verbose later",
        "EMPTY=",
        "LOG_LEVEL=warn",
        "",
      ].join("\n"),
    );
    const scan = await vaultops(["migrate", "scan", envFile]);
    expect(scan.stdout).toMatch(/DB_PASSWORD\s+yes\s+name/);
    expect(scan.stdout).not.toContain("correct-horse-battery");
    expect(scan.stderr).toMatch(/LOG_LEVEL set on lines 3, 5/);
    const target = ["-e", "cli", "-s", "migrated"];
    const apply = await vaultops(["migrate", "apply", envFile, "--yes", ...target]);
    expect(apply.code).toBe(0);
    expect(apply.stdout).toMatch(/done: 3 created/);
    expect((await vaultops(["config", "get", "LOG_LEVEL", ...target])).stdout.trim()).toBe("warn");
    const rerun = await vaultops(["migrate", "apply", envFile, "--yes", ...target]);
    expect(rerun.stdout).toMatch(/plan: 0 to create, 0 to update, 3 unchanged/);
    expect(rerun.code).toBe(0);
    await vaultops(["config", "set", "LOG_LEVEL", "debug", ...target]);
    const conflict = await vaultops(["migrate", "apply", envFile, "--yes", ...target]);
    expect(conflict.code).toBe(3);
    expect(conflict.stdout).toMatch(/LOG_LEVEL\s+conflict/);
    expect((await vaultops(["config", "get", "LOG_LEVEL", ...target])).stdout.trim()).toBe("debug");
    expect((await vaultops(["migrate", "validate", envFile, ...target])).code).toBe(3);
    const overwrite = await vaultops(["migrate", "apply", envFile, "--yes", "--overwrite", ...target]);
    expect(overwrite.stdout).toMatch(/1 updated/);
    const valid = await vaultops(["migrate", "validate", envFile, ...target]);
    expect(valid.code).toBe(0);
  });

  it("reports a malformed .env line with its number and key, never its value, and exits 2", async () => {
    const envFile = path.join(stack.dir, "bad.env");
    registerSecret("pasted-secret-0123456789");
    writeFileSync(envFile, 'GOOD=1\nthis line is wrong\nAPI_KEY="pasted-secret-0123456789\n');
    for (const args of [
      ["apply", envFile, "--yes", "-e", "cli", "-s", "bad"],
      ["scan", envFile],
      ["validate", envFile, "-e", "cli", "-s", "bad"],
    ]) {
      const command = args[0];
      const res = await vaultops(["migrate", ...args]);
      expect(res.code, command).toBe(2);
      expect(res.stderr).toMatch(/bad.env:2: expected KEY=value/);
      expect(res.stderr).toMatch(/bad.env:3: API_KEY: unterminated " quote/);
      expect(`${res.stdout}${res.stderr}`).not.toContain("pasted-secret");
    }
  });

  it("keeps a sensitive config sensitive when migrate apply --overwrite replaces its value", async () => {
    const target = ["-e", "cli", "-s", "keep-sensitive"];
    registerSecret("greeting-that-is-secret");
    await vaultops(["config", "set", "GREETING", "greeting-that-is-secret", "--sensitive", ...target]);
    const envFile = path.join(stack.dir, "greeting.env");
    writeFileSync(envFile, "GREETING=hello\n");
    const res = await vaultops(["migrate", "apply", envFile, "--yes", "--overwrite", ...target]);
    expect(res.stdout).toMatch(/1 updated/);
    const after = JSON.parse((await vaultops(["config", "get", "GREETING", "--json", ...target])).stdout);
    expect(after).toMatchObject({ value: "hello", is_encrypted: true });
  });

  it("migrate copy: Vault to Secrets Manager and back, a plan first, a rerun a no-op, no value printed", async () => {
    const move = ["-e", "cli", "-s", "move"];
    registerSecret("moving-secret-value");
    await vaultops(["config", "set", "host", "db.internal", ...move]);
    await vaultops(["config", "set", "password", "moving-secret-value", "--sensitive", ...move]);
    const first = await vaultops(["migrate", "copy", "--from", "vault", "--to", "aws", "--yes", ...move]);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toMatch(/plan \(vault -> aws\): 2 to create, 0 to update, 0 unchanged/);
    expect(first.stdout).toMatch(/done: 2 created/);
    expect(first.stdout).toMatch(/cli\/move is still served by vault: switch CONFIG_BACKENDS/);
    expect(`${first.stdout}${first.stderr}`).not.toContain("moving-secret-value");
    const rerun = await vaultops(["migrate", "copy", "--from", "vault", "--to", "aws", "--yes", ...move]);
    expect(rerun.stdout).toMatch(/0 to create, 0 to update, 2 unchanged/);
    expect(rerun.stdout).not.toMatch(/done:/);

    // Back: a scope Secrets Manager serves, into Vault, where `bao` (or any Vault client) reads it.
    const served = ["-e", "cli-aws", "-s", "app"];
    await vaultops(["config", "set", "token", "moving-secret-value", "--sensitive", ...served]);
    const back = await vaultops(["migrate", "copy", "--from", "aws", "--to", "vault", "--yes", "--json", ...served]);
    expect(back.code, back.stderr).toBe(0);
    expect(JSON.parse(back.stdout)).toMatchObject({ routed_to: "aws", summary: { create: 1, failed: 0 } });
    const inVault = await vaultApi(
      stack.facts.vaultAddr,
      stack.facts.vaultToken,
      "GET",
      "secret/data/cli-aws/app/token",
    );
    expect((inVault.json.data as { data: unknown }).data).toMatchObject({
      value: "moving-secret-value",
      is_encrypted: true,
    });
    const wrong = await vaultops(["migrate", "copy", "--from", "vault", "--to", "gcp", ...served]);
    expect(wrong.code).toBe(2);
  });

  it("says what to do when it cannot reach the API or has no token", async () => {
    const down = await vaultops(["status", "--url", "http://127.0.0.1:1", "--token", "x"]);
    expect(down.code).toBe(4);
    expect(down.stderr).toMatch(/hint: is the API running/);
    const wrong = await vaultops(["status", "--token", "wrong"]);
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toMatch(/check the API token/);
    const usage = await vaultops(["config", "get"]);
    expect(usage.code).toBe(2);
  });
});
