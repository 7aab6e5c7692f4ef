// npm run bench:hub — the CPU cost of one message through a whole HubConnection (protocol, dispatch,
// bookkeeping), hubwire beside @microsoft/signalr, each driven by the same in-memory connection
// (no network: the server's replies are handed straight back). Runs on the build. Measures, never
// asserts: figures vary with the machine; compare the columns of one run.
import { HubConnection as OfficialHubConnection, JsonHubProtocol as OfficialJson, NullLogger } from "@microsoft/signalr";
import { existsSync } from "node:fs";

if (!existsSync(new URL("../dist/esm/node/index.js", import.meta.url))) {
  console.log("No dist/: run `npm run build` first (`npm run bench:hub` does).");
  process.exit(0);
}
const { HubConnection } = await import("../dist/esm/node/index.js");

const RS = "\x1e";

/** An in-memory connection, the shape both clients' HubConnection drive: it answers the handshake,
 * and answers each Invocation with an id by a Completion echoing its first argument. */
function memoryConnection() {
  const connection = {
    features: { inherentKeepAlive: true },
    connectionId: "bench",
    baseUrl: "http://bench/hub",
    onreceive: null,
    onclose: null,
    async start() {},
    async send(data) {
      if (data.includes('"protocol"')) return void queueMicrotask(() => connection.onreceive(`{}${RS}`));
      const message = JSON.parse(data.slice(0, -1));
      if (message.type == 1 && message.invocationId) connection.onreceive(`{"type":3,"invocationId":"${message.invocationId}","result":${JSON.stringify(message.arguments[0])}}${RS}`);
    },
    async stop(error) {
      if (connection.onclose) connection.onclose(error);
    },
  };
  return connection;
}

const clients = {
  // HubConnection's internal constructor (HubConnectionBuilder's, minus the HttpConnection); no parts: JSON.
  hubwire: (connection) => new HubConnection(connection, NullLogger.instance, {}),
  official: (connection) => OfficialHubConnection.create(connection, NullLogger.instance, new OfficialJson()),
};

const item = { id: 12345, name: "widget", tags: ["a", "b", "c"], price: 9.99, inStock: true };
const invocationFrame = `{"type":1,"target":"update","arguments":[${JSON.stringify(item)}]}${RS}`;

const scenarios = {
  /** Server-to-client: one Invocation per payload, to one handler. */
  "receive an Invocation (on)": async (hub, connection, n) => {
    let seen = 0;
    hub.on("update", () => seen++);
    for (let i = 0; i < n; i++) connection.onreceive(invocationFrame);
    if (seen != n) throw new Error(`handler ran ${seen} of ${n} times`);
  },
  /** Client-to-server and back: invoke, answered by a Completion. */
  "invoke and its Completion": async (hub, connection, n) => {
    for (let i = 0; i < n; i += 100) {
      await Promise.all(Array.from({ length: 100 }, () => hub.invoke("Echo", item)));
    }
  },
  /** A server stream: StreamItems, one per payload, to one subscriber. */
  "receive a StreamItem (stream)": async (hub, connection, n) => {
    let seen = 0;
    hub.stream("Items").subscribe({ next: () => seen++, error: () => {}, complete: () => {} });
    for (let i = 0; i < n; i++) connection.onreceive(`{"type":2,"invocationId":"0","item":${JSON.stringify(item)}}${RS}`);
    if (seen != n) throw new Error(`subscriber got ${seen} of ${n} items`);
  },
};

/** Nanoseconds per message for each client: rounds alternate between them; the median counts. */
async function measure(scenario) {
  const n = 5_000;
  const rounds = { hubwire: [], official: [] };
  for (let round = 0; round < 13; round++) {
    for (const [name, make] of Object.entries(clients)) {
      const connection = memoryConnection();
      const hub = make(connection);
      await hub.start();
      const start = process.hrtime.bigint();
      await scenario(hub, connection, n);
      rounds[name].push(Number(process.hrtime.bigint() - start) / n);
      await hub.stop();
    }
  }
  return Object.values(rounds).map((times) => times.sort((a, b) => a - b)[Math.floor(times.length / 2)]);
}

console.log("ns per message through HubConnection, JSON (median of 13)".padEnd(52), "hubwire".padStart(9), "official".padStart(9), "ratio".padStart(7));
for (const [label, scenario] of Object.entries(scenarios)) {
  await measure(scenario); // warm-up
  const [a, b] = await measure(scenario);
  console.log(label.padEnd(52), a.toFixed(0).padStart(9), b.toFixed(0).padStart(9), `${((a / b) * 100).toFixed(0)}%`.padStart(7));
}
