// node bench/src-size.mjs [filter] — a quick size check while changing src/: the esbuild app
// that imports only HubConnectionBuilder, built straight from the TypeScript sources (no dist/
// needed; private members renamed as the build does), minified + gzip -9, then minified bytes per module (only paths containing `filter`).
// A proxy for `npm run bench:size`, which measures the real build.
import { build } from "esbuild";
import { readFileSync } from "node:fs";
import ts from "typescript";
import { privateNameMap, renamePrivateMembers } from "../scripts/privateNames.mjs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const filter = process.argv[2] ?? "";

// Private members (`_name`) get their short names, as in the real build (rollup.config.mjs).
const transformers = { after: [renamePrivateMembers(privateNameMap(join(root, "src")))] };
const renamePrivate = {
  name: "rename-private",
  setup(b) {
    b.onLoad({ filter: /[\\/]src[\\/].*\.ts$/ }, ({ path }) => {
      const { outputText } = ts.transpileModule(readFileSync(path, "utf8"), {
        fileName: path,
        compilerOptions: { target: ts.ScriptTarget.ES2017, module: ts.ModuleKind.ESNext, verbatimModuleSyntax: true },
        transformers,
      });
      return { contents: outputText, loader: "js" };
    });
  },
};
const result = await build({
  stdin: { contents: `import { HubConnectionBuilder } from "./src/index.ts";\nwindow.HubConnectionBuilder = HubConnectionBuilder;`, resolveDir: root },
  alias: { "#platform": join(root, "src/platform/browser.ts") },
  plugins: [renamePrivate],
  bundle: true,
  minify: true,
  write: false,
  metafile: true,
  format: "iife",
  target: "es2017",
  platform: "browser",
  logLevel: "silent",
});
const code = result.outputFiles[0].contents;
console.log(`esbuild app from src/: ${code.byteLength} bytes minified, ${gzipSync(code, { level: 9 }).byteLength} gzip -9`);
const [output] = Object.values(result.metafile.outputs);
const modules = Object.entries(output.inputs).filter(([path]) => path.includes(filter));
modules.sort((a, b) => b[1].bytesInOutput - a[1].bytesInOutput);
let total = 0;
for (const [path, { bytesInOutput }] of modules) {
  total += bytesInOutput;
  console.log(String(bytesInOutput).padStart(7), path);
}
console.log(String(total).padStart(7), `total${filter ? ` of ${filter}` : ""}`);
