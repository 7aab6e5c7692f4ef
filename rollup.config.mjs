// Builds dist/ (`npm run build` first runs `tsc -p tsconfig.build.json` for the declarations).
//
//   dist/browser/  UMD bundles for <script> tags, global `signalR` (every export of src/index.ts):
//                  hubwire{,.min,.es5,.es5.min}.js and hubwire-msgpack{…}.js, each with a source map.
//                  The MessagePack bundle reads the core from `signalR` (require("hubwire") / AMD
//                  "hubwire") and adds signalR.protocols.msgpack.MessagePackHubProtocol.
//   dist/esm/      native ESM (specifiers with extensions): node/ and browser/ trees, each with the
//                  entries index.js and msgpack.js sharing chunks/ (so ProtocolError exists once),
//                  and types/ (tsc's declarations, one tree for both).
//   dist/cjs/      the same as CommonJS (.cjs), with types/ as .d.cts (copied from dist/esm/types).
//
// #platform is resolved here, at build time, and never reaches the package: each library build is
// made twice, with src/platform/node.ts (ws, eventsource, tough-cookie) or src/platform/browser.ts
// inlined. package.json "exports" picks the tree by the `node` / `browser` conditions (anything
// else gets the browser tree: it needs only web globals); for tools that ignore "exports"
// (browserify, webpack 4), the "browser" field points at dist/cjs/browser/index.cjs, and
// msgpack/package.json does the same for hubwire/msgpack. So no consumer needs "imports" support,
// and nothing a browser build can reach imports a Node module: the browser builds fail if
// anything tries (see `nodeOnly`).
//
// Syntax: TypeScript's own transpiler (one module at a time, target ES2017 as in tsconfig.json)
// for every output. It lowers object spread to Object.assign and needs no helper library, where
// esbuild at es2017 pastes its spread helpers into each module (about 350 bytes more gzipped).
// The ES5 bundles then go through Babel: preset-env for ES5 browsers (IE 11) with
// `useBuiltIns: "usage"` + core-js 3 (Promise, Map, Set, Symbol, URL, … polyfilled inside the
// bundle), @babel/plugin-transform-runtime for helpers and regenerator (async functions), and
// the two web APIs core-js lacks: AbortController and TextEncoder/TextDecoder.
//
// Versions: TypeScript stays 5.9 — TypeScript 7 is the native compiler, without the JS API this
// transpile step (like rollup's TypeScript plugins) needs. Babel stays 7 — Babel 8 needs Node 22.18+
// and drops preset-env's useBuiltIns. Rollup is pinned exactly (package.json): the npm registry
// this project installs from serves newer rollup releases without their native packages for other
// platforms, and `npm ci` rejects a lockfile that lacks them.
//
// third-party-notices.txt lists every package whose code is in a browser bundle; the build
// regenerates it and fails when the committed file differs (`npm run notices:update` rewrites it).
import { babel } from "@rollup/plugin-babel";
import commonjs from "@rollup/plugin-commonjs";
import { nodeResolve } from "@rollup/plugin-node-resolve";
import terser from "@rollup/plugin-terser";
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";
import { privateNameMap, renamePrivateMembers } from "./scripts/privateNames.mjs";

const root = dirname(fileURLToPath(import.meta.url));
const readJson = (path) => JSON.parse(readFileSync(path, "utf8"));
const pkg = readJson(join(root, "package.json"));
const src = (path) => join(root, "src", path);
const nodeModules = join(root, "node_modules");

const dependencies = Object.keys(pkg.dependencies ?? {});
const isNodeOnly = (id) => id.startsWith("node:") || dependencies.some((dep) => id === dep || id.startsWith(`${dep}/`));

/**
 * TypeScript → ES2017 JavaScript, module by module; `./x.js` imports resolve to `./x.ts`.
 * Private members (`_name`) get short names, the same in every build (scripts/privateNames.mjs).
 */
