import { operationDeadline, withinOperation } from "../operation-deadline";
import type { ConfigStore } from "./config-store";
import type { KvStore, OperationScope } from "./kv-store";
import { type BackendName, type RoutingRule, routeMatcher } from "./routing";

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

/** An operation's deadline as the calls inside it see it: a signal that cuts them when it passes. */
export interface DeadlineScope extends OperationScope {
  /**
   * The signal of the current operation's deadline (of a fresh one outside any), firing `reserveMs`
   * early: a write keeps that time to find out whether a lost answer's write landed.
   */
  signal(reserveMs?: number): AbortSignal;
  /** Milliseconds left of the current operation. */
  timeLeft(): number;
}

/**
 * One deadline for an operation's Secrets Manager calls: each call carries the deadline's abort
 * signal, so at the deadline the call in flight is cut and the operation fails (503
 * backend_unavailable, or 504 outcome_unknown for a write that may have landed), instead of holding the
 * function to its timeout. Nothing is raced: work that is not a Secrets Manager call (the cache, the
 * audit record after a write that landed) finishes, so a change is never answered as failed once done.
 */
export function deadlineScope(deadlineMs: number, clock: { now(): number } = Date): DeadlineScope {
  const owner = {};
  const deadline = () => operationDeadline(owner) ?? clock.now() + deadlineMs;
  return {
    within<T>(fn: () => Promise<T>): Promise<T> {
      return withinOperation(owner, () => clock.now() + deadlineMs, fn);
    },
    signal(reserveMs = 0) {
      return AbortSignal.timeout(Math.max(0, deadline() - reserveMs - clock.now()));
    },
    timeLeft() {
      return deadline() - clock.now();
    },
  };
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
