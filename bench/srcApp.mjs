// The esbuild app that imports only HubConnectionBuilder, built straight from the TypeScript
// sources (no dist/ needed), with private members renamed as the real build does
// (rollup.config.mjs). Used by bench/src-size.mjs and `npm run bench:size -- --modules`.
import { build } from "esbuild";
import { readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";
import { privateNameMap, renamePrivateMembers } from "../scripts/privateNames.mjs";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");

/** Transpiles each src/ module to ES2017, as rollup.config.mjs does, renaming private members. */
function renamePrivate() {
  const transformers = { after: [renamePrivateMembers(privateNameMap(join(root, "src")))] };
  return {
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
}

/**
 * Builds the app, minified.
 * @returns its code, and each input module with the minified bytes it has in the output, largest first.
 */
export async function buildAppFromSrc() {
  const result = await build({
    stdin: { contents: `import { HubConnectionBuilder } from "./src/index.ts";\nwindow.HubConnectionBuilder = HubConnectionBuilder;`, resolveDir: root },
    alias: { "#platform": join(root, "src/platform/browser.ts") },
    plugins: [renamePrivate()],
    bundle: true,
    minify: true,
    write: false,
    metafile: true,
    format: "iife",
    target: "es2017",
    platform: "browser",
    logLevel: "silent",
  });
  const [output] = Object.values(result.metafile.outputs);
  const modules = Object.entries(output.inputs).map(([path, { bytesInOutput }]) => [path, bytesInOutput]);
  return { code: result.outputFiles[0].contents, modules: modules.sort((a, b) => b[1] - a[1]) };
}
