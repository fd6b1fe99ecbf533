import { DynamoAuditLog } from "./audit/audit-log";
import { type CapacityPlan, capacityPlan } from "./aws/capacity";
import { AwsClients } from "./aws/clients";
import { CloudWatchMetricsSink, type MetricsSink, noMetricsSink } from "./aws/cloudwatch";
import { EventBridgePublisher, type EventPublisher, noEventPublisher } from "./aws/eventbridge";
import { ShardLayout } from "./aws/shard-layout";
import { StateTable } from "./aws/state-table";
import { DynamoCacheStore } from "./cache/store";
import { TwoTierCache } from "./cache/two-tier-cache";
import { type Clock, systemClock } from "./clock";
import { ConfigActivity } from "./config/activity";
import type { ConfigBackend } from "./config/backends";
import { DynamoClaimStore } from "./config/claims";
import { ConfigService } from "./config/config-service";
import { backendOfCacheKey } from "./config/config-store";
import type { KvStore } from "./config/kv-store";
import { IncidentService } from "./incident/incident-service";
import { DynamoIncidentStore } from "./incident/incident-store";
import { createLogger, type Logger } from "./logger";
import { lazily } from "./memoised";
import { AccessMetrics } from "./monitor/access-metrics";
import { DynamoCounterStore, MetricsRecorder } from "./monitor/counters";
import { DynamoHealthStateStore, DynamoJobRunStore } from "./monitor/health-state";
import { MonitorService } from "./monitor/monitor-service";
import { DynamoTelemetryStore } from "./monitor/vault-telemetry";
import { RotationService } from "./rotation/rotation-service";
import { DynamoRotationStore } from "./rotation/rotation-store";
import type { Settings } from "./settings";
import { kmsKeyProvider, localKeyProvider } from "./snapshot/envelope";
import { DynamoSnapshotRecords } from "./snapshot/snapshot-records";
import { SnapshotService } from "./snapshot/snapshot-service";
import { localStorage, s3Storage } from "./snapshot/storage";
import { VaultGateway } from "./vault/gateway";
import { KvV2Client } from "./vault/kv2";
import { type VaultTransport, vaultTransportFor } from "./vault/transport";
import { apiTokenVerifier } from "./wiring/api-tokens";
import { configBackends } from "./wiring/config-backends";
import { vaultAuthenticator } from "./wiring/vault";

export interface ContextOverrides {
  clock?: Clock;
  logger?: Logger;
  transport?: VaultTransport;
  metricsSink?: MetricsSink;
  events?: EventPublisher;
  /** Where EMF lines go (stdout by default). */
  emf?: (line: string) => void;
  /** The state table, when not the one the settings name (the capacity model's table in memory). */
  table?: StateTable;
  /** Vault's KV v2, when not read through the gateway (the capacity model's store in memory). */
  vaultKv?: KvStore;
  /** The shard layout, when not the one the capacity settings derive (the capacity model's comparisons). */
  plan?: CapacityPlan;
}

/**
 * The object graph of one container, built once at cold start. Construction does no I/O:
 * clients, node-vault and secrets load on first use.
 */
