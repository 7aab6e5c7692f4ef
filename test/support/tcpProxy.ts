/**
 * A TCP proxy on 127.0.0.1 in front of the test server, so a test can cut every
 * connection through it at once — a network drop as the client sees it — while
 * the proxy keeps accepting new connections.
 */
import { connect, createServer, type Socket } from "node:net";

export interface TcpProxy {
  /** The proxy's port: use http://127.0.0.1:PORT instead of the server's URL. */
  readonly port: number;
  /** Destroys every connection through the proxy, both sides. */
  cut(): void;
  close(): Promise<void>;
}

export function startTcpProxy(targetPort: number): Promise<TcpProxy> {
  const sockets = new Set<Socket>();
  const track = (socket: Socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    socket.on("error", () => socket.destroy());
  };
  const server = createServer((client) => {
    const upstream = connect(targetPort, "127.0.0.1");
    track(client);
    track(upstream);
    client.pipe(upstream);
    upstream.pipe(client);
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
        cut: () => {
          for (const socket of sockets) socket.destroy();
        },
        close: () =>
          new Promise<void>((done) => {
            for (const socket of sockets) socket.destroy();
            server.close(() => done());
          }),
      });
    });
  });
}
