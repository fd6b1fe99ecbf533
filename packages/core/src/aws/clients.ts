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

const common = (region: string, endpoint: string | undefined) => ({
  region,
  ...(endpoint ? { endpoint } : {}),
  maxAttempts: 3,
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
  ) {
    this.recordCalls = callRecorder(resources);
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
      this.rawDynamo = this.made(new DynamoDBClient(common(this.endpoints.region, this.endpoints.dynamodb)));
      return DynamoDBDocumentClient.from(this.rawDynamo, { marshallOptions: { removeUndefinedValues: true } });
    })();
    return this.dynamo;
  }

  secretsManager(): Promise<SecretsManagerClient> {
    this.secrets ??= import("@aws-sdk/client-secrets-manager").then(({ SecretsManagerClient }) =>
      this.made(new SecretsManagerClient(common(this.endpoints.region, this.endpoints.other))),
    );
    return this.secrets;
  }

  cloudWatch(): Promise<CloudWatchClient> {
    this.cloudwatch ??= import("@aws-sdk/client-cloudwatch").then(({ CloudWatchClient }) =>
      this.made(new CloudWatchClient(common(this.endpoints.region, this.endpoints.other))),
    );
    return this.cloudwatch;
  }

  eventBridge(): Promise<EventBridgeClient> {
    this.events ??= import("@aws-sdk/client-eventbridge").then(({ EventBridgeClient }) =>
      this.made(new EventBridgeClient(common(this.endpoints.region, this.endpoints.other))),
    );
    return this.events;
  }

  /** S3 (snapshots); path-style addressing on a local endpoint (moto). */
  s3(): Promise<S3Client> {
    this.s3Client ??= import("@aws-sdk/client-s3").then(({ S3Client }) =>
      this.made(
        new S3Client({
          ...common(this.endpoints.region, this.endpoints.other),
          ...(this.endpoints.other ? { forcePathStyle: true } : {}),
        }),
      ),
    );
    return this.s3Client;
  }

  kms(): Promise<KMSClient> {
    this.kmsClient ??= import("@aws-sdk/client-kms").then(({ KMSClient }) =>
      this.made(new KMSClient(common(this.endpoints.region, this.endpoints.other))),
    );
    return this.kmsClient;
  }

  destroy(): void {
    this.rawDynamo?.destroy();
  }
}
