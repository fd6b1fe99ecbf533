import type { Actor } from "../audit/audit-log";
import { VaultopsError } from "../errors";
import type { TokenInfo } from "../vault/gateway";
import type { MonitorOptions, MonitorParts } from "./monitor-deps";
import type { TokenRenewBody } from "./responses";

/** The plane's own Vault token: its TTL (one lookup-self per memo period), its renewal, the warning. */
export class TokenMonitor {
  private memo: { value: TokenInfo; at: number } | undefined;

  constructor(
    private readonly deps: Pick<MonitorParts, "gateway" | "audit" | "logger" | "clock">,
    private readonly options: Pick<MonitorOptions, "tokenMemoMs" | "tokenWarningSeconds">,
  ) {}

  /** TTL and renewability; from a memoised lookup-self, or the known session when Vault is down. */
  async info(force = false): Promise<TokenInfo | undefined> {
    const now = this.deps.clock.now();
    if (!force && this.memo && now - this.memo.at < (this.options.tokenMemoMs ?? 30_000)) {
      const elapsed = Math.floor((now - this.memo.at) / 1000);
      const ttl = this.memo.value.ttlSeconds;
      return { ...this.memo.value, ttlSeconds: ttl === 0 ? 0 : Math.max(0, ttl - elapsed) };
    }
    try {
      const info = await this.deps.gateway.lookupSelf();
      this.memo = { value: info, at: now };
      return info;
    } catch (error) {
      this.deps.logger.warn("token lookup failed", { error: (error as Error).message });
      const session = this.deps.gateway.currentSession;
      if (!session) return undefined;
      return {
        ttlSeconds: session.expiresAt === undefined ? 0 : Math.max(0, Math.floor((session.expiresAt - now) / 1000)),
        renewable: session.renewable,
      };
    }
  }

  /** A warning when the token expires within the threshold (none for a token without expiry). */
  warning(token: TokenInfo | undefined): string | undefined {
    if (!token || token.ttlSeconds === 0) return undefined;
    const threshold = this.options.tokenWarningSeconds ?? 3_600;
    return token.ttlSeconds < threshold
      ? `Vault token expires in ${token.ttlSeconds}s (under ${threshold}s)${token.renewable ? "" : " and is not renewable"}`
      : undefined;
  }

  /** Renews the token, audited; the renewal's answer is the new TTL (no lookup after it). */
  async renew(actor: Actor): Promise<TokenInfo> {
    let info: TokenInfo;
    try {
      info = await this.deps.gateway.renewSelf();
    } catch (error) {
      await this.deps.audit.record(
        {
          operation: "token_renew",
          path: "auth/token/renew-self",
          success: false,
          error: error instanceof VaultopsError ? error.code : "error",
        },
        actor,
      );
      throw error;
    }
    await this.deps.audit.record({ operation: "token_renew", path: "auth/token/renew-self", success: true }, actor);
    this.memo = { value: info, at: this.deps.clock.now() };
    this.deps.logger.info("token renewed", { ttl_seconds: info.ttlSeconds });
    return info;
  }

  /** POST /api/v1/vault/token/renew. */
  async renewBody(actor: Actor): Promise<TokenRenewBody> {
    const info = await this.renew(actor);
    return {
      message: "Token renewed successfully",
      token_info: { ttl_seconds: info.ttlSeconds, renewable: info.renewable },
      timestamp: Math.floor(this.deps.clock.now() / 1000),
    };
  }
}
