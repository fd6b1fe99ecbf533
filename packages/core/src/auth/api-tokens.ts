import { timingSafeEqual } from "node:crypto";
import { type Clock, systemClock } from "../clock";
import { sha256Hex } from "../hash";

/** `admin` includes `read`. */
export type Scope = "read" | "admin";

export interface ApiPrincipal {
  name: string;
  scopes: Scope[];
}

/** How API tokens are stored: only their SHA-256, never the token. */
export interface ApiTokenRecord {
  name: string;
  sha256: string;
  scopes: Scope[];
}

export const hasScope = (principal: ApiPrincipal, required: Scope): boolean =>
  principal.scopes.includes("admin") || principal.scopes.includes(required);

export const tokenRecord = (name: string, token: string, scopes: Scope[]): ApiTokenRecord => ({
  name,
  sha256: sha256Hex(token),
  scopes,
});

/** Checks bearer tokens against the configured records (cached per container). */
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

  async verify(token: string): Promise<ApiPrincipal | undefined> {
    if (!token) return undefined;
    const digest = Buffer.from(sha256Hex(token), "hex");
    const match = (records: ApiTokenRecord[]) =>
      records.find((r) => {
        const candidate = Buffer.from(r.sha256, "hex");
        return candidate.length === digest.length && timingSafeEqual(candidate, digest);
      });
    let found = match(await this.records(false));
    // A token added since the cache was filled is found on one forced reload.
    if (!found) found = match(await this.records(true));
    return found ? { name: found.name, scopes: found.scopes } : undefined;
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
