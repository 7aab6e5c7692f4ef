/**
 * Helpers for the consumer tests: apps copied from fixtures/ into the directory where
 * global-setup.ts installed the packed hubwire, and the checks every browser bundle must pass.
 */
import { execFile } from "node:child_process";
import { cpSync, readFileSync } from "node:fs";
import { builtinModules } from "node:module";
import { join, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { inject } from "vitest";

export const repo = fileURLToPath(new URL("../..", import.meta.url));
const fixtures = fileURLToPath(new URL("./fixtures", import.meta.url));

/** The directory whose node_modules holds the packed, installed hubwire (outside the repo). */
export const consumerRoot = (): string => inject("consumerRoot");

/** Copies fixtures/<fixture> to a new app directory <consumerRoot>/<name> and returns its path. */
export function createApp(fixture: string, name = fixture): string {
  const dir = join(consumerRoot(), name);
  cpSync(join(fixtures, fixture), dir, { recursive: true, errorOnExist: true, force: false });
  return dir;
}

/** Forward slashes, so paths compare the same on every OS. */
export const slash = (path: string): string => path.split(sep).join("/");

export const runFile = promisify(execFile);

// ---------------------------------------------------------------------------------------------
// What must not be in a browser bundle

/**
 * Strings distinctive of each Node-only package (string literals: they survive minification),
 * with the files of the installed package that contain them. bundlers.test.ts checks that they
 * still do, so a marker that no longer matches its package fails instead of passing silently.
 */
export const nodeOnlyMarkers: { pkg: string; marker: string; foundIn: string[] }[] = [
  { pkg: "ws", marker: "258EAFA5-E914-47DA-95CA-C5AB0DC85B11", foundIn: ["ws/lib/constants.js"] },
  // What the "browser" condition of ws resolves to.
  { pkg: "ws", marker: "ws does not work in the browser", foundIn: ["ws/browser.js"] },
  { pkg: "eventsource", marker: "Server sent HTTP 204, not reconnecting", foundIn: ["eventsource/dist/index.js", "eventsource/dist/index.cjs"] },
  { pkg: "tough-cookie", marker: "Cookie has domain set to a public suffix", foundIn: ["tough-cookie/dist/index.js", "tough-cookie/dist/index.cjs"] },
  { pkg: "tough-cookie", marker: "CookieJar store is not synchronous", foundIn: ["tough-cookie/dist/index.js", "tough-cookie/dist/index.cjs"] },
];

/** Node builtins, with and without `node:` (fs, node:fs, fs/promises, …). */
const builtins = [...new Set(builtinModules.flatMap((name) => [name.replace(/^node:/, ""), `node:${name.replace(/^node:/, "")}`]))];
const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
/** An import of a Node builtin or Node-only package left in the output, in any module syntax. */
const nodeImport = new RegExp(
  `(?:require\\(\\s*|\\bfrom\\s*|\\bimport\\s*\\(\\s*|\\bimport\\s*)["'\`](${[...builtins, "ws", "eventsource", "tough-cookie", "tldts"].map(escape).join("|")})["'\`]`,
  "g",
);

/**
 * Everything in `code` that looks like Node-only code: a marker of ws, eventsource or
 * tough-cookie, an import/require of a Node builtin or of those packages, or Vite's stub for a
 * Node builtin it "externalized for browser compatibility".
 */
export function nodeOnlyCodeIn(code: string): string[] {
  return [
    ...nodeOnlyMarkers.filter(({ marker }) => code.includes(marker)).map(({ pkg, marker }) => `${pkg} code ("${marker}")`),
    ...[...code.matchAll(nodeImport)].map((match) => `an import of ${match[1]} (${match[0]})`),
    ...(code.includes("__vite-browser-external") ? ["Vite's __vite-browser-external stub for a Node builtin"] : []),
  ];
}

// ---------------------------------------------------------------------------------------------
// What must be in it

/** Part of every negotiate URL, so in any bundle with a working HubConnectionBuilder. */
export const hubwireMarker = "negotiateVersion";
/** The MessagePack protocol's name, as a string literal: only in bundles that use hubwire/msgpack. */
export const msgpackMarker = /["'`]messagepack["'`]/;

// ---------------------------------------------------------------------------------------------
// Module graphs

/**
 * The modules a bundler reported that are neither the app's own files nor files of hubwire's
 * browser build (`tree`: dist/esm/browser or dist/cjs/browser) in the installed package; `extra`
 * allows more (a bundler's own virtual helper modules). Any ws, eventsource, tough-cookie,
 * `node:` builtin, Node polyfill (buffer, process, …) or hubwire Node build shows up here.
 */
export function unexpectedModules(modules: string[], { app, tree, extra = () => false }: { app: string; tree: "esm" | "cjs"; extra?: (id: string) => boolean }): string[] {
  const appDir = `${slash(app)}/`;
  const browserBuild = `${slash(consumerRoot())}/node_modules/hubwire/dist/${tree}/browser/`;
  return modules.filter((id) => {
    const path = slash(id);
    if (path.startsWith(browserBuild)) return false;
    if (path.startsWith(appDir) && !path.includes("/node_modules/")) return false;
    return !extra(id);
  });
}

/** The hubwire browser-build files among `modules`, relative to the installed package. */
export function hubwireFiles(modules: string[]): string[] {
  const pkg = `${slash(consumerRoot())}/node_modules/hubwire/`;
  return modules.map(slash).filter((path) => path.startsWith(pkg)).map((path) => path.slice(pkg.length)).sort();
}

export const readText = (path: string): string => readFileSync(path, "utf8");
