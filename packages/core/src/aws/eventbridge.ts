import { EventPublishError } from "../errors";
import type { AwsClients } from "./clients";

export interface DomainEvent {
  type: string;
  detail: Record<string, unknown>;
}

export interface EventPublisher {
  publish(event: DomainEvent): Promise<void>;
}

/** PutEvents on one bus, source `vaultops.<domain>`; a rejected entry is an error, not a silent drop. */
export class EventBridgePublisher implements EventPublisher {
  constructor(
    private readonly clients: AwsClients,
    private readonly busName: string,
    private readonly source = "vaultops.config",
    /** The whole publish, retries included: a stalled EventBridge never holds a change's answer. */
    private readonly deadlineMs = 2_000,
  ) {}

  async publish(event: DomainEvent): Promise<void> {
    const { PutEventsCommand } = await import("@aws-sdk/client-eventbridge");
    const client = await this.clients.eventBridge();
    const out = await client.send(
      new PutEventsCommand({
        Entries: [
          {
            EventBusName: this.busName,
            Source: this.source,
            DetailType: event.type,
            Detail: JSON.stringify(event.detail),
          },
        ],
      }),
      { abortSignal: AbortSignal.timeout(this.deadlineMs) },
    );
    if ((out.FailedEntryCount ?? 0) > 0) {
      throw new EventPublishError(`EventBridge rejected ${event.type}: ${out.Entries?.[0]?.ErrorCode ?? "unknown"}`);
    }
  }
}

export const noEventPublisher: EventPublisher = { publish: async () => {} };
