/**
 * A TCP proxy on 127.0.0.1 in front of the test server, so a test can cut every
 * connection through it at once — a network drop as the client sees it — while
 * the proxy keeps accepting new connections. `cutWhen` cuts at a precise moment
 * instead: when some bytes are about to pass (the negotiate answer, the handshake
 * reply, the middle of a large message).
 */
import { connect, createServer, type Socket } from "node:net";

/** Which way bytes flow: "up" from the client to the server, "down" from the server to the client. */
export type Direction = "up" | "down";

export interface TcpProxy {
  /** The proxy's port: use http://127.0.0.1:PORT instead of the server's URL. */
  readonly port: number;
  /** Destroys every connection through the proxy, both sides. */
  cut(): void;
  /**
   * Once: when a chunk going `direction` makes `test` true, it is dropped and every connection
   * cut (as `cut()`); resolves then. Later chunks pass again. Client frames of a WebSocket are
   * masked, so match "up" by byte counts, not text.
   */
  cutWhen(direction: Direction, test: (chunk: Buffer) => boolean): Promise<void>;
  close(): Promise<void>;
}

export function startTcpProxy(targetPort: number): Promise<TcpProxy> {
  const sockets = new Set<Socket>();
  let armed: { direction: Direction; test: (chunk: Buffer) => boolean; done: () => void } | undefined;
  const cut = () => {
    for (const socket of sockets) socket.destroy();
  };
  const track = (socket: Socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    socket.on("error", () => socket.destroy());
  };
  // pipe(), with a look at each chunk first.
  const forward = (from: Socket, to: Socket, direction: Direction) => {
    from.on("data", (chunk: Buffer) => {
      const trigger = armed;
      if (trigger && trigger.direction === direction && trigger.test(chunk)) {
        armed = undefined;
        cut();
        trigger.done();
        return;
      }
      if (!to.write(chunk)) from.pause();
    });
    to.on("drain", () => from.resume());
    from.on("end", () => to.end());
  };
  const server = createServer((client) => {
    const upstream = connect(targetPort, "127.0.0.1");
    track(client);
    track(upstream);
    forward(client, upstream, "up");
    forward(upstream, client, "down");
    client.on("close", () => upstream.destroy());
    upstream.on("close", () => client.destroy());
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      if (address === null || typeof address === "string") {
        reject(new Error("The TCP proxy has no port."));
        return;
      }
      resolve({
        port: address.port,
        cut,
        cutWhen: (direction, test) => new Promise<void>((done) => (armed = { direction, test, done })),
        close: () =>
          new Promise<void>((done) => {
            armed = undefined;
            cut();
            server.close(() => done());
          }),
      });
    });
  });
}
