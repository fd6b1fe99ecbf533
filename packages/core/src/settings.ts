import { z } from "zod";

const bool = z
  .enum(["true", "false", "1", "0"])
  .transform((v) => v === "true" || v === "1")
  .optional();
const positiveInt = (fallback: number) => z.coerce.number().int().positive().default(fallback);
const optionalString = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === "" ? undefined : v.trim()));

/**
 * Every setting vaultops reads from its environment, parsed once at cold start.
 * Infra (sst.config.ts) and the local runtime set the same variables.
 */
const settingsSchema = z.object({
  STAGE: z.string().default("dev"),
  VAULTOPS_VERSION: z.string().default("0.1.0"),
  VAULT_ADDR: z.url({ message: "VAULT_ADDR must be a URL such as https://vault.example.com:8200" }),
  VAULT_NAMESPACE: optionalString,
  VAULT_MOUNT_POINT: z
    .string()
    .regex(/^[A-Za-z0-9_-]+$/)
    .default("secret"),
  VAULT_AUTH_METHOD: z.enum(["token", "approle", "aws"]).default("token"),
  /** Secrets Manager secret (name or ARN) holding {"token"} or {"role_id","secret_id"}. */
  VAULT_CREDENTIALS_SECRET: optionalString,
  VAULT_TOKEN: optionalString,
  VAULT_ROLE_ID: optionalString,
  VAULT_SECRET_ID: optionalString,
  VAULT_APPROLE_MOUNT: z.string().default("approle"),
  VAULT_AWS_MOUNT: z.string().default("aws"),
  VAULT_AWS_ROLE: optionalString,
  VAULT_AWS_HEADER_VALUE: optionalString,
  VAULT_REQUEST_TIMEOUT_MS: positiveInt(3_000),
  /** Overall budget of one Vault operation including retries; keep it below the Lambda timeout. */
  VAULT_DEADLINE_MS: positiveInt(8_000),
  /** Budget of the login at cold start, well inside Lambda's 10 s init limit. */
  VAULT_LOGIN_DEADLINE_MS: positiveInt(4_000),
  TOKEN_RENEW_THRESHOLD_SECONDS: positiveInt(3_600),
  HEALTH_MEMO_MS: z.coerce.number().int().min(0).max(10_000).default(2_000),
  TABLE_NAME: z.string().min(3).default("vaultops-state"),
  DYNAMODB_ENDPOINT: optionalString,
  AWS_REGION: z.string().default("us-east-1"),
  /** One endpoint for the other AWS services (moto locally). */
  AWS_ENDPOINT_URL: optionalString,
  CACHE_TTL_SECONDS: positiveInt(900),
  CACHE_GENERATION_CHECK_MS: z.coerce.number().int().min(0).default(2_000),
  COUNTER_SHARDS: positiveInt(16),
  COUNTER_FLUSH_MS: z.coerce.number().int().min(0).default(10_000),
  METRICS_NAMESPACE: z.string().default("Vaultops"),
  CLOUDWATCH_ENABLED: bool,
  API_TOKENS_SECRET: optionalString,
  API_TOKEN: optionalString,
  API_READ_TOKEN: optionalString,
  LOG_LEVEL: z.enum(["debug", "info", "warn", "error"]).default("info"),
});

export type Settings = z.infer<typeof settingsSchema>;

export class SettingsError extends Error {}

/** Parses the environment once; the error names every missing or bad variable. */
export function loadSettings(env: Record<string, string | undefined> = process.env): Settings {
  const parsed = settingsSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`);
    throw new SettingsError(`Invalid vaultops environment: ${problems.join("; ")}`);
  }
  const settings = parsed.data;
  if (settings.STAGE === "production" && !settings.VAULT_CREDENTIALS_SECRET && settings.VAULT_AUTH_METHOD !== "aws") {
    throw new SettingsError(
      "Invalid vaultops environment: VAULT_CREDENTIALS_SECRET is required in production (Vault credentials are never read from plain environment variables there)",
    );
  }
  return settings;
}
