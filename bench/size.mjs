// npm run bench:size — minified + gzip -9 sizes of hubwire's browser code,
// each printed beside @microsoft/signalr's. Measures, never asserts.
import { build } from "esbuild";
import { readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const gzip = (code) => gzipSync(code, { level: 9 }).byteLength;
const official = (path) => gzip(readFileSync(join(root, "node_modules", path)));

/** Bundles an entry minified for browsers; `external` keeps matching imports out of the count. */
async function minified(entry, { external = () => false } = {}) {
  const result = await build({
    entryPoints: [join(root, entry)],
    bundle: true,
    minify: true,
    write: false,
    format: "esm",
    target: "es2017",
    platform: "browser",
    alias: { "#platform": join(root, "src/platform/browser.ts") },
    plugins: [
      {
        name: "external-core",
        setup(b) {
          b.onResolve({ filter: /^\./ }, (args) => {
            const path = resolve(args.resolveDir, args.path.replace(/\.js$/, ".ts"));
            return external(path) ? { path: args.path, external: true } : undefined;
          });
        },
      },
    ],
  });
  return gzip(result.outputFiles[0].contents);
}

const msgpackDir = join(root, "src", "msgpack");
const rows = [
  [
    "MessagePack entry (core external), min+gz",
    await minified("src/msgpack/index.ts", { external: (path) => !path.startsWith(msgpackDir) }),
    official("@microsoft/signalr-protocol-msgpack/dist/browser/signalr-protocol-msgpack.min.js"),
    4000,
  ],
];

console.log("bytes, gzip -9".padEnd(46), "hubwire".padStart(9), "official".padStart(9), "ratio".padStart(7), "budget".padStart(8));
for (const [name, ours, theirs, budget] of rows) {
  const verdict = ours <= budget ? "within" : "OVER";
  console.log(name.padEnd(46), String(ours).padStart(9), String(theirs).padStart(9), `${((ours / theirs) * 100).toFixed(0)}%`.padStart(7), `${budget} ${verdict}`.padStart(8));
}
