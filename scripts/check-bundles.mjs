// Part of `npm run check:package` (after `npm run build`): quick checks of what browsers get.
// - Syntax: the ES5 bundles parse as ES5 (acorn, ecmaVersion 5), the others as ES2017.
// - No Node-only code: no ws, eventsource, tough-cookie or node: builtin in any browser bundle,
//   nor in an esbuild platform=browser bundle of `hubwire` and `hubwire/msgpack`.
// - Loading: each UMD bundle, in a fresh vm context with a fake window, exposes signalR, and
//   start() negotiates through fetch (modern) or XMLHttpRequest (ES5, with Promise, Map, Set,
//   Symbol, URL, AbortController and TextEncoder absent: the bundle brings them); the MessagePack
//   bundle then adds signalR.protocols.msgpack.MessagePackHubProtocol, using the core already
//   loaded rather than a copy of its own.
// Real browsers and servers are the browser tests' job; this fails fast on a broken build.
import { parse } from "acorn";
import { build } from "esbuild";
import { readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import vm from "node:vm";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const bundle = (name) => join(root, "dist/browser", name);
const read = (path) => readFileSync(path, "utf8");
const failures = [];
let passed = 0;

async function check(name, fn) {
  try {
    await fn();
    passed++;
    console.log(`ok   ${name}`);
  } catch (error) {
    failures.push(name);
    console.log(`FAIL ${name}\n     ${error.message}`);
  }
}

function assert(condition, message) {
  if (!condition) throw new Error(message);
}

// An import of a Node-only module, in any module syntax (messages that name the packages are fine).
const nodeOnly = /(require\(\s*|from\s*|import\(\s*|define\(\[[^\]]*)["'](ws|eventsource|tough-cookie|node:[\w/]+)["']/;
const nodePackages = /node_modules\/(ws|eventsource|tough-cookie)\//;

const bundles = ["hubwire", "hubwire-msgpack"].flatMap((name) => [`${name}.js`, `${name}.min.js`, `${name}.es5.js`, `${name}.es5.min.js`]);
for (const name of bundles) {
  const ecmaVersion = name.includes(".es5") ? 5 : 2017;
  await check(`${name} parses as ES${ecmaVersion === 5 ? 5 : 2017}`, () => {
    parse(read(bundle(name)), { ecmaVersion, sourceType: "script" });
  });
  await check(`${name} has no Node-only import`, () => {
    const match = read(bundle(name)).match(nodeOnly);
    assert(!match, `found ${match?.[0]}`);
  });
}

for (const entry of ["hubwire", "hubwire/msgpack"]) {
  // esbuild resolves the package by self-reference, through package.json "exports".
  const result = await build({
    stdin: { contents: `export * from ${JSON.stringify(entry)};`, resolveDir: root },
    bundle: true,
    write: false,
    platform: "browser",
    format: "esm",
    metafile: true,
    logLevel: "silent",
  });
  await check(`esbuild platform=browser bundle of ${entry} has no Node-only code`, () => {
    const inputs = Object.keys(result.metafile.inputs);
    const bad = inputs.filter((input) => nodePackages.test(input) || input.startsWith("node:"));
    assert(bad.length === 0, `bundled ${bad.join(", ")}`);
    const match = result.outputFiles[0].text.match(nodeOnly);
    assert(!match, `found ${match?.[0]}`);
    assert(inputs.some((input) => input.startsWith("dist/esm/browser/")), `used ${inputs.filter((i) => i.startsWith("dist")).join(", ")} instead of dist/esm/browser`);
  });
}

/**
 * A fresh context that looks enough like a window for the bundles to load: a modern one has the
 * web APIs hubwire uses and a fetch; an ES5 one has only timers and XMLHttpRequest, and not even
 * Promise, Map, Set and Symbol, which the ES5 bundle must bring. Both servers answer 404.
 */
function fakeWindow({ es5 }) {
  const { URL, TextEncoder, TextDecoder, AbortController, Response, setTimeout, clearTimeout } = globalThis;
  const fetch = async (url) => {
    context.requested = String(url);
    return new Response("no hub here", { status: 404, statusText: "Not Found" });
  };
  const context = vm.createContext(
    es5 ? { console, setTimeout, clearTimeout } : { console, setTimeout, clearTimeout, URL, TextEncoder, TextDecoder, AbortController, fetch },
  );
  vm.runInContext("var window = this, self = this;", context);
  if (es5) {
    vm.runInContext(
      `delete this.Promise; delete this.Map; delete this.Set; delete this.Symbol;
       function XMLHttpRequest() {}
       XMLHttpRequest.prototype.open = function (method, url) { window.requested = url; };
       XMLHttpRequest.prototype.setRequestHeader = function () {};
       XMLHttpRequest.prototype.send = function () {
         var xhr = this;
         setTimeout(function () { xhr.status = 404; xhr.statusText = "Not Found"; xhr.response = "no hub here"; xhr.onload(); }, 0);
       };`,
      context,
    );
    assert(vm.runInContext("typeof Promise + typeof Map + typeof Set + typeof Symbol + typeof fetch", context) === "undefined".repeat(5), "could not delete the built-ins");
  }
  return context;
}

const load = (context, name) => vm.runInContext(read(bundle(name)), context, { filename: name });

/** Runs `code`, which calls done(result) at some point; resolves with that result. */
function runAsync(context, code) {
  return new Promise((resolve, reject) => {
    context.done = resolve;
    setTimeout(() => reject(new Error("timed out")), 5000).unref();
    vm.runInContext(code, context);
  });
}

for (const min of ["", ".min"]) {
  for (const es5 of ["", ".es5"]) {
    const core = `hubwire${es5}${min}.js`;
    const msgpack = `hubwire-msgpack${es5}${min}.js`;
    await check(`${core} + ${msgpack} load and run in a fake window${es5 ? " without Promise, Map, Set, Symbol, fetch" : ""}`, async () => {
      const context = fakeWindow({ es5: Boolean(es5) });
      load(context, core);
      const state = vm.runInContext(
        `[typeof signalR.HubConnectionBuilder, signalR.HttpTransportType.LongPolling, new signalR.HttpError("x", 404) instanceof signalR.HubwireError, new signalR.TimeoutError().name].join()`,
        context,
      );
      assert(state === "function,4,true,TimeoutError", `core: got ${state}`);
      // start() negotiates through fetch or XMLHttpRequest, with the bundle's Promise, URL and AbortController.
      const started = await runAsync(
        context,
        `var connection = new signalR.HubConnectionBuilder().withUrl("http://hub.test/chat").configureLogging(signalR.LogLevel.None).build();
         connection.start().then(function () { done("started?"); }, function (e) { done([connection.state, e instanceof signalR.HubwireError, /404/.test(e.message), window.requested].join()); });`,
      );
      assert(started === "Disconnected,true,true,http://hub.test/chat/negotiate?negotiateVersion=1", `start: got ${started}`);
      load(context, msgpack);
      const msgpackState = vm.runInContext(
        `var p = new signalR.protocols.msgpack.MessagePackHubProtocol();
         var bytes = p.writeMessage({ type: signalR.MessageType.Invocation, invocationId: "1", target: "Send", arguments: [1, "a"] });
         var back = p.parseMessages(bytes, signalR.NullLogger.instance)[0];
         var error; try { p.parseMessages(new Uint8Array([1, 0xc1]).buffer, signalR.NullLogger.instance); } catch (e) { error = e; }
         [p.name, p.transferFormat === signalR.TransferFormat.Binary, back.target, back.arguments.join("|"), error instanceof signalR.ProtocolError, typeof signalR.HubConnectionBuilder].join()`,
        context,
      );
      assert(msgpackState === "messagepack,true,Send,1|a,true,function", `msgpack: got ${msgpackState}`);
    });
  }
}

await check("the MessagePack bundles do not contain the core", () => {
  for (const name of bundles.filter((b) => b.startsWith("hubwire-msgpack"))) {
    const code = read(bundle(name));
    for (const marker of ["class HubConnectionBuilder", "function HubConnectionBuilder", "class HubwireError", "function HubwireError", "Negotiate at "]) {
      assert(!code.includes(marker), `${name} contains ${marker}`);
    }
  }
});

console.log(`\n${passed} passed, ${failures.length} failed`);
if (failures.length > 0) {
  console.log(`failed: ${failures.join("; ")}`);
  process.exit(1);
}
