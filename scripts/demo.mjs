// `npm run demo`: builds hubwire and the chat server, starts the server on
// 127.0.0.1 (PORT, default 5000) and says how to join. Ctrl+C stops it.
import { spawn, spawnSync } from "node:child_process";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const port = process.env.PORT ?? "5000";
const env = { ...process.env, DOTNET_CLI_TELEMETRY_OPTOUT: "1", DOTNET_NOLOGO: "1" };

function run(command, args) {
  console.log(`$ ${command} ${args.join(" ")}`);
  const result = spawnSync(command, args, { cwd: root, stdio: "inherit", env });
  if (result.status !== 0) process.exit(result.status ?? 1);
}

run("npm", ["run", "build", "--silent"]);
run("dotnet", ["build", "examples/chat-server/ChatServer.csproj", "-c", "Release", "--nologo", "-v", "q"]);

const url = `http://127.0.0.1:${port}`;
const server = spawn("dotnet", [join(root, "examples/chat-server/bin/Release/net10.0/ChatServer.dll"), "--urls", url], {
  cwd: join(root, "examples/chat-server"),
  stdio: "inherit",
  env,
});
server.on("exit", (code) => process.exit(code ?? 0));
for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => server.kill("SIGTERM"));

console.log(`
The chat server is running: hub at ${url}/chat
Join from a console (as many as you like, each in its own terminal):
  node examples/chat-node/chat.mjs ${url}/chat alice
Press Ctrl+C here to stop the server.
`);
