import type { AddressInfo } from "node:net";
import dynalite from "dynalite";

export interface DynamoServer {
  endpoint: string;
  stop(): Promise<void>;
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
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
      }),
  };
}
