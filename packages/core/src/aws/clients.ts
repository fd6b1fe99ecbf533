import type { CloudWatchClient } from "@aws-sdk/client-cloudwatch";
import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import type { EventBridgeClient } from "@aws-sdk/client-eventbridge";
import type { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import type { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";

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

/** Clients are created on first use: a handler that never publishes a metric never loads CloudWatch. */
export class AwsClients {
  private dynamo?: Promise<DynamoDBDocumentClient>;
  private rawDynamo?: DynamoDBClient;
  private secrets?: Promise<SecretsManagerClient>;
  private cloudwatch?: Promise<CloudWatchClient>;
  private events?: Promise<EventBridgeClient>;

  constructor(readonly endpoints: AwsEndpoints) {}

  documentClient(): Promise<DynamoDBDocumentClient> {
    this.dynamo ??= (async () => {
      const [{ DynamoDBClient }, { DynamoDBDocumentClient }] = await Promise.all([
        import("@aws-sdk/client-dynamodb"),
        import("@aws-sdk/lib-dynamodb"),
      ]);
      this.rawDynamo = new DynamoDBClient(common(this.endpoints.region, this.endpoints.dynamodb));
      return DynamoDBDocumentClient.from(this.rawDynamo, { marshallOptions: { removeUndefinedValues: true } });
    })();
    return this.dynamo;
  }

  secretsManager(): Promise<SecretsManagerClient> {
    this.secrets ??= import("@aws-sdk/client-secrets-manager").then(
      ({ SecretsManagerClient }) => new SecretsManagerClient(common(this.endpoints.region, this.endpoints.other)),
    );
    return this.secrets;
  }

  cloudWatch(): Promise<CloudWatchClient> {
    this.cloudwatch ??= import("@aws-sdk/client-cloudwatch").then(
      ({ CloudWatchClient }) => new CloudWatchClient(common(this.endpoints.region, this.endpoints.other)),
    );
    return this.cloudwatch;
  }

  eventBridge(): Promise<EventBridgeClient> {
    this.events ??= import("@aws-sdk/client-eventbridge").then(
      ({ EventBridgeClient }) => new EventBridgeClient(common(this.endpoints.region, this.endpoints.other)),
    );
    return this.events;
  }

  destroy(): void {
    this.rawDynamo?.destroy();
  }
}
