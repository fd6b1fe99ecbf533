import * as z from "zod/mini";
import { parseTokenList } from "./auth/api-tokens";
import { DEFAULT_CONFIG_BACKENDS, DEFAULT_SECRETS_PREFIX, parseRouting } from "./config/routing";
import { SettingsError } from "./errors";
import { METRICS_NAMESPACE_ROOT } from "./monitor/metric-names";
import { DEFAULT_VAULT_AUTH_METHOD, vaultAuthMethods } from "./vault/auth-method";

// zod/mini keeps this out of every handler's cold start: ~20 KB where full zod is ~440 KB.
const boolText = z.pipe(
  z.enum(["true", "false", "1", "0"]),
  z.transform((v) => v === "true" || v === "1"),
);
/** A switch: `true`/`1` or `false`/`0`, `fallback` when unset. */
const flag = (fallback: boolean) => z._default(boolText, fallback);
const integer = (fallback: number, min: number, max = Number.MAX_SAFE_INTEGER) =>
  z._default(
    z.coerce
      .number()
      .check(z.refine((n) => Number.isInteger(n) && n >= min && n <= max, `must be an integer from ${min} to ${max}`)),
    fallback,
  );
const text = (fallback: string) => z._default(z.string().check(z.minLength(1)), fallback);
const optionalString = z.optional(
  z.pipe(
    z.string(),
    z.transform((v) => (v.trim() === "" ? undefined : v.trim())),
  ),
);

/**
 * Every setting vaultops reads from its environment, parsed once at cold start.
 * Infra (sst.config.ts) and the local runtime set the same variables.
 */
