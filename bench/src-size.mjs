// node bench/src-size.mjs [filter] — a quick size check while changing src/: the esbuild app
// that imports only HubConnectionBuilder, built straight from the sources (bench/srcApp.mjs),
// minified + gzip -9, then minified bytes per module (only paths containing `filter`).
// A proxy for `npm run bench:size`, which measures the real build.
import { gzipSync } from "node:zlib";
import { buildAppFromSrc } from "./srcApp.mjs";

const filter = process.argv[2] ?? "";
const { code, modules } = await buildAppFromSrc();
console.log(`esbuild app from src/: ${code.byteLength} bytes minified, ${gzipSync(code, { level: 9 }).byteLength} gzip -9`);
let total = 0;
for (const [path, bytes] of modules.filter(([path]) => path.includes(filter))) {
  total += bytes;
  console.log(String(bytes).padStart(7), path);
}
console.log(String(total).padStart(7), `total${filter ? ` of ${filter}` : ""}`);
