// npm run bench:size — minified + gzip -9 sizes of hubwire's browser code, each printed beside
// @microsoft/signalr's. Runs on the build (`npm run bench:size` builds first). Measures, never asserts.
import { build } from "esbuild";
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { buildAppFromSrc } from "./srcApp.mjs";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const gzip = (code) => gzipSync(code, { level: 9 }).byteLength;
const ours = (path) => gzip(readFileSync(join(root, "dist/browser", path)));
const official = (path) => gzip(readFileSync(join(root, "node_modules", path)));

if (!existsSync(join(root, "dist/browser/hubwire.min.js"))) {
  console.log("No dist/browser/hubwire.min.js: run `npm run build` first (`npm run bench:size` does).");
  process.exit(0);
}

/** An app that imports only `HubConnectionBuilder` from `pkg`, bundled by esbuild for browsers, minified. */
async function app(pkg) {
  const result = await build({
    stdin: { contents: `import { HubConnectionBuilder } from "${pkg}";\nwindow.HubConnectionBuilder = HubConnectionBuilder;`, resolveDir: root },
    bundle: true,
    minify: true,
    write: false,
    format: "iife",
    target: "es2017",
    platform: "browser",
    logLevel: "silent",
  });
  return gzip(result.outputFiles[0].contents);
}

const rows = [
  ["hubwire.min.js (signalr.min.js)", ours("hubwire.min.js"), official("@microsoft/signalr/dist/browser/signalr.min.js"), 6000],
  [
    "hubwire-msgpack.min.js (signalr-protocol-msgpack)",
    ours("hubwire-msgpack.min.js"),
    official("@microsoft/signalr-protocol-msgpack/dist/browser/signalr-protocol-msgpack.min.js"),
    4000,
  ],
  ["esbuild app using HubConnectionBuilder", await app("hubwire"), await app("@microsoft/signalr"), 6500],
];

console.log("bytes, gzip -9".padEnd(50), "hubwire".padStart(9), "official".padStart(9), "ratio".padStart(7), "budget".padStart(12));
for (const [name, size, theirs, budget] of rows) {
  const verdict = size <= budget ? "within" : "OVER";
  console.log(name.padEnd(50), String(size).padStart(9), String(theirs).padStart(9), `${((size / theirs) * 100).toFixed(0)}%`.padStart(7), `${budget} ${verdict}`.padStart(12));
}

// Where the core's bytes go: each source module's share of the same app built from src/
// (minified bytes in the output; gzip does not split by module, so these are raw).
if (process.argv.includes("--modules")) {
  const { modules } = await buildAppFromSrc();
  console.log("\nminified bytes per module in the esbuild app (npm run bench:size -- --modules)");
  for (const [path, bytes] of modules) {
    console.log(String(bytes).padStart(7), path);
  }
}
