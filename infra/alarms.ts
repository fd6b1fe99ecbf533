import { incidentHandler } from "@vaultops/api";
import { metricDimensions, metricNames } from "@vaultops/core/metric-names";
import { api } from "./api";
import { functionArgs, stage } from "./functions";

/**
 * The monitoring guide's alert rules as CloudWatch alarms on vaultops' metrics (EMF from the handlers, the health
 * job's figures) and on Secrets Manager's API calls; every alarm invokes the incident function, whose
 * action is named in the alarm description (`vaultops:action=record|clear-cache|clear-cache,rotate`).
 */
const namespace = stage.metricsNamespace;
const awsBackendRouted = stage.awsBackendRouted;

export const incidentFunction = new sst.aws.Function("IncidentResponse", functionArgs(incidentHandler));

const prefix = `${$app.name}-${$app.stage}`;

const actions = { alarmActions: [incidentFunction.arn], okActions: [incidentFunction.arn] };

/** A count of `metricName` in a minute above `threshold` (0: any occurrence). */
const perMinuteCount = (id: string, name: string, alarmDescription: string, metricName: string, threshold: number) =>
  new aws.cloudwatch.MetricAlarm(id, {
    name: `${prefix}-${name}`,
    alarmDescription,
    namespace,
    metricName,
    statistic: "Sum",
    period: 60,
    evaluationPeriods: 1,
    threshold,
    comparisonOperator: "GreaterThanThreshold",
    treatMissingData: "notBreaching",
    ...actions,
  });

/** The health job's `BackendUp` of one backend under `threshold`. */
const backendUpBelow = (
  id: string,
  name: string,
  alarmDescription: string,
  backend: string,
  check: {
    statistic: string;
    period: number;
    evaluationPeriods: number;
    datapointsToAlarm?: number;
    threshold: number;
  },
) =>
  new aws.cloudwatch.MetricAlarm(id, {
    name: `${prefix}-${name}`,
    alarmDescription,
    namespace,
    metricName: metricNames.backendUp,
    dimensions: { [metricDimensions.backend]: backend },
    ...check,
    comparisonOperator: "LessThanThreshold",
    // No health figures at all is the health job (or the backend) being down too; M of N keeps one
    // late health run from raising an incident.
    treatMissingData: "breaching",
    ...actions,
  });

