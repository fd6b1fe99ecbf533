import type { AwsClients } from "./clients";

export interface MetricDatum {
  name: string;
  value: number;
  unit: "Count" | "Milliseconds" | "Seconds" | "None" | "Percent";
  dimensions?: Record<string, string>;
}

export interface MetricsSink {
  publish(metrics: MetricDatum[]): Promise<void>;
}

/** PutMetricData into one namespace; used by scheduled jobs, where one call per run is cheap. */
export class CloudWatchMetricsSink implements MetricsSink {
  constructor(
    private readonly clients: AwsClients,
    private readonly namespace: string,
  ) {}

  async publish(metrics: MetricDatum[]): Promise<void> {
    if (metrics.length === 0) return;
    const { PutMetricDataCommand } = await import("@aws-sdk/client-cloudwatch");
    const client = await this.clients.cloudWatch();
    const timestamp = new Date();
    for (let i = 0; i < metrics.length; i += 500) {
      await client.send(
        new PutMetricDataCommand({
          Namespace: this.namespace,
          MetricData: metrics.slice(i, i + 500).map((m) => ({
            MetricName: m.name,
            Value: m.value,
            Unit: m.unit,
            Timestamp: timestamp,
            Dimensions: Object.entries(m.dimensions ?? {}).map(([Name, Value]) => ({ Name, Value })),
          })),
        }),
        // A job's figures are not worth more of its time than this.
        { abortSignal: AbortSignal.timeout(10_000) },
      );
    }
  }
}

export const noMetricsSink: MetricsSink = { publish: async () => {} };
