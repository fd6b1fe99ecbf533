import { timingSafeEqual } from "node:crypto";
import { globToRegExp } from "../audit/analysis";
import { type Clock, systemClock } from "../clock";
import { sha256Hex } from "../hash";

/**
 * What a token may do. `admin` is everything; `secrets:read` includes `config:read`; the legacy
 * `read` is `monitor` + `config:read` (existing token lists keep working, without secret values).
 */
export type Scope = "monitor" | "config:read" | "secrets:read" | "config:write" | "admin";
export const SCOPES: readonly Scope[] = ["monitor", "config:read", "secrets:read", "config:write", "admin"];
/** Accepted in token lists, expanded on load. */
export type LegacyScope = "read";

const IMPLIED: Record<Scope | LegacyScope, Scope[]> = {
  monitor: ["monitor"],
  "config:read": ["config:read"],
  "secrets:read": ["secrets:read", "config:read"],
  "config:write": ["config:write"],
  admin: [...SCOPES],
  read: ["monitor", "config:read"],
};

export interface ApiPrincipal {
  /** The token's name: what audit records and logs show, never the token. */
  name: string;
  /** Expanded: every scope the token has, implied ones included. */
  scopes: Scope[];
  /** Path patterns (`prod/payments/*`, `staging/**`); undefined: every path. */
  paths?: string[];
  /** Epoch milliseconds after which the token is refused. */
  expiresAt?: number;
}

/** How API tokens are stored: only their SHA-256, never the token. */
export interface ApiTokenRecord {
  name: string;
  sha256: string;
  scopes: Array<Scope | LegacyScope>;
  paths?: string[];
  /** ISO 8601. */
  expires_at?: string;
}

/** A scope name of the closed set (own keys only: `constructor` or `__proto__` are not scopes). */
export const isScopeName = (s: unknown): s is Scope | LegacyScope => typeof s === "string" && Object.hasOwn(IMPLIED, s);

export const expandScopes = (scopes: ReadonlyArray<string>): Scope[] => {
  const out = new Set<Scope>();
  for (const s of scopes) if (isScopeName(s)) for (const implied of IMPLIED[s]) out.add(implied);
  return SCOPES.filter((s) => out.has(s));
};

/** An ISO 8601 date or time (`2027-01-31`, `2027-01-31T12:00:00Z`): not a number, not a loose date. */
const ISO_TIME = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2}))?$/;

export const hasScope = (principal: Pick<ApiPrincipal, "scopes">, required: Scope): boolean =>
  principal.scopes.includes("admin") || principal.scopes.includes(required);

/** May this principal see `path` (`{environment}/{service_name}/{key}`)? Tokens without paths see all. */
export function pathAllowed(principal: Pick<ApiPrincipal, "paths">, path: string): boolean {
  if (!principal.paths) return true;
  return principal.paths.some((pattern) => globToRegExp(pattern).test(path));
}

/**
 * May this principal list `{environment}/{service_name}`: could any of its patterns match a key
 * there? (The list then holds only the keys it may see.)
 */
export function serviceAllowed(principal: Pick<ApiPrincipal, "paths">, environment: string, service: string): boolean {
  if (!principal.paths) return true;
  return principal.paths.some((pattern) => {
    const [first = "", second = ""] = pattern.split("/");
    if (first.includes("**")) return true;
    if (!globToRegExp(first).test(environment)) return false;
    return second.includes("**") || globToRegExp(second).test(service);
  });
}

export const tokenRecord = (
  name: string,
  token: string,
  scopes: ApiTokenRecord["scopes"],
  extra: Pick<ApiTokenRecord, "paths" | "expires_at"> = {},
): ApiTokenRecord => ({ name, sha256: sha256Hex(token), scopes, ...extra });

const PATTERN = /^[A-Za-z0-9_.*-]+(\/[A-Za-z0-9_.*-]+){0,2}$/;

