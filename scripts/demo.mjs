// `npm run demo`: builds hubwire (npm run build) and the examples (examples/build.mjs: the
// TypeScript and browserify pages, the chat server), starts the chat server on 127.0.0.1 (PORT,
// default 5000), waits until it answers, then prints the pages' URLs and how to join from the
// console client. Ctrl+C stops it.
//
//   node scripts/demo.mjs --skip-hubwire-build   the same, with dist/ as it is (the demo's
//                                                end-to-end test builds dist/ once for all tests)
import { spawn, spawnSync } from "node:child_process";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const port = process.env.PORT ?? "5000";
const skipHubwireBuild = process.argv.includes("--skip-hubwire-build");
const env = { ...process.env, DOTNET_CLI_TELEMETRY_OPTOUT: "1", DOTNET_NOLOGO: "1" };

function run(command, args) {
  console.log(`$ ${command} ${args.join(" ")}`);
  const result = spawnSync(command, args, { cwd: root, stdio: "inherit", env });
  if (result.status !== 0) process.exit(result.status ?? 1);
}

if (!skipHubwireBuild) run("npm", ["run", "build", "--silent"]);
run("node", ["examples/build.mjs"]);

const url = `http://127.0.0.1:${port}`;
const server = spawn("dotnet", [join(root, "examples/chat-server/bin/Release/net10.0/ChatServer.dll"), "--urls", url], {
  cwd: join(root, "examples/chat-server"),
  stdio: "inherit",
  env,
});
let exited = false;
server.on("exit", (code, signal) => {
  exited = true;
  process.exit(code ?? (signal ? 0 : 1));
});
server.on("error", (error) => {
  console.error(`Could not start the chat server: ${error.message}`);
  process.exit(1);
});
for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"]) process.on(signal, () => server.kill("SIGTERM"));

// Wait for the server to answer before saying it is there (a busy port shows up here, too).
const deadline = Date.now() + 60_000;
for (;;) {
  try {
    const response = await fetch(`${url}/health`);
    if (response.ok) break;
  } catch {
    // not listening yet
  }
  if (exited) break;
  if (Date.now() > deadline) {
    console.error(`The chat server did not answer ${url}/health within 60 s.`);
    server.kill("SIGTERM");
    break;
  }
  await new Promise((resolveDelay) => setTimeout(resolveDelay, 200));
}

if (!exited) {
  console.log(`
The chat demo is running at ${url} (the ChatHub is ${url}/chat). Open these in a browser:
  ${url}/script-tag/   hubwire.min.js from a <script> tag, no build step
  ${url}/ts/           strict TypeScript importing "hubwire", bundled with browserify
  ${url}/browserify/   plain JavaScript, require("hubwire"), bundled with browserify
Join from a console (as many as you like, each in its own terminal):
  node examples/chat-node/chat.mjs ${url}/chat alice
Press Ctrl+C here to stop the server.
`);
}
