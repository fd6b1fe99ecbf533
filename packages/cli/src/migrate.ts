import { shortHash } from "@vaultops/core";
import type { ApiClient } from "./client";
import type { DotenvEntry } from "./dotenv";
import { classify } from "./sensitivity";

/** Keys the config service accepts (see packages/core/src/config/validation.ts). */
const KEY = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/;

export interface PlanItem {
  key: string;
  line: number;
  sensitive: boolean;
  reason: string;
  action: "create" | "unchanged" | "conflict" | "update" | "invalid";
  current_version?: number;
  /** 8-byte SHA-256 prefix of the value: how a sensitive value is shown. */
  value_hash: string;
  outcome?: "created" | "updated" | "unchanged" | "conflict" | "failed" | "invalid";
  error?: string;
}

export const shown = (value: string, sensitive: boolean) =>
  sensitive ? `<sensitive sha256:${shortHash(value)}>` : value;

interface ConfigBody {
  value: string;
  version: number;
  is_encrypted: boolean;
}

async function current(client: ApiClient, key: string, scope: { environment: string; service_name: string }) {
  const res = await client.call<ConfigBody>("configGet", {
    params: { key },
    query: scope,
    allow: [404],
  });
  return res.status === 404 ? undefined : res.body;
}

/** What `migrate apply` would do for each entry of the file. */
export async function planMigration(
  client: ApiClient,
  entries: DotenvEntry[],
  scope: { environment: string; service_name: string },
  options: { overwrite: boolean; onEntry?: () => void },
): Promise<PlanItem[]> {
  const plan: PlanItem[] = [];
  for (const entry of entries) {
    const { sensitive, reason } = classify(entry.key, entry.value);
    const item: PlanItem = {
      key: entry.key,
      line: entry.line,
      sensitive,
      reason,
      action: "create",
      value_hash: shortHash(entry.value),
    };
    if (!KEY.test(entry.key)) {
      item.action = "invalid";
      item.error = "not a valid config key";
    } else {
      const existing = await current(client, entry.key, scope);
      if (existing) {
        item.current_version = existing.version;
        item.action = existing.value === entry.value ? "unchanged" : options.overwrite ? "update" : "conflict";
        // A sensitive config stays sensitive whatever the file's name or value suggests.
        if (existing.is_encrypted && !item.sensitive) {
          item.sensitive = true;
          item.reason = "already sensitive";
        }
      }
    }
    plan.push(item);
    options.onEntry?.();
  }
  return plan;
}

/** Writes the plan with check-and-set: a create never replaces, an update names the version it replaces. */
export async function applyMigration(
  client: ApiClient,
  entries: DotenvEntry[],
  plan: PlanItem[],
  scope: { environment: string; service_name: string },
  onEntry?: () => void,
): Promise<PlanItem[]> {
  const values = new Map(entries.map((e) => [e.key, e.value]));
  for (const item of plan) {
    const value = values.get(item.key) as string;
    try {
      if (item.action === "create") {
        const res = await client.call("configCreate", {
          body: { key: item.key, value, ...scope, is_encrypted: item.sensitive },
          allow: [409],
        });
        item.outcome = res.status === 409 ? "conflict" : "created";
      } else if (item.action === "update") {
        const res = await client.call("configUpdate", {
          params: { key: item.key },
          query: scope,
          body: { value, is_encrypted: item.sensitive },
          headers: { "if-match": `"${item.current_version}"` },
          allow: [409],
        });
        item.outcome = res.status === 409 ? "conflict" : "updated";
      } else {
        item.outcome = item.action === "unchanged" ? "unchanged" : item.action === "invalid" ? "invalid" : "conflict";
      }
    } catch (error) {
      item.outcome = "failed";
      item.error = (error as Error).message;
    }
    onEntry?.();
  }
  return plan;
}

export async function validateMigration(
  client: ApiClient,
  entries: DotenvEntry[],
  scope: { environment: string; service_name: string },
): Promise<Array<{ key: string; line: number; status: "ok" | "differs" | "missing" | "invalid" }>> {
  const out = [];
  for (const entry of entries) {
    if (!KEY.test(entry.key)) {
      out.push({ key: entry.key, line: entry.line, status: "invalid" as const });
      continue;
    }
    const existing = await current(client, entry.key, scope);
    out.push({
      key: entry.key,
      line: entry.line,
      status: !existing
        ? ("missing" as const)
        : existing.value === entry.value
          ? ("ok" as const)
          : ("differs" as const),
    });
  }
  return out;
}
