import type { AwsClients } from "../aws/clients";
import type { TwoTierCache } from "../cache/two-tier-cache";
import type { Clock } from "../clock";
import { type BackendName, BackendRouter, type ConfigBackend, deadlineScope, lazyKvStore } from "../config/backends";
import { CACHE_KEY_PREFIXES, ConfigStore } from "../config/config-store";
import type { KvStore } from "../config/kv-store";
import { parseRouting, routedBackends } from "../config/routing";
import type { Logger } from "../logger";
import type { MetricsRecorder } from "../monitor/counters";
import type { Settings } from "../settings";
import type { VaultGateway } from "../vault/gateway";

/**
 * The configuration backends CONFIG_BACKENDS routes to: Vault always; Secrets Manager only when a
 * scope is routed to it (then its adapter and client load on first use).
 */
export function configBackends(
  settings: Settings,
  deps: {
    kv: KvStore;
    gateway: VaultGateway;
    cache: TwoTierCache;
    clients: AwsClients;
    recorder: MetricsRecorder;
    logger: Logger;
    clock: Clock;
  },
): BackendRouter {
  const { kv, gateway, cache, clients, recorder, logger, clock } = deps;
  const routing = parseRouting(settings.CONFIG_BACKENDS);
  const backends = new Map<BackendName, ConfigBackend>([
    [
      "vault",
      {
        name: "vault",
        label: "Vault",
        kv,
        store: new ConfigStore({ kv, cache, logger, keyPrefix: CACHE_KEY_PREFIXES.vault }),
        scope: gateway,
      },
    ],
  ]);
  if (routedBackends(routing).includes("aws")) {
    const scope = deadlineScope(settings.VAULT_DEADLINE_MS, clock);
    const smKv = lazyKvStore(settings.AWS_SECRETS_PREFIX, async () => {
      const { SecretsManagerKv } = await import("../aws/secrets-manager-kv");
      return new SecretsManagerKv({
        clients,
        prefix: settings.AWS_SECRETS_PREFIX,
        recoveryWindowDays: settings.AWS_SECRETS_RECOVERY_DAYS,
        recorder,
        clock,
        deadline: scope,
      });
    });
    backends.set("aws", {
      name: "aws",
      label: "Secrets Manager",
      kv: smKv,
      store: new ConfigStore({ kv: smKv, cache, logger, keyPrefix: CACHE_KEY_PREFIXES.aws }),
      scope,
      check: () => smKv.check(),
    });
  }
  return new BackendRouter(routing, backends);
}