export const alarms = {
  highRetrievalLatency: new aws.cloudwatch.MetricAlarm("HighRetrievalLatency", {
    name: `${prefix}-high-retrieval-latency`,
    alarmDescription: "p95 secret retrieval latency above 1 s for 5 minutes. vaultops:action=record",
    namespace,
    metricName: metricNames.retrievalLatency,
    extendedStatistic: "p95",
    period: 300,
    evaluationPeriods: 1,
    threshold: 1000,
    comparisonOperator: "GreaterThanThreshold",
    treatMissingData: "notBreaching",
    ...actions,
  }),
  backendDown: backendUpBelow(
    "BackendDown",
    "vault-backend-down",
    "Vault did not answer the health check as healthy in 2 of the last 3 minutes. vaultops:action=record",
    "vault",
    { statistic: "Minimum", period: 60, evaluationPeriods: 3, datapointsToAlarm: 2, threshold: 1 },
  ),
  lowCacheHitRate: new aws.cloudwatch.MetricAlarm("LowCacheHitRate", {
    name: `${prefix}-low-cache-hit-rate`,
    alarmDescription: "Cache hit rate under 80% for 10 minutes. vaultops:action=record",
    evaluationPeriods: 2,
    threshold: 0.8,
    comparisonOperator: "LessThanThreshold",
    treatMissingData: "notBreaching",
    metricQueries: [
      {
        id: "hits",
        metric: { namespace, metricName: metricNames.cacheHits, stat: "Sum", period: 300 },
        returnData: false,
      },
      {
        id: "misses",
        metric: { namespace, metricName: metricNames.cacheMisses, stat: "Sum", period: 300 },
        returnData: false,
      },
      { id: "rate", expression: "hits / (hits + misses)", label: "Cache hit rate", returnData: true },
    ],
    ...actions,
  }),
  unauthorizedAccess: perMinuteCount(
    "UnauthorizedAccess",
    "unauthorized-access",
    "Vault denied a secret access (any occurrence). vaultops:action=clear-cache",
    metricNames.denied,
    0,
  ),
  operationErrors: perMinuteCount(
    "OperationErrors",
    "operation-errors",
    "More than 5 failed secret operations in a minute. vaultops:action=record",
    metricNames.failures,
    5,
  ),
  unusualAccessVolume: new aws.cloudwatch.MetricAlarm("UnusualAccessVolume", {
    name: `${prefix}-unusual-access-volume`,
    alarmDescription: "Secret reads above twice their normal band. vaultops:action=clear-cache",
    evaluationPeriods: 2,
    comparisonOperator: "GreaterThanUpperThreshold",
    thresholdMetricId: "band",
    treatMissingData: "notBreaching",
    metricQueries: [
      { id: "reads", metric: { namespace, metricName: metricNames.reads, stat: "Sum", period: 300 }, returnData: true },
      { id: "band", expression: "ANOMALY_DETECTION_BAND(reads, 2)", label: "Normal reads", returnData: true },
    ],
    ...actions,
  }),
  // The security alerts: failed authentication > 3 a minute (API 401s and Vault refusing the
  // plane's login), any unplanned key creation, backend availability < 99 % over 5 minutes.
  failedAuthentication: perMinuteCount(
    metricNames.failedAuthentication,
    "failed-authentication",
    "More than 3 refused authentications in a minute (API tokens missing, wrong or expired; Vault refusing the plane's login). vaultops:action=record",
    metricNames.failedAuthentication,
    3,
  ),
  unplannedKeyCreation: perMinuteCount(
    metricNames.unplannedKeyCreation,
    "unplanned-key-creation",
    "A configuration was created by a token that is not a planned creator (PLANNED_CREATORS). vaultops:action=record",
    metricNames.unplannedKeyCreation,
    0,
  ),
  backendAvailability: backendUpBelow(
    "BackendAvailabilityLow",
    "backend-availability",
    "Vault answered less than 99% of the health checks of the last 5 minutes as healthy. vaultops:action=record",
    "vault",
    { statistic: "Average", period: 300, evaluationPeriods: 1, threshold: 0.99 },
  ),
  // The Secrets Manager alarm; the API call counts live in AWS/Usage.
  secretsManagerApiCalls: new aws.cloudwatch.MetricAlarm("SecretsManagerApiCalls", {
    name: `${prefix}-high-secret-access`,
    alarmDescription: "More than 100 GetSecretValue calls in 5 minutes, twice. vaultops:action=record",
    namespace: "AWS/Usage",
    metricName: "CallCount",
    dimensions: { Service: "Secrets Manager", Type: "API", Resource: "GetSecretValue", Class: "None" },
    statistic: "Sum",
    period: 300,
    evaluationPeriods: 2,
    threshold: 100,
    comparisonOperator: "GreaterThanThreshold",
    treatMissingData: "notBreaching",
    ...actions,
  }),
};

/** Secrets Manager as a configuration backend (CONFIG_BACKENDS routes a scope there): its own down alarm. */
export const awsBackendDown = awsBackendRouted
  ? backendUpBelow(
      "AwsBackendDown",
      "aws-backend-down",
      "Secrets Manager did not answer the health check (ListSecrets under the prefix) in 3 of the last 4 minutes. vaultops:action=record",
      "aws",
      { statistic: "Minimum", period: 60, evaluationPeriods: 4, datapointsToAlarm: 3, threshold: 1 },
    )
  : undefined;

/**
 * Watched scopes (the stage's `alarmScopes` in infra/stages.ts): unusual reads of one
 * environment/service clear its cache and rotate its secrets that have a rotation policy.
 */
export const scopeAlarms = stage.alarmScopes.map((scope) => {
  const [environment = "", service = ""] = scope.split("/");
  const id = `${environment}-${service}`.replace(/[^A-Za-z0-9-]/g, "-");
  return new aws.cloudwatch.MetricAlarm(`UnusualAccess-${id}`, {
    name: `${prefix}-unusual-access-${id}`,
    alarmDescription: `Reads of ${scope} above their normal band. vaultops:action=clear-cache,rotate`,
    evaluationPeriods: 2,
    comparisonOperator: "GreaterThanUpperThreshold",
    thresholdMetricId: "band",
    treatMissingData: "notBreaching",
    metricQueries: [
      {
        id: "reads",
        metric: {
          namespace,
          metricName: metricNames.reads,
          stat: "Sum",
          period: 300,
          dimensions: { [metricDimensions.environment]: environment, [metricDimensions.service]: service },
        },
        returnData: true,
      },
      { id: "band", expression: "ANOMALY_DETECTION_BAND(reads, 2)", returnData: true },
    ],
    ...actions,
  });
});