function typescript() {
  const transformers = { after: [renamePrivateMembers(privateNameMap(join(root, "src")))] };
  const { config } = ts.readConfigFile(join(root, "tsconfig.json"), ts.sys.readFile);
  const { options } = ts.parseJsonConfigFileContent(config, ts.sys, root);
  const compilerOptions = { ...options, target: ts.ScriptTarget.ES2017, module: ts.ModuleKind.ESNext, noEmit: false, sourceMap: true, inlineSources: true };
  return {
    name: "hubwire-typescript",
    resolveId(source, importer) {
      if (importer?.endsWith(".ts") && source.startsWith(".") && source.endsWith(".js")) {
        const file = resolve(dirname(importer), `${source.slice(0, -3)}.ts`);
        if (existsSync(file)) return file;
      }
      return null;
    },
    transform(code, id) {
      if (!id.endsWith(".ts")) return null;
      const out = ts.transpileModule(code, { fileName: id, compilerOptions, reportDiagnostics: true, transformers });
      for (const diagnostic of out.diagnostics ?? []) this.error(ts.flattenDiagnosticMessageText(diagnostic.messageText, "\n"));
      return { code: out.outputText.replace(/\n\/\/# sourceMappingURL=.*$/, ""), map: out.sourceMapText };
    },
  };
}

/** Resolves `#platform` to src/platform/<name>.ts. */
function platform(name) {
  return { name: "hubwire-platform", resolveId: (source) => (source === "#platform" ? src(`platform/${name}.ts`) : null) };
}

/** Fails a browser build that reaches a Node-only module. */
function nodeOnly() {
  return {
    name: "hubwire-no-node-modules",
    resolveId(source, importer) {
      if (isNodeOnly(source)) this.error(`${source} (imported by ${relative(root, importer ?? "")}) must not be in a browser build.`);
      return null;
    },
  };
}

/** The names src/index.ts exports at run time (type-only exports aside). */
function coreExports() {
  const file = ts.createSourceFile("index.ts", readFileSync(src("index.ts"), "utf8"), ts.ScriptTarget.Latest);
  return new Set(
    file.statements
      .filter((node) => ts.isExportDeclaration(node) && !node.isTypeOnly && node.exportClause && ts.isNamedExports(node.exportClause))
      .flatMap((node) => node.exportClause.elements.filter((element) => !element.isTypeOnly).map((element) => element.name.text)),
  );
}

/**
 * In the MessagePack UMD bundle, everything outside src/msgpack is the core: the external
 * "hubwire" (global `signalR`). Fails the build if it needs a name the core does not export.
 */
function coreAsExternal() {
  const msgpackDir = src("msgpack") + sep;
  return {
    name: "hubwire-core-external",
    resolveId(source, importer) {
      if (!importer?.startsWith(msgpackDir) || !source.startsWith(".")) return null;
      const target = resolve(dirname(importer), source);
      return target.startsWith(msgpackDir) ? null : { id: "hubwire", external: true };
    },
    generateBundle(_options, bundle) {
      const exported = coreExports();
      for (const chunk of Object.values(bundle)) {
        const missing = (chunk.importedBindings?.hubwire ?? []).filter((name) => !exported.has(name));
        if (missing.length > 0) this.error(`The MessagePack bundle reads ${missing.join(", ")} from signalR, which src/index.ts does not export.`);
      }
    },
  };
}

/** Warnings that mean a broken bundle fail the build. */
function onwarn(warning, warn) {
  if (["UNRESOLVED_IMPORT", "MISSING_EXPORT", "MISSING_GLOBAL_NAME"].includes(warning.code)) {
    throw new Error(warning.message);
  }
  warn(warning);
}

// ---------------------------------------------------------------------------------------------
// third-party-notices.txt

const noticesFile = join(root, "third-party-notices.txt");
/** package name → { package.json, bundles it is in } */
const bundledPackages = new Map();
const pendingBundles = new Set();

function packageOf(file) {
  for (let dir = dirname(file); dir.startsWith(nodeModules + sep); dir = dirname(dir)) {
    const manifest = join(dir, "package.json");
    if (existsSync(manifest)) {
      const json = readJson(manifest);
      if (json.name && json.version) return { dir, json };
    }
  }
  throw new Error(`No package.json with a name found for ${file}`);
}

function licenceText(dir) {
  const file = readdirSync(dir).find((name) => /^(licen[cs]e|copying)(\.(md|txt))?$/i.test(name));
  if (!file) throw new Error(`${dir} has no LICENSE file: add its notice by hand or drop the package.`);
  return readFileSync(join(dir, file), "utf8").replace(/\r\n/g, "\n").trim();
}

function renderNotices() {
  const names = [...bundledPackages.keys()].sort();
  const rule = "-".repeat(78);
  const sections = names.map((name) => {
    const { json, dir, bundles } = bundledPackages.get(name);
    const repository = typeof json.repository === "string" ? json.repository : json.repository?.url;
    return [
      rule,
      `${name} (${json.license})`,
      ...(repository || json.homepage ? [`${(repository || json.homepage).replace(/^git\+/, "")}`] : []),
      `In: ${[...bundles].sort().join(", ")}`,
      "",
      licenceText(dir),
      "",
    ].join("\n");
  });
  return [
    "Third-party software in hubwire's browser bundles (dist/browser/)",
    "",
    "hubwire itself is MIT-licensed (see package.json). The bundles listed below also contain",
    "code from these packages, under the licences that follow. Generated by `npm run build`",
    "(rollup.config.mjs) from the modules each bundle contains; do not edit by hand.",
    "",
    ...sections,
  ].join("\n");
}

/** Records the packages whose modules are in each bundle; after the last bundle, writes or checks the notices. */
function thirdPartyNotices({ update }) {
  const plugin = {
    name: "hubwire-third-party-notices",
    generateBundle(_options, bundle) {
      for (const chunk of Object.values(bundle)) {
        if (chunk.type !== "chunk") continue;
        for (const [id, info] of Object.entries(chunk.modules)) {
          if (info.renderedLength === 0 || !id.startsWith(nodeModules + sep)) continue;
          const { dir, json } = packageOf(id);
          const entry = bundledPackages.get(json.name) ?? { dir, json, bundles: new Set() };
          entry.bundles.add(chunk.fileName.replace(/\.min\.js$/, ".js"));
          bundledPackages.set(json.name, entry);
        }
      }
    },
    closeBundle() {
      pendingBundles.delete(plugin);
      if (pendingBundles.size > 0) return;
      const expected = renderNotices();
      // CRLF-tolerant: a Windows checkout may convert the committed file's line ends.
      const committed = existsSync(noticesFile) ? readFileSync(noticesFile, "utf8").replace(/\r\n/g, "\n") : "";
      if (committed === expected) return;
      if (update) {
        writeFileSync(noticesFile, expected);
        console.log("third-party-notices.txt updated: commit it.");
      } else {
        throw new Error("third-party-notices.txt does not match what the browser bundles contain: run `npm run notices:update` and commit the file.");
      }
    },
  };
  pendingBundles.add(plugin);
  return plugin;
}

// ---------------------------------------------------------------------------------------------
// .d.cts declarations for the CommonJS tree

/** Copies dist/esm/types/**.d.ts to dist/cjs/types/**.d.cts, with `./x.js` specifiers as `./x.cjs`. */
function commonJsDeclarations() {
  const from = join(root, "dist/esm/types");
  const to = join(root, "dist/cjs/types");
  const copy = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) {
        copy(path);
      } else if (entry.name.endsWith(".d.ts")) {
        const target = join(to, relative(from, path)).replace(/\.d\.ts$/, ".d.cts");
        mkdirSync(dirname(target), { recursive: true });
        const code = readFileSync(path, "utf8").replace(/(["'])(\.{1,2}\/[^"']*)\.js\1/g, "$1$2.cjs$1");
        writeFileSync(target, code);
      }
    }
  };
  return {
    name: "hubwire-commonjs-declarations",
    closeBundle() {
      if (!existsSync(from)) this.error("dist/esm/types is missing: run `tsc -p tsconfig.build.json` first (npm run build does).");
      copy(from);
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Builds

/** dist/esm/<platform> and dist/cjs/<platform>: the two entries sharing chunks. */
function library(platformName) {
  const shared = { sourcemap: true, generatedCode: "es2015" };
  return {
    input: { index: src("index.ts"), msgpack: src("msgpack/index.ts") },
    external: platformName === "node" ? isNodeOnly : [],
    plugins: [platformName === "browser" && nodeOnly(), platform(platformName), typescript(), platformName === "node" && commonJsDeclarations()],
    onwarn,
    output: [
      { ...shared, dir: `dist/esm/${platformName}`, format: "es", entryFileNames: "[name].js", chunkFileNames: "chunks/[name].js" },
      { ...shared, dir: `dist/cjs/${platformName}`, format: "cjs", entryFileNames: "[name].cjs", chunkFileNames: "chunks/[name].cjs", exports: "named" },
    ],
  };
}

const terserOptions = (ecma) => ({
  ecma,
  compress: { passes: 2 },
  format: { comments: /^!/ },
  // No keep_classnames: the error classes spell out their `name`, so renaming them is harmless.
});

const coreJsVersion = readJson(join(nodeModules, "core-js/package.json")).version;
const babelRuntimeVersion = readJson(join(nodeModules, "@babel/runtime/package.json")).version;

/**
 * Polyfills of APIs newer than ES2020 that "usage" mode injects only because it cannot tell
 * which object a method is called on (`x.at()`, `new Uint8Array` bringing every typed-array
 * method, …). tsconfig.json's lib is ES2020, so the code cannot call any of them.
 */
const newerThanEs2020 = [
  /^(es|esnext)\.(array|typed-array)\.(at|find-last|find-last-index|to-reversed|to-sorted|to-spliced|with)$/,
  /^(es|esnext)\.array-buffer\.(detached|transfer|transfer-to-fixed-length)$/,
  /^(es|esnext)\.uint8-array\./,
  /^(es|esnext)\.set\..*\.v2$/,
  /^(es|esnext)\.iterator\./,
  /^(es|esnext)\.map\.get-or-insert/,
  /^(es|esnext)\.json\.parse$/,
  /^(es|esnext)\.error\.cause$/,
  /^(es|esnext)\.string\.(at-alternative|replace-all|is-well-formed|to-well-formed)$/,
  /^(es|esnext)\.promise\.(any|all-settled|with-resolvers|try)$/,
  /^web\.url-search-params\.(delete|has|size)$/,
  /^web\.url\.(can-parse|parse)$/,
];

/** ES5: Babel after TypeScript, with core-js polyfills and the runtime helpers bundled. */
function es5() {
  return babel({
    babelrc: false,
    configFile: false,
    babelHelpers: "runtime",
    extensions: [".ts", ".js"],
    include: [src("**")],
    presets: [["@babel/preset-env", { targets: { ie: "11" }, bugfixes: true, modules: false, useBuiltIns: "usage", corejs: coreJsVersion, exclude: newerThanEs2020 }]],
    plugins: [["@babel/plugin-transform-runtime", { corejs: false, helpers: true, regenerator: true, version: babelRuntimeVersion }]],
  });
}

/**
 * Web APIs the code uses that core-js does not polyfill, imported first by the ES5 entries:
 * AbortController, TextEncoder/TextDecoder, and TextEncoder#encodeInto (which the MessagePack
 * encoder uses and fast-text-encoding lacks; its destination always has room for the whole string).
 */
const encodeInto = "\0hubwire-encode-into";
const es5Polyfills = {
  // core-js/es/symbol in full: "usage" mode alone brings only Symbol.asyncIterator (for client-to-server streams),
  // which leaves a Symbol without Symbol.iterator where there is no native one, and every spread of a
  // Map iterator then throws. The MessagePack bundle relies on the core bundle's globals.
  core: ["core-js/es/symbol", "abortcontroller-polyfill/dist/abortcontroller-polyfill-only.js", "fast-text-encoding", encodeInto],
  msgpack: ["fast-text-encoding", encodeInto],
};
const virtualModules = {
  [encodeInto]: `var proto = typeof TextEncoder === "function" && TextEncoder.prototype;
if (proto && !proto.encodeInto) {
  proto.encodeInto = function (source, destination) {
    var bytes = this.encode(source);
    destination.set(bytes);
    return { read: source.length, written: bytes.length };
  };
}`,
};

/** The ES5 entry (the virtual module `es5Entry`): imports `polyfills` first, then re-exports `input`. */
const es5Entry = "\0hubwire-es5-entry";
function withPolyfills(input, polyfills) {
  const modules = { ...virtualModules, [es5Entry]: [...polyfills.map((p) => `import ${JSON.stringify(p)};`), `export * from ${JSON.stringify(input)};`].join("\n") };
  return {
    name: "hubwire-es5-entry",
    resolveId: (source) => (source in modules ? source : null),
    load: (id) => modules[id] ?? null,
  };
}

/** dist/browser/<file>.js and .min.js: UMD, modern (ES2017) or ES5. */
function umd({ file, input, es5: isEs5, msgpack, update }) {
  const banner = isEs5 ? `/*! hubwire ${pkg.version} (MIT). Bundles third-party code: see third-party-notices.txt in the hubwire package. */` : undefined;
  const output = {
    format: "umd",
    sourcemap: true,
    // No Symbol.toStringTag / __esModule marks on the global: a <script> page never needs them.
    generatedCode: { preset: isEs5 ? "es5" : "es2015", symbols: false },
    esModule: false,
    banner,
    ...(msgpack ? { name: "signalR.protocols.msgpack", extend: true, globals: { hubwire: "signalR" } } : { name: "signalR" }),
    exports: "named",
  };
  return {
    input: isEs5 ? es5Entry : input,
    external: msgpack ? ["hubwire"] : [],
    plugins: [
      isEs5 && withPolyfills(input, es5Polyfills[msgpack ? "msgpack" : "core"]),
      nodeOnly(),
      msgpack && coreAsExternal(),
      platform(isEs5 ? "browserEs5" : "browser"),
      typescript(),
      isEs5 && nodeResolve({ browser: true }),
      isEs5 && commonjs(),
      isEs5 && es5(),
      thirdPartyNotices({ update }),
    ],
    onwarn,
    output: [
      { ...output, file: `dist/browser/${file}.js` },
      { ...output, file: `dist/browser/${file}.min.js`, plugins: [terser(terserOptions(isEs5 ? 5 : 2017))] },
    ],
  };
}

export default (args) => {
  const update = Boolean(args.configUpdateNotices);
  return [
    library("node"),
    library("browser"),
    umd({ file: "hubwire", input: src("index.ts"), update }),
    umd({ file: "hubwire.es5", input: src("index.ts"), es5: true, update }),
    umd({ file: "hubwire-msgpack", input: src("msgpack/index.ts"), msgpack: true, update }),
    umd({ file: "hubwire-msgpack.es5", input: src("msgpack/index.ts"), msgpack: true, es5: true, update }),
  ];
};