export function createContext(settings: Settings, overrides: ContextOverrides = {}) {
  const clock = overrides.clock ?? systemClock;
  const logger = overrides.logger ?? createLogger({ service: "vaultops", stage: settings.STAGE }, settings.LOG_LEVEL);
  const clients = new AwsClients(
    { region: settings.AWS_REGION, dynamodb: settings.DYNAMODB_ENDPOINT, other: settings.AWS_ENDPOINT_URL },
    {
      table: settings.TABLE_NAME,
      apiTokensSecret: settings.API_TOKENS_SECRET,
      vaultCredentialsSecret: settings.VAULT_CREDENTIALS_SECRET,
      configSecretsPrefix: settings.AWS_SECRETS_PREFIX,
      snapshotBucket: settings.SNAPSHOT_BUCKET,
      snapshotKey: settings.SNAPSHOT_KMS_KEY_ID,
      eventBus: settings.EVENT_BUS_NAME,
      metricsNamespace: settings.METRICS_NAMESPACE,
    },
    { dynamodbMs: settings.DYNAMODB_TIMEOUT_MS, otherMs: settings.AWS_TIMEOUT_MS },
  );
  const table = overrides.table ?? new StateTable(clients, settings.TABLE_NAME, settings.DYNAMODB_DEADLINE_MS);
  const layout = new ShardLayout(
    table,
    overrides.plan ??
      capacityPlan({
        readsPerSecond: settings.CAPACITY_READS_PER_SECOND,
        containers: settings.CAPACITY_CONTAINERS,
        generationCheckMs: settings.CACHE_GENERATION_CHECK_MS,
        counterFlushMs: settings.COUNTER_FLUSH_MS,
      }),
    clock,
  );
  const counters = new DynamoCounterStore(table, layout);
  const recorder = new MetricsRecorder(counters, { flushIntervalMs: settings.COUNTER_FLUSH_MS, clock });

  const transport = overrides.transport ?? vaultTransportFor(settings);
  const accessMetrics = new AccessMetrics(settings.METRICS_NAMESPACE, settings.EMF_ENABLED ? overrides.emf : () => {});
  const gateway = new VaultGateway({
    transport,
    authenticator: vaultAuthenticator(settings, clients, clock),
    recorder,
    logger,
    clock,
    retry: { deadlineMs: settings.VAULT_DEADLINE_MS },
    loginDeadlineMs: settings.VAULT_LOGIN_DEADLINE_MS,
    // Vault refusing the plane's credentials is a failed authentication, as an API 401 is.
    onLoginRefused: () => {
      accessMetrics.authFailure();
      recorder.authFailure("vault");
    },
  });

  const cache = new TwoTierCache(new DynamoCacheStore(table, layout.plan), {
    ttlMs: settings.CACHE_TTL_SECONDS * 1000,
    memoryTtlMs: settings.CACHE_MEMORY_TTL_SECONDS * 1000,
    generationCheckMs: settings.CACHE_GENERATION_CHECK_MS,
    clock,
    recorder,
    backendOf: backendOfCacheKey,
  });

  const metricsSink =
    overrides.metricsSink ??
    (settings.CLOUDWATCH_ENABLED ? new CloudWatchMetricsSink(clients, settings.METRICS_NAMESPACE) : noMetricsSink);

  const jobRuns = new DynamoJobRunStore(table);
  const audit = new DynamoAuditLog(table, settings.AUDIT_RETENTION_DAYS, layout, clock);

  const events =
    overrides.events ??
    (settings.EVENTS_ENABLED ? new EventBridgePublisher(clients, settings.EVENT_BUS_NAME) : noEventPublisher);
  const kv = overrides.vaultKv ?? new KvV2Client(gateway, settings.VAULT_MOUNT_POINT, clock);
  const router = configBackends(settings, { kv, gateway, cache, clients, recorder, logger, clock });
  const activity = new ConfigActivity({
    audit,
    events,
    logger,
    accessMetrics,
    auditReads: settings.AUDIT_READS,
    plannedCreators: new Set(
      settings.PLANNED_CREATORS.split(",")
        .map((s) => s.trim())
        .filter(Boolean),
    ),
    onCreated: (planned) => recorder.keyCreated(planned),
  });
  const config = new ConfigService({
    backends: router,
    claims: new DynamoClaimStore(table, clock),
    cache,
    activity,
    valueMaxBytes: settings.CONFIG_VALUE_MAX_BYTES,
  });

  // Built on first use: a config route never builds the monitor, rotation, incident or snapshot services.
  const monitor = lazily(
    () =>
      new MonitorService(
        {
          gateway,
          recorder,
          counters,
          healthState: new DynamoHealthStateStore(table),
          jobRuns,
          audit,
          cache,
          cacheCheck: (key, version) => config.cachedVersionIsCurrent(key, version),
          backends: {
            routing: router.describe(),
            others: router
              .all()
              .filter(
                (b): b is ConfigBackend & { check(): Promise<void> } => b.name !== "vault" && b.check !== undefined,
              ),
            ofCacheKey: backendOfCacheKey,
          },
          telemetry: new DynamoTelemetryStore(table),
          layout,
          metricsSink,
          logger,
          clock,
        },
        {
          version: settings.VAULTOPS_VERSION,
          healthMemoMs: settings.HEALTH_MEMO_MS,
          tokenRenewThresholdSeconds: settings.TOKEN_RENEW_THRESHOLD_SECONDS,
          mount: settings.VAULT_MOUNT_POINT,
        },
      ),
  );

  const apiTokens = lazily(() => apiTokenVerifier(settings, clients, clock));

  const rotationStore = lazily(() => new DynamoRotationStore(table));
  const rotation = lazily(() => new RotationService({ config, store: rotationStore(), logger, clock }));
  const incidents = lazily(
    () =>
      new IncidentService({
        incidents: new DynamoIncidentStore(table),
        cache,
        rotation: rotation(),
        rotationStore: rotationStore(),
        audit,
        logger,
        clock,
      }),
  );

  // Built on first use: the local key file is only read (or created) by a snapshot route or job.
  const snapshots = lazily(
    () =>
      new SnapshotService({
        backends: router.all(),
        records: new DynamoSnapshotRecords(table),
        storage: settings.SNAPSHOT_BUCKET
          ? s3Storage(clients, settings.SNAPSHOT_BUCKET)
          : localStorage(settings.SNAPSHOT_DIR),
        keys: settings.SNAPSHOT_KMS_KEY_ID
          ? kmsKeyProvider(clients, settings.SNAPSHOT_KMS_KEY_ID)
          : localKeyProvider(settings.SNAPSHOT_KEY_FILE),
        audit,
        logger,
        mount: settings.VAULT_MOUNT_POINT,
        retentionDays: settings.SNAPSHOT_RETENTION_DAYS,
        clock,
      }),
  );

  return {
    settings,
    clock,
    logger,
    clients,
    table,
    layout,
    gateway,
    recorder,
    counters,
    cache,
    get monitor() {
      return monitor();
    },
    config,
    configActivity: activity,
    backends: router,
    audit,
    accessMetrics,
    get rotation() {
      return rotation();
    },
    get incidents() {
      return incidents();
    },
    get snapshots() {
      return snapshots();
    },
    jobRuns,
    get apiTokens() {
      return apiTokens();
    },
  };
}

export type VaultopsContext = ReturnType<typeof createContext>;
