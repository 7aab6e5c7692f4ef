/**
 * A tiny static server on 127.0.0.1 for the browser tests: the pages load hubwire's built
 * bundles with <script> tags (or importScripts in a worker) from here, and talk to the hub on the
 * test server, another origin (it allows any origin, with credentials).
 *
 *   GET /lib/<file>        dist/browser/<file>           (the built UMD bundles, as shipped)
 *   GET /official/<file>   the official client's browser bundles, for comparison: signalr.min.js
 *                          (@microsoft/signalr) and signalr-protocol-msgpack.min.js
 *                          (@microsoft/signalr-protocol-msgpack, which needs signalr.min.js before it)
 *   GET /pages/<file>      test/browser/pages/<file>     (hub-runner.js, hub-worker.js, drop-in.js)
 *   GET /bundle.html?scripts=a.js,b.js&…   a page: records the globals it has, loads /lib/a.js,
 *                          /lib/b.js with <script> tags (/official/… for the official bundles'
 *                          names), then /pages/hub-runner.js (or /pages/<runner> with &runner=)
 *   GET /worker.html?scripts=a.js&…        a page that runs /pages/hub-worker.js (same query) in
 *                          a Web Worker and logs what the worker posts as "hubwire-result <JSON>"
 */
import { readFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { distBrowser, repoRoot } from "./paths.js";

export interface StaticServer {
  /** "http://127.0.0.1:PORT" */
  url: string;
  close(): Promise<void>;
}

const fileName = /^[\w.-]+$/;
/** The official client's bundles, by the name a page asks for. */
const officialBundles = new Map([
  ["signalr.min.js", "node_modules/@microsoft/signalr/dist/browser"],
  ["signalr-protocol-msgpack.min.js", "node_modules/@microsoft/signalr-protocol-msgpack/dist/browser"],
]);
const scriptList = /^[\w.-]+\.js(,[\w.-]+\.js)*$/;
const contentTypes: Record<string, string> = {
  ".js": "text/javascript; charset=utf-8",
  ".map": "application/json",
  ".html": "text/html; charset=utf-8",
};

function bundlePage(scripts: string[], runner: string): string {
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><link rel="icon" href="data:,"><title>hubwire bundle test</title></head>
<body>
<script>
  window.hubwireGlobalsBefore = { Promise: typeof Promise, Map: typeof Map, Set: typeof Set, Symbol: typeof Symbol, fetch: typeof fetch, window: typeof window };
</script>
${scripts.map((name) => `<script src="/${officialBundles.has(name) ? "official" : "lib"}/${name}"></script>`).join("\n")}
<script src="/pages/${runner}"></script>
</body>
</html>`;
}

const workerPage = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><link rel="icon" href="data:,"><title>hubwire worker test</title></head>
<body>
<script>
  var worker = new Worker("/pages/hub-worker.js" + location.search);
  worker.onmessage = function (event) { console.log("hubwire-result " + JSON.stringify(event.data)); };
  worker.onerror = function (event) {
    console.log("hubwire-result " + JSON.stringify({ context: "worker", error: "worker error: " + event.message, log: [] }));
  };
</script>
</body>
</html>`;

export async function startStaticServer(): Promise<StaticServer> {
  const server: Server = createServer((request, response) => {
    const url = new URL(request.url ?? "/", "http://127.0.0.1");
    const send = (status: number, type: string, body: string | Buffer) => {
      response.writeHead(status, { "content-type": type, "cache-control": "no-store" });
      response.end(body);
    };
    const serveFile = async (directory: string, name: string) => {
      if (!fileName.test(name)) return send(404, "text/plain", "not found");
      try {
        const body = await readFile(join(directory, name));
        const extension = name.slice(name.lastIndexOf("."));
        send(200, contentTypes[extension] ?? "application/octet-stream", body);
      } catch {
        send(404, "text/plain", `${name} not found`);
      }
    };

    const scripts = url.searchParams.get("scripts") ?? "";
    const runner = url.searchParams.get("runner") ?? "hub-runner.js";
    const official = url.pathname.startsWith("/official/") ? officialBundles.get(url.pathname.slice(10)) : undefined;
    if (url.pathname.startsWith("/lib/")) return void serveFile(distBrowser, url.pathname.slice(5));
    if (official) return void serveFile(join(repoRoot, official), url.pathname.slice(10));
    if (url.pathname.startsWith("/pages/")) return void serveFile(join(repoRoot, "test/browser/pages"), url.pathname.slice(7));
    if (url.pathname === "/bundle.html" && scriptList.test(scripts) && fileName.test(runner)) {
      return send(200, contentTypes[".html"]!, bundlePage(scripts.split(","), runner));
    }
    if (url.pathname === "/worker.html" && scriptList.test(scripts)) return send(200, contentTypes[".html"]!, workerPage);
    send(404, "text/plain", "not found");
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", resolve);
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}
