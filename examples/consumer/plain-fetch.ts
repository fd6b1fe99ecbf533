/**
 * The same function as ./handler.ts written with plain `fetch` and no library: the bench's baseline for
 * the cold start `@vaultops/client` and Powertools add. It keeps values for VAULTOPS_MAX_AGE seconds
 * (default 30) and then reads them again in full (no revalidation).
 */
import { createHash } from "node:crypto";

const required = (name: string): string => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
};

const baseUrl = required("VAULTOPS_URL").replace(/\/+$/, "");
const token = required("VAULTOPS_TOKEN");
const environment = required("VAULTOPS_ENVIRONMENT");
const service = required("VAULTOPS_SERVICE");
const maxAgeMs = Number(process.env.VAULTOPS_MAX_AGE ?? 30) * 1000;
const keys = {
  databaseUrl: process.env.DATABASE_URL_KEY ?? "database_url",
  apiKey: process.env.API_KEY_KEY ?? "api_key",
};
const memory = new Map<string, { value: string; at: number }>();

async function read(key: string): Promise<string> {
  const kept = memory.get(key);
  if (kept && Date.now() - kept.at < maxAgeMs) return kept.value;
  const url = `${baseUrl}/api/v1/config/${encodeURIComponent(key)}?${new URLSearchParams({ environment, service_name: service })}`;
  const res = await fetch(url, { headers: { authorization: `Bearer ${token}`, accept: "application/json" } });
  const body = (await res.json().catch(() => ({}))) as { value?: unknown; error?: string; code?: string };
  if (!res.ok) throw new Error(`vaultops answered ${res.status} for "${key}": ${body.code ?? ""} ${body.error ?? ""}`);
  if (typeof body.value !== "string") throw new Error(`${key}: no value`);
  memory.set(key, { value: body.value, at: Date.now() });
  return body.value;
}

export async function handler(): Promise<{ databaseUrl: string; apiKey: { length: number; sha256Prefix: string } }> {
  const [databaseUrl, apiKey] = await Promise.all([read(keys.databaseUrl), read(keys.apiKey)]);
  return {
    databaseUrl,
    apiKey: { length: apiKey.length, sha256Prefix: createHash("sha256").update(apiKey).digest("hex").slice(0, 16) },
  };
}
