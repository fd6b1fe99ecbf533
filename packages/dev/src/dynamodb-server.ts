import type { AddressInfo } from "node:net";
import dynalite from "dynalite";

export interface DynamoServer {
  endpoint: string;
  /** True when DYNAMODB_ENDPOINT named a server we did not start. */
  external: boolean;
  stop(): Promise<void>;
}

/** DYNAMODB_ENDPOINT when set (moto's DynamoDB, a shared dynalite): use that server, start nothing. */
export function externalDynamo(): DynamoServer | undefined {
  const endpoint = process.env.DYNAMODB_ENDPOINT;
  if (!endpoint) return undefined;
  return { endpoint, external: true, stop: async () => {} };
}

/** dynalite, a real DynamoDB-API server, in this process on a free loopback port (in-memory). */
export async function startDynamoServer(): Promise<DynamoServer> {
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    external: false,
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
      }),
  };
}