const settingsSchema = z.object({
  STAGE: text("dev"),
  VAULTOPS_VERSION: text("0.1.0"),
  VAULT_ADDR: z.url({ error: "VAULT_ADDR must be a URL such as https://vault.example.com:8200" }),
  VAULT_NAMESPACE: optionalString,
  VAULT_MOUNT_POINT: z._default(z.string().check(z.regex(/^[A-Za-z0-9_-]+$/)), "secret"),
  VAULT_AUTH_METHOD: z._default(z.enum(vaultAuthMethods), DEFAULT_VAULT_AUTH_METHOD),
  /** Secrets Manager secret (name or ARN) holding {"token"} or {"role_id","secret_id"}. */
  VAULT_CREDENTIALS_SECRET: optionalString,
  VAULT_TOKEN: optionalString,
  VAULT_ROLE_ID: optionalString,
  VAULT_SECRET_ID: optionalString,
  VAULT_APPROLE_MOUNT: text("approle"),
  /** The AppRole role whose secret_id the credential rotation renews (else the secret's role_name). */
  VAULT_APPROLE_ROLE: optionalString,
  VAULT_AWS_MOUNT: text("aws"),
  VAULT_AWS_ROLE: optionalString,
  VAULT_AWS_HEADER_VALUE: optionalString,
  VAULT_REQUEST_TIMEOUT_MS: integer(3_000, 1),
  /** Overall budget of one Vault operation including retries; keep it below the Lambda timeout. */
  VAULT_DEADLINE_MS: integer(8_000, 1),
  /** Budget of the login at cold start, well inside Lambda's 10 s init limit. */
  VAULT_LOGIN_DEADLINE_MS: integer(4_000, 1),
  TOKEN_RENEW_THRESHOLD_SECONDS: integer(3_600, 1),
  HEALTH_MEMO_MS: integer(2_000, 0, 10_000),
  TABLE_NAME: z._default(z.string().check(z.minLength(3)), "vaultops-state"),
  DYNAMODB_ENDPOINT: optionalString,
  /** One DynamoDB attempt: to connect, and for the answer to go quiet. */
  DYNAMODB_TIMEOUT_MS: integer(1_000, 1),
  /** One DynamoDB call with its retries: past it the request is a 503, not a wait for the function's timeout. */
  DYNAMODB_DEADLINE_MS: integer(2_000, 1),
  /** One attempt on the other AWS services (Secrets Manager, S3, KMS, CloudWatch, EventBridge). */
  AWS_TIMEOUT_MS: integer(3_000, 1),
  AWS_REGION: text("us-east-1"),
  /** One endpoint for the other AWS services (moto locally). */
  AWS_ENDPOINT_URL: optionalString,
  CACHE_TTL_SECONDS: integer(900, 1),
  /** How long another warm container may serve a value after a write elsewhere. */
  CACHE_MEMORY_TTL_SECONDS: integer(5, 0),
  CACHE_GENERATION_CHECK_MS: integer(1_000, 0),
  /** Largest config value accepted (413 above). */
  CONFIG_VALUE_MAX_BYTES: integer(32_768, 1, 262_144),
  EVENT_BUS_NAME: text("default"),
  EVENTS_ENABLED: flag(true),
  AUDIT_RETENTION_DAYS: integer(90, 1),
  /** Audit every config read (one DynamoDB write per read); changes are always audited. */
  AUDIT_READS: flag(true),
  /**
   * Token names whose creations are planned (the deploy pipeline's, the migration's), comma-separated;
   * a configuration created by any other token counts as UnplannedKeyCreation. `*`: every token.
   */
  PLANNED_CREATORS: z._default(z.string(), ""),
  /**
   * Which backend serves each `environment/service`: `prod/payments=aws,staging/*=aws,*=vault`
   * (first match wins; without a match, Vault). Checked at cold start.
   */
  CONFIG_BACKENDS: z._default(z.string(), DEFAULT_CONFIG_BACKENDS),
  /** Secrets Manager names are `{AWS_SECRETS_PREFIX}/{environment}/{service}/{key}`. */
  AWS_SECRETS_PREFIX: z._default(
    z.string().check(z.regex(/^[A-Za-z0-9_.+=@-]+(\/[A-Za-z0-9_.+=@-]+)*$/)),
    DEFAULT_SECRETS_PREFIX,
  ),
  /** Days a deleted Secrets Manager configuration can be restored (7 to 30; AWS's own bounds). */
  AWS_SECRETS_RECOVERY_DAYS: integer(7, 7, 30),
  /** Snapshots go to this S3 bucket when set, else to SNAPSHOT_DIR. */
  SNAPSHOT_BUCKET: optionalString,
  SNAPSHOT_DIR: text(".vaultops/snapshots"),
  /** Data keys are wrapped by this KMS key when set, else by the key in SNAPSHOT_KEY_FILE (created on first use). */
  SNAPSHOT_KMS_KEY_ID: optionalString,
  SNAPSHOT_KEY_FILE: text(".vaultops/snapshot.key"),
  SNAPSHOT_RETENTION_DAYS: integer(30, 1),
  /**
   * The load the stage is sized for: audited config reads a second at peak, and warm containers at
   * peak. They decide how the audit trail, the counters and the cache's sync item are spread
   * (aws/capacity.ts); raise them before the load comes. Lowering them never hides what was written.
   */
  CAPACITY_READS_PER_SECOND: integer(1_000, 1, 1_000_000),
  CAPACITY_CONTAINERS: integer(100, 1, 100_000),
  COUNTER_FLUSH_MS: integer(10_000, 0),
  METRICS_NAMESPACE: text(METRICS_NAMESPACE_ROOT),
  CLOUDWATCH_ENABLED: flag(true),
  /** Secret-access figures as CloudWatch Embedded Metric Format log lines (one per invocation and scope). */
  EMF_ENABLED: flag(true),
  API_TOKENS_SECRET: optionalString,
  /** How long a container uses the token list before reading it again (a removed token's last minute). */
  TOKEN_LIST_TTL_SECONDS: integer(60, 0, 3_600),
  /** The same JSON as the secret, from the environment (dev and tests); refused in production. */
  API_TOKENS_JSON: optionalString,
  API_TOKEN: optionalString,
  API_READ_TOKEN: optionalString,
  LOG_LEVEL: z._default(z.enum(["debug", "info", "warn", "error"]), "info"),
});

export type Settings = z.infer<typeof settingsSchema>;

/** Parses the environment once; the error names every missing or bad variable. */
export function loadSettings(env: Record<string, string | undefined> = process.env): Settings {
  const parsed = settingsSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`);
    throw new SettingsError(`Invalid vaultops environment: ${problems.join("; ")}`);
  }
  const settings = parsed.data;
  if (settings.STAGE === "production" && (settings.API_TOKENS_JSON || settings.API_TOKEN || settings.API_READ_TOKEN)) {
    throw new SettingsError(
      "Invalid vaultops environment: API_TOKENS_JSON, API_TOKEN and API_READ_TOKEN are refused in production (API tokens live in the API_TOKENS_SECRET secret, as hashes)",
    );
  }
  try {
    parseRouting(settings.CONFIG_BACKENDS);
  } catch (error) {
    throw new SettingsError(`Invalid vaultops environment: ${(error as Error).message}`);
  }
  if (settings.API_TOKENS_JSON) {
    try {
      parseTokenList(JSON.parse(settings.API_TOKENS_JSON), "API_TOKENS_JSON");
    } catch (error) {
      throw new SettingsError(`Invalid vaultops environment: ${(error as Error).message}`);
    }
  }
  if (settings.STAGE === "production" && !settings.VAULT_CREDENTIALS_SECRET && settings.VAULT_AUTH_METHOD !== "aws") {
    throw new SettingsError(
      "Invalid vaultops environment: VAULT_CREDENTIALS_SECRET is required in production (Vault credentials are never read from plain environment variables there)",
    );
  }
  return settings;
}
