// A console chat client: every line you type is sent to the chat hub, and
// every message anyone sends is printed.
// Usage: node examples/chat-node/chat.mjs [hubUrl] [name]
import { createInterface } from "node:readline";
import { HubConnectionBuilder, LogLevel } from "hubwire";

const url = process.argv[2] ?? "http://127.0.0.1:5000/chat";
const name = process.argv[3] ?? `node-${process.pid}`;

const connection = new HubConnectionBuilder()
  .withUrl(url)
  .withAutomaticReconnect()
  .configureLogging(LogLevel.Warning)
  .build();

connection.on("broadcastMessage", (from, message) => console.log(`${from}: ${message}`));
connection.onreconnecting(() => console.log("(connection lost, reconnecting…)"));
connection.onreconnected(() => console.log("(reconnected)"));
connection.onclose((error) => {
  console.log(`(disconnected${error ? `: ${error.message}` : ""})`);
  process.exit(error ? 1 : 0);
});

try {
  await connection.start();
} catch (error) {
  console.error(`Could not connect to ${url}: ${error.message}`);
  process.exit(1);
}
console.log(`Connected to ${url} as ${name}. Type a message and press Enter; Ctrl+D quits.`);

// Sends still under way when stdin ends (Ctrl+D, or the end of piped input) finish first: each
// resolves after the hub has broadcast it, so our own last message is printed before we leave.
const sending = new Set();
const lines = createInterface({ input: process.stdin });
lines.on("line", (line) => {
  if (line.trim()) {
    const sent = connection
      .invoke("Send", name, line)
      .catch((error) => console.error(`Send failed: ${error.message}`))
      .finally(() => sending.delete(sent));
    sending.add(sent);
  }
});
lines.on("close", async () => {
  await Promise.all(sending);
  await connection.stop();
});
