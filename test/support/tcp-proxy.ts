import type { AddressInfo } from "node:net";
import net from "node:net";

/**
 * A loopback TCP proxy that can delay new connections, cut them, or stop listening: the faults a
 * network between vaultops and Vault can have.
 */
export async function startTcpProxy(target: { host: string; port: number }) {
  let mode: "pass" | "delay" | "cut" = "pass";
  let delayMs = 0;
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    sockets.add(client);
    client.on("close", () => sockets.delete(client));
    if (mode === "cut") {
      client.resetAndDestroy();
      return;
    }
    const connect = () => {
      if (client.destroyed) return;
      const upstream = net.connect(target.port, target.host);
      sockets.add(upstream);
      upstream.on("close", () => sockets.delete(upstream));
      client.pipe(upstream).pipe(client);
      upstream.on("error", () => client.destroy());
      client.on("error", () => upstream.destroy());
    };
    if (mode === "delay") setTimeout(connect, delayMs);
    else connect();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    pass: () => {
      mode = "pass";
    },
    /** Delays every new connection; open ones are closed so that kept-alive clients reconnect (slowly). */
    delay: (ms: number) => {
      mode = "delay";
      delayMs = ms;
      for (const s of sockets) s.destroy();
    },
    /** Resets new connections and the ones open now. */
    cut: () => {
      mode = "cut";
      for (const s of sockets) s.destroy();
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
