// npm run bench:messages — the CPU cost of one hub message through each hub protocol
// (write, then parse), hubwire beside @microsoft/signalr. Runs on the build. Measures,
// never asserts: figures vary with the machine, compare the columns of one run.
import { JsonHubProtocol as OfficialJson, NullLogger } from "@microsoft/signalr";
import { MessagePackHubProtocol as OfficialMsgPack } from "@microsoft/signalr-protocol-msgpack";
import { existsSync } from "node:fs";
import { JsonHubProtocol } from "../dist/esm/node/index.js";
import { MessagePackHubProtocol } from "../dist/esm/node/msgpack.js";

if (!existsSync(new URL("../dist/esm/node/index.js", import.meta.url))) {
  console.log("No dist/: run `npm run build` first (`npm run bench:messages` does).");
  process.exit(0);
}

const logger = NullLogger.instance;
const messages = {
  "small invocation": { type: 1, invocationId: "42", target: "Send", arguments: ["alice", "hello there"] },
  "stream item (object)": { type: 2, invocationId: "7", item: { id: 12345, name: "widget", tags: ["a", "b", "c"], price: 9.99, inStock: true } },
  "completion, 1 KB string": { type: 3, invocationId: "9", result: "x".repeat(1024) },
};

/** Nanoseconds per write+parse of `message` for each protocol: rounds alternate between them (so GC and JIT drift hit both alike); the median round counts. */
function measure(protocols, message) {
  const rounds = protocols.map(() => []);
  for (let round = 0; round < 15; round++) {
    protocols.forEach((protocol, index) => {
      const iterations = 10_000;
      const start = process.hrtime.bigint();
      for (let i = 0; i < iterations; i++) {
        protocol.parseMessages(protocol.writeMessage(message), logger);
      }
      rounds[index].push(Number(process.hrtime.bigint() - start) / iterations);
    });
  }
  return rounds.map((times) => times.sort((a, b) => a - b)[Math.floor(times.length / 2)]);
}

const pairs = [
  ["JSON", new JsonHubProtocol(), new OfficialJson()],
  ["MessagePack", new MessagePackHubProtocol(), new OfficialMsgPack()],
];
console.log("ns per message, write + parse (median of 15 rounds)".padEnd(52), "hubwire".padStart(9), "official".padStart(9), "ratio".padStart(7));
for (const [name, ours, theirs] of pairs) {
  for (const [label, message] of Object.entries(messages)) {
    measure([ours, theirs], message); // warm-up
    const [a, b] = measure([ours, theirs], message);
    console.log(`${name}: ${label}`.padEnd(52), a.toFixed(0).padStart(9), b.toFixed(0).padStart(9), `${((a / b) * 100).toFixed(0)}%`.padStart(7));
  }
}
