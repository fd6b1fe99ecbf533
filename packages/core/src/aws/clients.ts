import type { CloudWatchClient } from "@aws-sdk/client-cloudwatch";
import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import type { EventBridgeClient } from "@aws-sdk/client-eventbridge";
import type { KMSClient } from "@aws-sdk/client-kms";
import type { S3Client } from "@aws-sdk/client-s3";
import type { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import type { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { callRecorder, type RecordableClient, type ResourceNames } from "./call-recorder";

/** Where the AWS services are: real AWS by default, loopback emulators locally. */
export interface AwsEndpoints {
  region: string;
  /** DynamoDB (dynalite / DynamoDB Local locally). */
  dynamodb?: string | undefined;
  /** Every other service (moto locally). */
  other?: string | undefined;
}

/**
 * How long one attempt of an AWS call may wait: to connect, and for the answer to go quiet. A stalled
 * service is then an error like a refused connection, never a request held to the function's timeout.
 */
export interface AwsTimeouts {
  /** One DynamoDB attempt (DYNAMODB_TIMEOUT_MS); the state table bounds each call's retries too. */
  dynamodbMs: number;
  /** One attempt on any other service (AWS_TIMEOUT_MS). */
  otherMs: number;
}

export const DEFAULT_AWS_TIMEOUTS: AwsTimeouts = { dynamodbMs: 1_000, otherMs: 3_000 };

const common = (region: string, endpoint: string | undefined, timeoutMs: number) => ({
  region,
  ...(endpoint ? { endpoint } : {}),
  maxAttempts: 3,
  // The SDK's Node handler takes its options as a plain object: a connect timeout and an idle timeout,
  // each the attempt's budget (a busy endpoint that accepts late is slow, not down).
  requestHandler: { connectionTimeout: timeoutMs, requestTimeout: timeoutMs },
});

/**
 * Clients are created on first use: a handler that never publishes a metric never loads CloudWatch.
 * `resources` names the deploy's resources for the call recorder of the test suites (off in AWS).
 */
export class AwsClients {
  private dynamo?: Promise<DynamoDBDocumentClient>;
  private rawDynamo?: DynamoDBClient;
  private secrets?: Promise<SecretsManagerClient>;
  private cloudwatch?: Promise<CloudWatchClient>;
  private events?: Promise<EventBridgeClient>;
  private s3Client?: Promise<S3Client>;
  private kmsClient?: Promise<KMSClient>;
  private readonly recordCalls: ((client: RecordableClient) => void) | undefined;

  constructor(
    readonly endpoints: AwsEndpoints,
    resources: ResourceNames = {},
    readonly timeouts: AwsTimeouts = DEFAULT_AWS_TIMEOUTS,
  ) {
    this.recordCalls = callRecorder(resources);
  }

  private config(endpoint: string | undefined, timeoutMs = this.timeouts.otherMs) {
    return common(this.endpoints.region, endpoint, timeoutMs);
  }

  private made<T>(client: T): T {
    this.recordCalls?.(client as unknown as RecordableClient);
    return client;
  }

  documentClient(): Promise<DynamoDBDocumentClient> {
    this.dynamo ??= (async () => {
      const [{ DynamoDBClient }, { DynamoDBDocumentClient }] = await Promise.all([
        import("@aws-sdk/client-dynamodb"),
        import("@aws-sdk/lib-dynamodb"),
      ]);
      this.rawDynamo = this.made(new DynamoDBClient(this.config(this.endpoints.dynamodb, this.timeouts.dynamodbMs)));
      return DynamoDBDocumentClient.from(this.rawDynamo, { marshallOptions: { removeUndefinedValues: true } });
    })();
    return this.dynamo;
  }

  secretsManager(): Promise<SecretsManagerClient> {
    this.secrets ??= import("@aws-sdk/client-secrets-manager").then(({ SecretsManagerClient }) =>
      this.made(new SecretsManagerClient(this.config(this.endpoints.other))),
    );
    return this.secrets;
  }

  cloudWatch(): Promise<CloudWatchClient> {
    this.cloudwatch ??= import("@aws-sdk/client-cloudwatch").then(({ CloudWatchClient }) =>
      this.made(new CloudWatchClient(this.config(this.endpoints.other))),
    );
    return this.cloudwatch;
  }

  eventBridge(): Promise<EventBridgeClient> {
    this.events ??= import("@aws-sdk/client-eventbridge").then(({ EventBridgeClient }) =>
      this.made(new EventBridgeClient(this.config(this.endpoints.other))),
    );
    return this.events;
  }

  /** S3 (snapshots); path-style addressing on a local endpoint (moto). */
  s3(): Promise<S3Client> {
    this.s3Client ??= import("@aws-sdk/client-s3").then(({ S3Client }) =>
      this.made(
        new S3Client({
          ...this.config(this.endpoints.other),
          ...(this.endpoints.other ? { forcePathStyle: true } : {}),
        }),
      ),
    );
    return this.s3Client;
  }

  kms(): Promise<KMSClient> {
    this.kmsClient ??= import("@aws-sdk/client-kms").then(({ KMSClient }) =>
      this.made(new KMSClient(this.config(this.endpoints.other))),
    );
    return this.kmsClient;
  }

  destroy(): void {
    this.rawDynamo?.destroy();
  }
}