/**
 * API Gateway answers a request without an `Authorization` header 401 itself, before the authorizer
 * runs: no function counts it. Its access log does (SST's format: `status`, and `integrationStatus` "-"
 * when no function was called): this filter adds each such 401 to `FailedAuthentication`.
 */
export const gatewayRefusals = new aws.cloudwatch.LogMetricFilter("GatewayRefusedAuthentication", {
  name: `${prefix}-gateway-refused-authentication`,
  logGroupName: api.nodes.logGroup.name,
  pattern: '{ ($.status = 401) && ($.integrationStatus = "-") }',
  metricTransformation: { name: metricNames.failedAuthentication, namespace, value: "1", unit: "Count" },
});

/**
 * Only this stage's alarms may invoke the incident function: one permission per alarm, on its exact
 * ARN (a wildcard on the name prefix `vaultops-<stage>-*` would also match a stage named `<stage>-2`).
 */
export const incidentInvokePermissions = [
  ...Object.entries(alarms),
  ...(awsBackendDown ? [["awsBackendDown", awsBackendDown] as const] : []),
  ...scopeAlarms.map((alarm, i) => [`scope-${stage.alarmScopes[i]}`, alarm] as const),
].map(
  ([id, alarm]) =>
    new aws.lambda.Permission(`IncidentResponseFrom-${id.replace(/[^A-Za-z0-9-]/g, "-")}`, {
      action: "lambda:InvokeFunction",
      function: incidentFunction.name,
      principal: "lambda.alarms.cloudwatch.amazonaws.com",
      sourceAccount: aws.getCallerIdentityOutput().accountId,
      sourceArn: alarm.arn,
    }),
);

const widget = (title: string, metrics: unknown[][], extra: Record<string, unknown> = {}) => ({
  type: "metric",
  width: 12,
  height: 6,
  properties: { title, region: aws.getRegionOutput().name, metrics, period: 300, ...extra },
});

/** The guide's panels: operations, latency p95, cache hit rate, backend health and token TTL. */
export const dashboard = new aws.cloudwatch.Dashboard("Dashboard", {
  dashboardName: `${prefix}`,
  dashboardBody: $jsonStringify({
    widgets: [
      widget("Key operations", [
        [namespace, metricNames.reads, { stat: "Sum" }],
        [namespace, metricNames.failures, { stat: "Sum" }],
        [namespace, metricNames.denied, { stat: "Sum" }],
      ]),
      widget("Operation latency (p95)", [[namespace, metricNames.retrievalLatency, { stat: "p95" }]]),
      widget("Cache hit rate", [
        [{ expression: "hits / (hits + misses)", label: "hit rate", id: "rate" }],
        [namespace, metricNames.cacheHits, { stat: "Sum", id: "hits", visible: false }],
        [namespace, metricNames.cacheMisses, { stat: "Sum", id: "misses", visible: false }],
      ]),
      widget("Key storage backends", [
        [namespace, metricNames.backendUp, metricDimensions.backend, "vault", { stat: "Minimum" }],
        ...(awsBackendRouted
          ? [[namespace, metricNames.backendUp, metricDimensions.backend, "aws", { stat: "Minimum" }]]
          : []),
        [namespace, metricNames.healthCheckDuration, { stat: "Average", yAxis: "right" }],
      ]),
      widget("Vault token TTL (s)", [[namespace, metricNames.tokenTtl, { stat: "Minimum" }]]),
      widget("Security", [
        [namespace, metricNames.failedAuthentication, { stat: "Sum" }],
        [namespace, metricNames.unplannedKeyCreation, { stat: "Sum" }],
        [namespace, metricNames.denied, { stat: "Sum" }],
      ]),
    ],
  }),
});
