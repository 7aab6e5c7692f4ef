/**
 * Browser apps that `npm install` hubwire, built with the mainstream bundlers as their users
 * would: production builds, browser targets, and no Node polyfills or fallbacks configured.
 * Each bundler is run through its JS API from the repo's node_modules, with the app (outside the
 * repo, hubwire installed from the packed tarball) as its root; see global-setup.ts.
 *
 * For every app:
 * - the build succeeds without warnings;
 * - its module graph (Vite/rolldown output chunks' moduleIds, webpack stats modules, esbuild
 *   metafile inputs and external imports, browserify "file" events) holds only the app's files
 *   and hubwire's browser build: no ws, eventsource, tough-cookie, `node:` builtin, Node polyfill
 *   (buffer, process, …) or hubwire Node build;
 * - its output has no code of those packages (their distinctive strings), no import of a Node
 *   builtin and no Vite browser-external stub, but does contain hubwire's client.
 */
import { build as esbuild } from "esbuild";
import { createRequire } from "node:module";
import { join, resolve } from "node:path";
import { build as viteBuild, createLogger } from "vite";
import webpack, { type StatsModule } from "webpack";
import { beforeAll, describe, expect, it } from "vitest";
import {
  consumerRoot,
  createApp,
  hubwireFiles,
  hubwireMarker,
  msgpackMarker,
  nodeOnlyCodeIn,
  nodeOnlyMarkers,
  readText,
  unexpectedModules,
} from "./support.js";

/** What each build produced: its output JavaScript, the modules in it, and any warnings. */
interface Built {
  code: string;
  modules: string[];
  warnings: string[];
}

/**
 * Runs `build` once, before the suite's tests. A failed build is reported by the first test
 * (`build.error`); the other tests then fail too, on reading `build.result`.
 */
function buildOnce<T extends Built>(build: () => Promise<T>): { readonly error: unknown; readonly result: T } {
  let result: T | undefined;
  let error: unknown;
  beforeAll(async () => {
    try {
      result = await build();
    } catch (caught) {
      error = caught;
    }
  });
  return {
    get error() {
      return error;
    },
    get result() {
      if (!result) throw new Error(`the build failed: ${error instanceof Error ? error.message : String(error)}`);
      return result;
    },
  };
}

describe("the checks' markers", () => {
  for (const { pkg, marker, foundIn } of nodeOnlyMarkers) {
    it(`the ${pkg} marker "${marker}" occurs in the installed ${foundIn.join(" and ")}`, () => {
      for (const file of foundIn) {
        expect(readText(join(consumerRoot(), "node_modules", file)), file).toContain(marker);
      }
    });
  }

  it("imports of Node builtins and Node-only packages are found in every module syntax", () => {
    expect(nodeOnlyCodeIn(`var a=require("node:fs"),b=require( 'events' );import("http");`)).toHaveLength(3);
    expect(nodeOnlyCodeIn(`import {x} from"fs/promises";import "node:stream";export * from 'ws'`)).toHaveLength(3);
    expect(nodeOnlyCodeIn(`const events = "events"; import("./ws.js"); require("./fs")`)).toEqual([]);
  });
});

/**
 * The tests every app's bundle must pass. `graph` names the module graph the bundler reports,
 * `tree` the hubwire build it must use; `bundlerOwn` accepts the bundler's own virtual modules.
 */
function bundleTests(
  build: { readonly result: Built },
  app: () => string,
  { graph, tree, msgpack, bundlerOwn }: { graph: string; tree: "esm" | "cjs"; msgpack: boolean; bundlerOwn?: (id: string) => boolean },
): void {
  const entries = msgpack ? ["index", "msgpack"] : ["index"];
  const ext = tree === "esm" ? "js" : "cjs";

  it(`bundles only the app and hubwire's browser build, dist/${tree}/browser (${graph})`, () => {
    const { modules } = build.result;
    expect(unexpectedModules(modules, { app: app(), tree, ...(bundlerOwn ? { extra: bundlerOwn } : {}) })).toEqual([]);
    expect(hubwireFiles(modules)).toEqual(expect.arrayContaining(entries.map((entry) => `dist/${tree}/browser/${entry}.${ext}`)));
  });

  it("output has no ws, eventsource, tough-cookie or Node builtin code", () => {
    expect(nodeOnlyCodeIn(build.result.code)).toEqual([]);
  });

  if (msgpack) {
    it("output contains hubwire's client and the MessagePack protocol", () => {
      expect(build.result.code).toContain(hubwireMarker);
      expect(build.result.code).toMatch(msgpackMarker);
    });
  } else {
    it("output contains hubwire's client and, as the app does not import hubwire/msgpack, no MessagePack protocol", () => {
      expect(build.result.code).toContain(hubwireMarker);
      expect(build.result.code).not.toMatch(msgpackMarker);
    });
  }
}

