/** The configuration backends: Vault KV v2 and AWS Secrets Manager. */
export type BackendName = "vault" | "aws";
export const BACKENDS: readonly BackendName[] = ["vault", "aws"];

/** The defaults of CONFIG_BACKENDS and AWS_SECRETS_PREFIX, for the settings, infra and the local runtime. */
export const DEFAULT_CONFIG_BACKENDS = "*=vault";
export const DEFAULT_SECRETS_PREFIX = "vaultops";

/** An `environment/service` pattern (`*` within a segment) and the backend that serves it. */
export interface RoutingRule {
  pattern: string;
  backend: BackendName;
}

const SEGMENT = "[A-Za-z0-9_.*-]+";

/**
 * `CONFIG_BACKENDS="prod/payments=aws,staging/*=aws,*=vault"`: the first rule whose pattern matches
 * `{environment}/{service_name}` decides; `*` alone matches everything; without a match, Vault.
 * A bad rule is an error at cold start that names it.
 */
export function parseRouting(text: string): RoutingRule[] {
  const rules: RoutingRule[] = [];
  for (const part of text
    .split(",")
    .map((p) => p.trim())
    .filter(Boolean)) {
    const pieces = part.split("=").map((s) => s.trim());
    const [pattern = "", backend = ""] = pieces;
    if (pieces.length !== 2 || !BACKENDS.includes(backend as BackendName))
      throw new Error(`CONFIG_BACKENDS: "${part}": write pattern=backend, the backend one of ${BACKENDS.join(", ")}`);
    if (pattern !== "*" && !new RegExp(`^${SEGMENT}/${SEGMENT}$`).test(pattern))
      throw new Error(`CONFIG_BACKENDS: "${part}": the pattern is environment/service (* within a segment) or *`);
    rules.push({ pattern, backend: backend as BackendName });
  }
  return rules;
}

/** A pattern as a test of `environment/service`. */
export function routeMatcher(pattern: string): (scope: string) => boolean {
  if (pattern === "*") return () => true;
  const source = pattern
    .split("*")
    .map((s) => s.replace(/[.+?^${}()|[\]\\]/g, "\\$&"))
    .join("[^/]*");
  const re = new RegExp(`^${source}$`);
  return (scope) => re.test(scope);
}

/** The backend of one scope under these rules (Vault when none matches). */
export function routeOf(rules: RoutingRule[], environment: string, service: string): BackendName {
  const scope = `${environment}/${service}`;
  return rules.find((r) => routeMatcher(r.pattern)(scope))?.backend ?? "vault";
}

/** The backends a routing uses (Vault always: the plane's own state and tokens live there). */
export function routedBackends(rules: RoutingRule[]): BackendName[] {
  return BACKENDS.filter((b) => b === "vault" || rules.some((r) => r.backend === b));
}
