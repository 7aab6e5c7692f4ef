// `npm run build:examples`: builds the chat examples against this repository's hubwire (build
// hubwire itself first: `npm run build`; `npm run demo` does both, then starts the server).
//
//   examples/node_modules/hubwire   a link to the repository root (see below)
//   examples/chat-ts/out/           tsc's output (CommonJS), then examples/chat-ts/dist/chat.js
//   examples/chat-browserify/dist/chat.js
//   examples/chat-server/bin/       the ASP.NET Core chat server (dotnet build -c Release)
//
// How the examples find "hubwire": each example is written like an app that installed hubwire
// from npm (`import … from "hubwire"`, `require("hubwire")`; their package.json files say
// "hubwire": "file:../.."). Instead of an `npm install` in every example, this script makes one
// link, examples/node_modules/hubwire → the repository root, which is what npm itself does for a
// "file:" dependency. Node, tsc and browserify all look for node_modules/hubwire in the parent
// folders of the importing file, find the link, and read the root package.json: tsc takes the
// declarations from its "exports" types, browserify the browser build from its "browser" field.
// So the examples use the built package exactly as published (dist/, package.json), never src/.
// The link lives in an ignored folder and is (re)made on every run, so a fresh clone, a moved
// checkout or a stale link all just work; on Windows it is a junction, which needs no privilege.
// (examples/chat-node/chat.mjs also resolves "hubwire" without the link: Node lets a file inside
// the hubwire package import the package by its own name.)
import browserify from "browserify";
import { spawnSync } from "node:child_process";
import { createWriteStream, existsSync, lstatSync, mkdirSync, realpathSync, symlinkSync, unlinkSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, relative, resolve } from "node:path";
import { pipeline } from "node:stream/promises";
import { fileURLToPath } from "node:url";

const examples = dirname(fileURLToPath(import.meta.url));
const root = resolve(examples, "..");
const require = createRequire(import.meta.url);

function step(message) {
  console.log(`[examples] ${message}`);
}

function run(command, args) {
  const shown = [command === process.execPath ? "node" : command, ...args].map((arg) => (arg.startsWith(root) ? relative(root, arg) : arg));
  console.log(`$ ${shown.join(" ")}`);
  const result = spawnSync(command, args, {
    cwd: root,
    stdio: "inherit",
    env: { ...process.env, DOTNET_CLI_TELEMETRY_OPTOUT: "1", DOTNET_NOLOGO: "1", DOTNET_SKIP_FIRST_TIME_EXPERIENCE: "1" },
  });
  if (result.error) throw new Error(`could not run ${command}: ${result.error.message}`);
  if (result.status !== 0) throw new Error(`${command} ${args.join(" ")} failed (exit code ${result.status})`);
}

/** Makes examples/node_modules/hubwire a link to the repository root, replacing a stale one. */
function linkHubwire() {
  const link = join(examples, "node_modules", "hubwire");
  mkdirSync(dirname(link), { recursive: true });
  let stat;
  try {
    stat = lstatSync(link);
  } catch {
    // no link yet
  }
  if (stat) {
    if (!stat.isSymbolicLink()) {
      throw new Error(`${link} exists and is not a link: remove it, then run this again`);
    }
    let target;
    try {
      target = realpathSync(link);
    } catch {
      // dangling
    }
    if (target === realpathSync(root)) return;
    unlinkSync(link);
  }
  // Relative on POSIX, so the link survives moving the checkout; junctions need an absolute path.
  symlinkSync(process.platform === "win32" ? root : relative(dirname(link), root), link, "junction");
  step(`linked ${relative(root, link)} → the repository root`);
}

async function bundle(entry, output) {
  mkdirSync(dirname(output), { recursive: true });
  // debug: an inline source map, so the browser's devtools show the example's own sources.
  await pipeline(browserify(entry, { debug: true }).bundle(), createWriteStream(output));
  step(`bundled ${relative(root, entry)} → ${relative(root, output)}`);
}

for (const built of ["dist/cjs/browser/index.cjs", "dist/esm/node/index.js", "dist/browser/hubwire.min.js"]) {
  if (!existsSync(join(root, built))) {
    throw new Error(`${built} is missing: build hubwire first (npm run build)`);
  }
}

linkHubwire();

run(process.execPath, [require.resolve("typescript/bin/tsc"), "-p", join(examples, "chat-ts")]);
await bundle(join(examples, "chat-ts/out/chat.js"), join(examples, "chat-ts/dist/chat.js"));
await bundle(join(examples, "chat-browserify/src/chat.js"), join(examples, "chat-browserify/dist/chat.js"));

// --disable-build-servers: no MSBuild or compiler server stays behind holding our output open.
run("dotnet", ["build", join(examples, "chat-server/ChatServer.csproj"), "-c", "Release", "--nologo", "-v", "q", "--disable-build-servers"]);
step("done");