/** A token list as stored (Secrets Manager, API_TOKENS_JSON): `{"tokens": [...]}` or the bare array. */
export function parseTokenList(raw: unknown, source: string): ApiTokenRecord[] {
  const list = Array.isArray(raw) ? raw : (raw as { tokens?: unknown } | null)?.tokens;
  if (!Array.isArray(list)) throw new Error(`${source}: expected {"tokens": [...]}`);
  return list.map((entry, i) => {
    const t = entry as Partial<ApiTokenRecord>;
    const where = `${source}: token ${i}${typeof t.name === "string" ? ` (${t.name})` : ""}`;
    if (typeof t.name !== "string" || !t.name) throw new Error(`${where}: name is required`);
    if (typeof t.sha256 !== "string" || !/^[0-9a-f]{64}$/.test(t.sha256))
      throw new Error(`${where}: sha256 must be 64 hex characters`);
    if (!Array.isArray(t.scopes) || t.scopes.length === 0 || !t.scopes.every(isScopeName))
      throw new Error(`${where}: scopes must be some of ${[...SCOPES, "read"].join(", ")}`);
    if (
      t.paths !== undefined &&
      (!Array.isArray(t.paths) || t.paths.some((p) => typeof p !== "string" || !PATTERN.test(p) || p.includes("..")))
    )
      throw new Error(`${where}: paths must be patterns such as "prod/payments/*" or "staging/**"`);
    if (
      t.expires_at !== undefined &&
      (typeof t.expires_at !== "string" || !ISO_TIME.test(t.expires_at) || Number.isNaN(Date.parse(t.expires_at)))
    )
      throw new Error(`${where}: expires_at must be an ISO 8601 time such as 2027-01-31T00:00:00Z`);
    return {
      name: t.name,
      sha256: t.sha256,
      scopes: t.scopes,
      ...(t.paths ? { paths: t.paths } : {}),
      ...(t.expires_at ? { expires_at: t.expires_at } : {}),
    };
  });
}

export type Verification =
  | { ok: true; principal: ApiPrincipal }
  | { ok: false; reason: "unknown" | "expired"; name?: string };

/** Checks bearer tokens against the configured records (cached per container, TOKEN_LIST_TTL_SECONDS). */
export class ApiTokenVerifier {
  private cached: { records: ApiTokenRecord[]; at: number } | undefined;
  private readonly clock: Clock;

  constructor(
    private readonly load: () => Promise<ApiTokenRecord[]>,
    private readonly ttlMs = 5 * 60_000,
    clock?: Clock,
  ) {
    this.clock = clock ?? systemClock;
  }

  async check(token: string): Promise<Verification> {
    if (!token) return { ok: false, reason: "unknown" };
    const digest = Buffer.from(sha256Hex(token), "hex");
    const match = (records: ApiTokenRecord[]) =>
      records.find((r) => {
        const candidate = Buffer.from(r.sha256, "hex");
        return candidate.length === digest.length && timingSafeEqual(candidate, digest);
      });
    let found = match(await this.records(false));
    // A token added since the cache was filled is found on one forced reload.
    if (!found) found = match(await this.records(true));
    if (!found) return { ok: false, reason: "unknown" };
    const expiresAt = found.expires_at ? Date.parse(found.expires_at) : undefined;
    if (expiresAt !== undefined && expiresAt <= this.clock.now())
      return { ok: false, reason: "expired", name: found.name };
    return {
      ok: true,
      principal: {
        name: found.name,
        scopes: expandScopes(found.scopes),
        ...(found.paths ? { paths: found.paths } : {}),
        ...(expiresAt !== undefined ? { expiresAt } : {}),
      },
    };
  }

  private async records(force: boolean): Promise<ApiTokenRecord[]> {
    const now = this.clock.now();
    if (this.cached && (!force ? now - this.cached.at < this.ttlMs : now - this.cached.at < 5_000)) {
      return this.cached.records;
    }
    const records = await this.load();
    this.cached = { records, at: now };
    return records;
  }
}

/** Parses `Authorization: Bearer <token>`; undefined when absent or of another scheme. */
export function bearerToken(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match?.[1];
}
