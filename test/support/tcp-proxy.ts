import type { AddressInfo } from "node:net";
import net from "node:net";

/**
 * A loopback TCP proxy that can delay new connections, cut them, stall them, or lose an answer: the
 * faults a network between vaultops and Vault, DynamoDB or an AWS API can have.
 */
export async function startTcpProxy(target: { host: string; port: number }) {
  let mode: "pass" | "delay" | "cut" | "stall" = "pass";
  let delayMs = 0;
  /** The answer to the next request holding this text is lost: the client's connection is reset instead. */
  let loseAnswerText: string | undefined;
  /** A request holding this text starts a stall (held, with everything after it). */
  let stallOnText: string | undefined;
  const sockets = new Set<net.Socket>();
  const held: Array<() => void> = [];
  const server = net.createServer((client) => {
    sockets.add(client);
    client.on("close", () => sockets.delete(client));
    client.on("error", () => {});
    if (mode === "cut") {
      client.resetAndDestroy();
      return;
    }
    const connect = () => {
      if (client.destroyed) return;
      const upstream = net.connect(target.port, target.host);
      sockets.add(upstream);
      upstream.on("close", () => sockets.delete(upstream));
      // Data goes through by hand so that a stall holds it and a lost answer drops it.
      let loseAnswer = false;
      const forward = (from: net.Socket, to: net.Socket, answer: boolean) =>
        from.on("data", (chunk: Buffer) => {
          if (!answer && stallOnText && chunk.includes(stallOnText)) {
            stallOnText = undefined;
            mode = "stall";
          }
          if (!answer && loseAnswerText && chunk.includes(loseAnswerText)) {
            loseAnswerText = undefined;
            loseAnswer = true;
          }
          const send = () => {
            if (answer && loseAnswer) {
              loseAnswer = false;
              to.resetAndDestroy();
              return;
            }
            if (!to.destroyed) to.write(chunk);
          };
          // A stall holds the answers: requests reach upstream (as they reach a stopped process's socket
          // buffer, to be acted on), nothing comes back.
          if (mode === "stall" && answer) held.push(send);
          else send();
        });
      forward(client, upstream, false);
      forward(upstream, client, true);
      // Upstream hanging up after its answer is part of the answer: held too during a stall.
      const hangUp = () => (mode === "stall" ? held.push(() => client.destroy()) : client.destroy());
      upstream.on("error", hangUp);
      upstream.on("close", hangUp);
      client.on("close", () => upstream.destroy());
    };
    if (mode === "delay") setTimeout(connect, delayMs);
    else connect();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    /** Back to normal; what a stall held goes through now. */
    pass: () => {
      mode = "pass";
      for (const release of held.splice(0)) release();
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
    /**
     * Delivers every request and holds every answer, on new and open connections alike: a process
     * stopped with SIGSTOP (the kernel accepts and buffers what is sent; nothing answers).
     */
    stall: () => {
      mode = "stall";
    },
    /** Stalls from the first request that holds `text` on (its answer and every later one held until `pass`). */
    stallOn: (text: string) => {
      stallOnText = text;
    },
    /** The answer to the next request holding `text` is lost (the request did reach upstream): a reset. */
    loseAnswerTo: (text: string) => {
      loseAnswerText = text;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
