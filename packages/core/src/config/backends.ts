import type { ConfigStore } from "./config-store";
import type { KvStore, OperationScope } from "./kv-store";
import { type BackendName, type RoutingRule, routeMatcher } from "./routing";

export { type DeadlineScope, deadlineScope } from "../operation-deadline";
export type { BackendName, RoutingRule } from "./routing";

/** A place configurations live, behind the KvStore port, with its own write path into the cache. */
export interface ConfigBackend {
  name: BackendName;
  /** What users call it in messages ("Vault", "Secrets Manager"). */
  label: string;
  kv: KvStore;
  store: ConfigStore;
  /** One deadline per operation (Vault's gateway; a plain deadline for Secrets Manager). */
  scope: OperationScope;
  /** A cheap call that proves the backend answers (the health job's check of a backend besides Vault). */
  check?(): Promise<void>;
}

/** Which backend serves a configuration, decided by its environment and service. */
export class BackendRouter {
  private readonly compiled: Array<RoutingRule & { test: (scope: string) => boolean }>;

  constructor(
    readonly rules: RoutingRule[],
    private readonly backends: Map<BackendName, ConfigBackend>,
  ) {
    for (const rule of rules)
      if (!backends.has(rule.backend))
        throw new Error(`CONFIG_BACKENDS routes to ${rule.backend}, which is not set up`);
    this.compiled = rules.map((rule) => ({ ...rule, test: routeMatcher(rule.pattern) }));
  }

  /** The backend of one `environment/service`. */
  for(scope: { environment: string; service_name: string }): ConfigBackend {
    const name = this.compiled.find((r) => r.test(`${scope.environment}/${scope.service_name}`))?.backend ?? "vault";
    return this.byName(name);
  }

  byName(name: BackendName): ConfigBackend {
    const backend = this.backends.get(name);
    if (!backend) throw new Error(`the ${name} backend is not set up (CONFIG_BACKENDS routes nothing to it)`);
    return backend;
  }

  has(name: BackendName): boolean {
    return this.backends.has(name);
  }

  all(): ConfigBackend[] {
    return [...this.backends.values()];
  }

  /** The backend whose cache entries start with this key's prefix. */
  ofCacheKey(key: string): ConfigBackend | undefined {
    return this.all().find((b) => key.startsWith(b.store.keyPrefix));
  }

  /** The routing as the status routes show it: every rule, then the implicit default. */
  describe(): RoutingRule[] {
    const rules = this.rules.map(({ pattern, backend }) => ({ pattern, backend }));
    return rules.some((r) => r.pattern === "*") ? rules : [...rules, { pattern: "*", backend: "vault" }];
  }
}

/**
 * A KvStore whose adapter (and SDK client) loads on first use: the Secrets Manager backend costs a
 * function nothing at init, and nothing at all when its scopes are never asked for.
 */
export function lazyKvStore(
  mount: string,
  load: () => Promise<KvStore & { check(): Promise<void> }>,
): KvStore & { check(): Promise<void> } {
  let loaded: Promise<KvStore & { check(): Promise<void> }> | undefined;
  const kv = () => {
    loaded ??= load();
    return loaded;
  };
  return {
    mount,
    read: async (path, version) => (await kv()).read(path, version),
    metadata: async (path) => (await kv()).metadata(path),
    current: async (path) => (await kv()).current(path),
    write: async (path, data, cas) => (await kv()).write(path, data, cas),
    list: async (folder) => (await kv()).list(folder),
    listEntries: async (folder) => (await kv()).listEntries(folder),
    deleteLatest: async (path) => (await kv()).deleteLatest(path),
    deleteVersions: async (path, versions) => (await kv()).deleteVersions(path, versions),
    destroyAll: async (path) => (await kv()).destroyAll(path),
    markSensitive: async (path, sensitive) => (await kv()).markSensitive(path, sensitive),
    check: async () => (await kv()).check(),
  };
}
