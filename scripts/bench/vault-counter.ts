/**
 * A counting HTTP proxy in front of Vault for the bench: every request the functions send to Vault
 * passes through it and is counted by kind (a KV v2 read, list, write, metadata; a login; sys/*).
 */
import http from "node:http";
import type { AddressInfo } from "node:net";

export interface VaultCounter {
  addr: string;
  /** Requests by kind since the start (a snapshot: copy it, it keeps growing). */
  counts(): Record<string, number>;
  stop(): Promise<void>;
}

/** The kind of one Vault request, by method and path (values never looked at). */
export function vaultRequestKind(method: string, url: string): string {
  const [path = "", query = ""] = url.split("?");
  const parts = path.replace(/^\/v1\//, "").split("/");
  if (parts[0] === "sys") return `sys/${parts[1] ?? ""}`;
  if (parts[0] === "auth") return `auth/${parts.slice(2).join("/") || parts[1]}`;
  const area = parts[1];
  if (query.includes("list=true") || method === "LIST") return "kv list";
  if (area === "data") return method === "GET" ? "kv read" : method === "PATCH" ? "kv patch" : "kv write";
  if (area === "metadata") return method === "GET" ? "kv metadata" : "kv metadata write";
  return `kv ${area ?? "?"} ${method}`;
}

export async function startVaultCounter(target: string): Promise<VaultCounter> {
  const counts: Record<string, number> = {};
  const upstream = new URL(target);
  const agent = new http.Agent({ keepAlive: true });
  const server = http.createServer((req, res) => {
    const kind = vaultRequestKind(req.method ?? "GET", req.url ?? "/");
    counts[kind] = (counts[kind] ?? 0) + 1;
    const forward = http.request(
      {
        host: upstream.hostname,
        port: upstream.port,
        method: req.method,
        path: req.url,
        headers: { ...req.headers, host: upstream.host },
        agent,
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    forward.on("error", () => {
      res.writeHead(502).end();
    });
    req.pipe(forward);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    addr: `http://127.0.0.1:${port}`,
    counts: () => ({ ...counts }),
    stop: () =>
      new Promise<void>((resolve) => {
        agent.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