describe("a Vite app (production build)", () => {
  let app = "";
  const build = buildOnce(async () => {
    app = createApp("vite");
    const warnings: string[] = [];
    const logger = createLogger("warn", { allowClearScreen: false });
    logger.warn = logger.warnOnce = (message) => void warnings.push(message);
    let isProduction: boolean | undefined;
    // vitest sets NODE_ENV=test, which would make Vite build in development mode.
    const nodeEnv = process.env["NODE_ENV"];
    process.env["NODE_ENV"] = "production";
    try {
      const result = await viteBuild({
        root: app,
        configFile: false,
        mode: "production",
        logLevel: "warn",
        customLogger: logger,
        build: { outDir: "dist", emptyOutDir: true, manifest: true },
        plugins: [{ name: "record-mode", configResolved: (config) => void (isProduction = config.isProduction) }],
      });
      if (!("output" in result || Array.isArray(result))) throw new Error("vite build returned a watcher");
      const chunks = (Array.isArray(result) ? result : [result]).flatMap((output) => output.output).filter((item) => item.type === "chunk");
      const manifest = JSON.parse(readText(join(app, "dist/.vite/manifest.json"))) as Record<string, { file: string; isEntry?: boolean }>;
      return {
        code: chunks.map((chunk) => readText(join(app, "dist", chunk.fileName))).join("\n"),
        modules: chunks.flatMap((chunk) => chunk.moduleIds),
        warnings,
        isProduction,
        entry: manifest["index.html"],
        chunkFiles: chunks.map((chunk) => chunk.fileName),
      };
    } finally {
      if (nodeEnv === undefined) delete process.env["NODE_ENV"];
      else process.env["NODE_ENV"] = nodeEnv;
    }
  });

  it("builds in production mode with no Node polyfills configured, without warnings", () => {
    expect(build.error).toBeUndefined();
    expect(build.result.isProduction).toBe(true);
    expect(build.result.warnings).toEqual([]);
    // .vite/manifest.json names index.html's entry chunk, which is among the chunks checked below.
    expect(build.result.entry?.isEntry).toBe(true);
    expect(build.result.chunkFiles).toContain(build.result.entry?.file);
  });

  // Vite's and rolldown's own virtual modules (the modulepreload polyfill, the runtime helpers) are no packages.
  const bundlerOwn = (id: string) => id.startsWith("\0vite/") || id === "\0rolldown/runtime.js";
  bundleTests(build, () => app, { graph: "rolldown output chunks' moduleIds", tree: "esm", msgpack: true, bundlerOwn });
});

describe("a webpack 5 app (mode production, target web, no resolve.fallback)", () => {
  let app = "";
  const build = buildOnce(async () => {
    app = createApp("webpack");
    const compiler = webpack({
      mode: "production",
      target: "web",
      context: app,
      entry: "./main.js",
      output: { path: join(app, "dist"), filename: "main.js" },
      devtool: false,
      infrastructureLogging: { level: "none" },
    });
    const stats = await new Promise<webpack.Stats>((resolve, reject) => compiler.run((error, result) => (error || !result ? reject(error) : resolve(result))));
    await new Promise((resolve) => compiler.close(resolve));
    const json = stats.toJson({ all: false, modules: true, nestedModules: true, errors: true, warnings: true });
    if (stats.hasErrors()) throw new Error(`webpack: ${json.errors?.map((error) => error.message).join("\n")}`);
    // A concatenated module lists the modules it was made of; each of those has its resource path.
    const walk = (modules: StatsModule[]): StatsModule[] => modules.flatMap((module) => [module, ...walk(module.modules ?? [])]);
    const modules = walk(json.modules ?? []).filter((module) => module.type === "module" && !module.modules?.length);
    return {
      code: readText(join(app, "dist/main.js")),
      modules: modules.map((module) => module.nameForCondition ?? String(module.identifier)),
      warnings: json.warnings?.map((warning) => warning.message) ?? [],
    };
  });

  it("builds with no Node polyfills configured, without warnings", () => {
    expect(build.error).toBeUndefined();
    expect(build.result.warnings).toEqual([]);
  });

  bundleTests(build, () => app, { graph: "stats modules, concatenated ones expanded", tree: "esm", msgpack: true });
});

describe("an esbuild app (platform browser, bundle, minify) importing only the core", () => {
  let app = "";
  const build = buildOnce(async () => {
    app = createApp("esbuild");
    const result = await esbuild({
      absWorkingDir: app,
      entryPoints: ["main.js"],
      outfile: "dist/main.js",
      bundle: true,
      minify: true,
      platform: "browser",
      metafile: true,
      logLevel: "silent",
    });
    // An import left external (a node: builtin, say) is in the output's imports, not in the inputs.
    const externals = Object.values(result.metafile.outputs).flatMap((output) => output.imports.filter((i) => i.external).map((i) => i.path));
    return {
      code: readText(join(app, "dist/main.js")),
      // Inputs are relative to absWorkingDir.
      modules: [...Object.keys(result.metafile.inputs).map((input) => resolve(app, input)), ...externals],
      warnings: result.warnings.map((warning) => warning.text),
    };
  });

  it("builds with no Node polyfills configured, without warnings", () => {
    expect(build.error).toBeUndefined();
    expect(build.result.warnings).toEqual([]);
  });

  bundleTests(build, () => app, { graph: "metafile inputs and external imports", tree: "esm", msgpack: false });
});

/** The part of browserify's API used here (it ships no types). */
interface Browserify {
  on(event: "file", listener: (file: string, id: string) => void): Browserify;
  bundle(callback: (error: Error | null, code: Buffer) => void): void;
}

describe("a browserify app (require, default options)", () => {
  let app = "";
  const build = buildOnce(async () => {
    app = createApp("browserify");
    const browserify = createRequire(import.meta.url)("browserify") as (entry: string, options: { basedir: string }) => Browserify;
    const files: string[] = [];
    // "file" fires for every module browserify reads, its builtin shims (process, buffer, …) included.
    const bundler = browserify("./main.js", { basedir: app }).on("file", (file) => void files.push(file));
    const code = await new Promise<Buffer>((resolve, reject) => bundler.bundle((error, result) => (error ? reject(error) : resolve(result))));
    return { code: code.toString("utf8"), modules: files, warnings: [] };
  });

  it("builds with browserify's defaults and no Node polyfills configured", () => {
    expect(build.error).toBeUndefined();
  });

  // hubwire/msgpack resolves through msgpack/package.json's "browser" field: browserify ignores "exports".
  bundleTests(build, () => app, { graph: "every file browserify read, through the browser fields", tree: "cjs", msgpack: true });
});
