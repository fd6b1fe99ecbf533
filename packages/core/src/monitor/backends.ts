import type { RoutingRule } from "../config/routing";
import { BackendPermissionError } from "../errors";
import { memoised } from "../memoised";
import type { VaultHealth } from "../vault/health";
import type { MonitorParts } from "./monitor-deps";

/** One backend's last health check. */
export interface BackendHealth {
  backend: string;
  status: "healthy" | "unavailable" | "denied";
  latency_ms: number;
  checked_at: string;
  error?: string;
}

/** Vault's state in the same shape as the other backends' (the status routes list them together). */
export interface VaultBackendState {
  backend: "vault";
  status: VaultHealth["status"];
  latency_ms: number;
  checked_at: string;
  error?: string;
}

/** The configuration backends besides Vault (Secrets Manager, when routed), and the routing between them. */
export class BackendMonitor {
  private readonly memo: (force?: boolean) => Promise<BackendHealth[]>;

  constructor(
    private readonly deps: Pick<MonitorParts, "backends" | "clock">,
    memoMs: number,
  ) {
    this.memo = memoised(deps.clock, memoMs, () => this.checkOthers());
  }

  /**
   * The backends besides Vault: one cheap call each (Secrets Manager: ListSecrets, one result),
   * memoised per container like Vault's health. Never throws: an unreachable backend is a state.
   */
  async others(force = false): Promise<BackendHealth[]> {
    if ((this.deps.backends?.others ?? []).length === 0) return [];
    return this.memo(force);
  }

  /** Every backend, Vault first, as the status routes show them. */
  async states(vault: VaultHealth, force = false): Promise<Array<VaultBackendState | BackendHealth>> {
    const others = await this.others(force);
    return [
      {
        backend: "vault",
        status: vault.status,
        latency_ms: vault.durationMs,
        checked_at: new Date(vault.checkedAt).toISOString(),
        ...(vault.error ? { error: vault.error } : {}),
      },
      ...others,
    ];
  }

  /** The routing as the status routes show it (BackendRouter.describe: every rule, then the default). */
  routing(): RoutingRule[] {
    return this.deps.backends?.routing ?? [{ pattern: "*", backend: "vault" }];
  }

  private checkOthers(): Promise<BackendHealth[]> {
    const others = this.deps.backends?.others ?? [];
    const clock = this.deps.clock;
    return Promise.all(
      others.map(async (b): Promise<BackendHealth> => {
        const started = clock.now();
        const checkedAt = new Date(started).toISOString();
        try {
          await b.check();
          return { backend: b.name, status: "healthy", latency_ms: clock.now() - started, checked_at: checkedAt };
        } catch (error) {
          const denied = error instanceof BackendPermissionError;
          return {
            backend: b.name,
            status: denied ? "denied" : "unavailable",
            latency_ms: clock.now() - started,
            checked_at: checkedAt,
            error: denied ? `${b.label} refused the plane's credentials` : `${b.label} is not available`,
          };
        }
      }),
    );
  }
}
