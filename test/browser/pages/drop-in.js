// A page written for the official client's script-tag bundles: it uses nothing but the global
// `signalR` (signalr.min.js, and signalr-protocol-msgpack.min.js for MessagePack), as a user's page
// does. test/browser/drop-in.test.ts loads it once with the official bundles and once with hubwire's
// (hubwire.min.js, hubwire.es5.min.js, hubwire-msgpack.min.js) and compares what it records.
//
// Each scenario returns a plain record of what a user observes: values, states, the order and `this`
// of callbacks, and which of the exported error classes an error is. Error messages are recorded
// only where they carry a text the server sent (a HubException's message, ...).
//
// Query string:
//   server     the test server's base URL, e.g. http://127.0.0.1:5123
//   transport  WebSockets | ServerSentEvents | LongPolling
//   protocol   json (default) | messagepack
// Reports one object as the console message "hubwire-result <JSON>" (test/browser/support/pages.ts):
//   { context, log, exports: the global's names, records: { scenario: record },
//     escaped: { scenario: [unhandled rejections, uncaught errors] }, leftOpen: [...], timings: { scenario: ms } }
(async function () {
  "use strict";

  const parameters = new URL(location.href).searchParams;
  const server = parameters.get("server");
  const transportName = parameters.get("transport");
  const messagePack = parameters.get("protocol") === "messagepack";
  const transport = signalR.HttpTransportType[transportName];
  const log = [];
  const outcome = { context: "window", log, exports: Object.keys(signalR).sort(), records: {}, escaped: {}, leftOpen: [], timings: {} };

  const logger = { log: (level, message) => log.push(`${signalR.LogLevel[level]}: ${message}`) };

  // What reaches the page as an unhandled rejection or an uncaught error, per scenario. Handled
  // here (preventDefault), so it is recorded and compared rather than failing the page.
  let escaped = [];
  addEventListener("unhandledrejection", (event) => {
    event.preventDefault();
    escaped.push(`unhandled rejection: ${kind(event.reason)}`);
  });
  addEventListener("error", (event) => {
    event.preventDefault();
    escaped.push(`uncaught: ${kind(event.error)}`);
  });

  // ---- helpers ----------------------------------------------------------------------------------

  /** The connections of the running scenario, stopped when it ends. */
  let live = [];

  /** A connection to `path` over the page's transport and protocol. */
  function build(path = "/testhub", options = {}, configure = (builder) => builder, base = server) {
    let builder = new signalR.HubConnectionBuilder()
      .withUrl(base + path, Object.assign({ transport }, options))
      .configureLogging(logger);
    if (messagePack) builder = builder.withHubProtocol(new signalR.protocols.msgpack.MessagePackHubProtocol());
    const connection = configure(builder).build();
    live.push(connection);
    return connection;
  }

  async function start(path, options, configure) {
    const connection = build(path, options, configure);
    await connection.start();
    return connection;
  }

  function deferred() {
    let resolve;
    const promise = new Promise((r) => (resolve = r));
    return { promise, resolve };
  }

  function withTimeout(promise, ms, what) {
    let timer;
    return Promise.race([
      promise,
      new Promise((_, reject) => (timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms))),
    ]).finally(() => clearTimeout(timer));
  }

  const tick = (ms = 0) => new Promise((resolve) => setTimeout(resolve, ms));

  /** What a page can tell about an error without reading its message: the exported classes. */
  function kind(error) {
    if (error === undefined) return "none";
    if (!(error instanceof Error)) return `not an Error: ${typeof error}`;
    if (error instanceof signalR.HttpError) return `HttpError ${error.statusCode}`;
    if (error instanceof signalR.TimeoutError) return "TimeoutError";
    if (error instanceof signalR.AbortError) return "AbortError";
    return "Error";
  }

  /** How a promise settled: its value, or the kind of error (and its message, for server texts). */
  async function settled(promise, serverText = false) {
    try {
      const value = await withTimeout(promise, 10_000, "a call");
      return { resolved: value === undefined ? "undefined" : value };
    } catch (error) {
      return serverText ? { rejected: kind(error), message: error && error.message } : { rejected: kind(error) };
    }
  }

  /** Items, then how the stream ended. */
  function streamed(stream) {
    const items = [];
    return withTimeout(
      new Promise((resolve) => {
        stream.subscribe({
          next: (item) => items.push(item),
          complete: () => resolve({ items, end: "complete" }),
          error: (error) => resolve({ items, end: kind(error), message: error && error.message }),
        });
      }),
      10_000,
      "a stream",
    );
  }

  // ---- scenarios ----------------------------------------------------------------------------------

  const scenarios = {
    "enums and exports, used as a page uses them"() {
      const names = ["HubConnectionBuilder", "HubConnection", "Subject", "JsonHubProtocol", "NullLogger", "HttpClient", "DefaultHttpClient", "HttpError", "TimeoutError", "AbortError"];
      return {
        LogLevel: Object.assign({}, signalR.LogLevel),
        HubConnectionState: Object.assign({}, signalR.HubConnectionState),
        HttpTransportType: Object.assign({}, signalR.HttpTransportType),
        TransferFormat: Object.assign({}, signalR.TransferFormat),
        MessageType: Object.assign({}, signalR.MessageType),
        combined: signalR.HttpTransportType.WebSockets | signalR.HttpTransportType.LongPolling,
        VERSION: [typeof signalR.VERSION, /^\d+\.\d+\.\d+/.test(signalR.VERSION)],
        types: names.map((name) => `${name}:${typeof signalR[name]}`),
        nullLogger: typeof signalR.NullLogger.instance.log,
        // What a page that wraps or patches the classes relies on.
        connectionPrototype: ["start", "stop", "invoke", "send", "stream", "on", "off", "onclose", "onreconnecting", "onreconnected"].map(
          (name) => `${name}:${typeof signalR.HubConnection.prototype[name]}`,
        ),
        builderPrototype: ["withUrl", "withHubProtocol", "configureLogging", "withAutomaticReconnect", "withServerTimeout", "withKeepAliveInterval", "withStatefulReconnect", "build"].map(
          (name) => `${name}:${typeof signalR.HubConnectionBuilder.prototype[name]}`,
        ),
        instanceOf: new signalR.HubConnectionBuilder().withUrl(`${server}/testhub`).build() instanceof signalR.HubConnection,
        protocol: [new signalR.JsonHubProtocol().name, new signalR.JsonHubProtocol().transferFormat === signalR.TransferFormat.Text],
        msgpack: messagePack
          ? (() => {
              const protocol = new signalR.protocols.msgpack.MessagePackHubProtocol();
              return [protocol.name, protocol.version, protocol.transferFormat === signalR.TransferFormat.Binary];
            })()
          : "not loaded",
      };
    },

    async "builder forms: withUrl(url, transport), configureLogging with a level or its name"() {
      const facts = {};
      for (const level of [signalR.LogLevel.None, "warning", signalR.LogLevel.Critical]) {
        let builder = new signalR.HubConnectionBuilder().withUrl(`${server}/testhub`, signalR.HttpTransportType[transportName]).configureLogging(level);
        if (messagePack) builder = builder.withHubProtocol(new signalR.protocols.msgpack.MessagePackHubProtocol());
        const connection = builder.build();
        live.push(connection);
        await connection.start();
        facts[level] = [connection.state === signalR.HubConnectionState.Connected, await connection.invoke("GetTransport")];
        await connection.stop();
      }
      // The page's own WebSocket / EventSource constructors (subclasses, as a page would write them).
      const used = [];
      const connection = await start("/testhub", {
        WebSocket: class extends WebSocket {
          constructor(url, protocols) {
            super(url, protocols);
            used.push("WebSocket");
          }
        },
        EventSource: class extends EventSource {
          constructor(url, init) {
            super(url, init);
            used.push("EventSource");
          }
        },
      });
      facts.constructors = [used, await connection.invoke("Echo", "via the page's constructors")];
      await connection.stop();
      if (transportName === "WebSockets") {
        const skipped = await start("/testhub", { skipNegotiation: true });
        facts.skipNegotiation = [skipped.state, skipped.connectionId, await skipped.invoke("Echo", 1)];
      }
      return facts;
    },

    async "start and stop: states, connection id, onclose and its this, start again"() {
      const connection = build();
      const facts = { built: [connection.state, connection.connectionId] };
      const closes = [];
      connection.onclose(function (error) {
        closes.push([kind(error), this === connection, connection.state]);
      });
      const starting = connection.start();
      facts.starting = connection.state;
      await starting;
      const id = connection.connectionId;
      facts.started = [connection.state, typeof id, id === (await connection.invoke("GetConnectionId"))];
      const stopping = connection.stop().then(() => closes.push("stop() resolved"));
      facts.stopping = connection.state;
      await stopping;
      facts.stopped = [connection.state, connection.connectionId, closes.slice()];
      facts.stopAgain = await settled(connection.stop());
      await connection.start();
      facts.again = [connection.state, connection.connectionId !== id, await connection.invoke("Add", 1, 2)];
      facts.startWhileConnected = await settled(connection.start());
      await connection.stop();
      facts.closes = closes;
      return facts;
    },

    async "invoke: values, send, server error texts"() {
      const connection = await start();
      const values = [null, 0, -1.5, 2 ** 40, "", "h\u00e9llo \ud83d\ude00", true, [1, "a", null, [2]], { a: { b: [1, { c: null }] }, d: "" }];
      const echoed = [];
      for (const value of values) echoed.push(await connection.invoke("Echo", value));
      return {
        echoed,
        add: await connection.invoke("Add", 20, 22),
        concurrent: await Promise.all([connection.invoke("Delay", 30), connection.invoke("Add", 1, 1), connection.invoke("Echo", "x")]),
        void: await connection.invoke("SendToCaller", "nobodyListens", 1),
        send: await settled(connection.send("Echo", 1)),
        hubException: await settled(connection.invoke("Throw", 'boom: it\'s "quoted"'), true),
        plain: await settled(connection.invoke("ThrowPlain"), true),
        unknown: await settled(connection.invoke("NoSuchMethod", 1), true),
        wrongCount: await settled(connection.invoke("Add", 1), true),
        state: connection.state,
        stillWorks: await connection.invoke("Add", 2, 3),
      };
    },

    async "server streams: items, a failure's text, cancel by dispose"() {
      const connection = await start();
      const facts = {
        counter: await streamed(connection.stream("Counter", 5, 0)),
        empty: await streamed(connection.stream("Counter", 0, 0)),
        fails: await streamed(connection.stream("CounterThenThrow", 3)),
        unknown: await streamed(connection.stream("NoSuchStream")),
      };
      const items = [];
      const subscription = connection.stream("Infinite").subscribe({
        next: (item) => items.push(item),
        complete: () => items.push("complete"),
        error: () => items.push("error"),
      });
      while (items.length < 3) await tick(5);
      subscription.dispose();
      facts.cancelled = await connection.invoke("WasInfiniteCancelled");
      await tick(20);
      facts.endedAfterDispose = items.includes("complete") || items.includes("error");
      facts.state = connection.state;
      return facts;
    },

    async "client streams: a Subject uploaded, with other arguments, failing"() {
      const connection = await start();
      const upload = new signalR.Subject();
      const uploaded = settled(connection.invoke("Upload", upload), true);
      upload.next("a");
      upload.next("b");
      await tick(10);
      upload.next("c");
      upload.complete();
      const numbers = new signalR.Subject();
      const summed = settled(connection.invoke("UploadSum", "sum", numbers), true);
      [1, 2, 3, 4].forEach((n) => numbers.next(n));
      numbers.complete();
      const failing = new signalR.Subject();
      const failed = settled(connection.invoke("Upload", failing), true);
      failing.next("x");
      failing.error(new Error("the page's stream broke"));
      return { upload: await uploaded, withOtherArguments: await summed, error: await failed, stillWorks: await connection.invoke("Echo", "ok") };
    },

    async "on/off: case-insensitive names, several handlers, this, off one, off all"() {
      const connection = await start();
      const calls = [];
      let self;
      const first = function (value) {
        self = this;
        calls.push(`first:${JSON.stringify(value)}`);
      };
      const second = (a, b) => calls.push(`second:${JSON.stringify([a, b])}`);
      connection.on("Notify", first);
      connection.on("NOTIFY", second);
      connection.on("notify", first); // the same handler again: still called once
      const round = async (label, value) => {
        calls.push(label);
        await connection.invoke("SendToCaller", "nOTIFY", value);
        await connection.invoke("Echo", "round trip");
      };
      await round("both", { n: 1 });
      connection.off("noTIFY", first);
      await round("first off", 2);
      connection.on("notify", first);
      connection.off("NOTIFY");
      await round("all off", 3);
      // Send goes to every client, pages running at the same time included: only this page's own counts.
      const several = [];
      const own = `hi ${Math.random()}`;
      connection.on("broadcastMessage", (name, message) => message === own && several.push([name, "hi"]));
      await connection.invoke("Send", "me", own);
      await connection.invoke("Echo", "round trip");
      return { calls, thisIsConnection: self === connection, several, state: connection.state };
    },

    async "client results: values, promises, no handler, a throwing handler"() {
      const connection = await start();
      const ask = (method, arg) => settled(connection.invoke("AskClient", method, arg), true);
      connection.on("Double", (n) => n * 2);
      connection.on("later", async (s) => {
        await tick(5);
        return `${s}!`;
      });
      connection.on("nothing", () => undefined);
      connection.on("fails", () => {
        throw new Error("nope");
      });
      connection.on("rejects", () => Promise.reject(new Error("async nope")));
      return {
        value: await ask("dOUBLE", 21),
        promise: await ask("later", "done"),
        noHandler: await ask("missing", 1),
        undefinedResult: await ask("nothing", 1),
        throws: await ask("fails", 1),
        rejects: await ask("rejects", 1),
        state: connection.state,
      };
    },

    async "server Close with allowReconnect and automatic reconnect: callbacks, order, this, states; then Close for good"() {
      const connection = build("/testhub", {}, (builder) => builder.withAutomaticReconnect());
      const events = [];
      let reconnected = deferred();
      const closed = deferred();
      connection.onreconnecting(function (error) {
        events.push(["reconnecting", kind(error), connection.state, connection.connectionId, this === connection]);
      });
      connection.onreconnected(function (id) {
        events.push(["reconnected", typeof id, connection.state, id === connection.connectionId, this === connection]);
        reconnected.resolve();
      });
      connection.onclose(function (error) {
        events.push(["close", kind(error), connection.state, this === connection, String(error && error.message).includes("going away")]);
        closed.resolve();
      });
      await connection.start();
      const firstId = connection.connectionId;
      const pending = settled(connection.invoke("Delay", 10_000)).then((result) => events.push(["pending", result]));
      await connection.invoke("Echo", "Delay sent");
      await connection.send("CloseMe", null, true);
      await withTimeout(reconnected.promise, 10_000, "onreconnected");
      await pending;
      const facts = { newId: connection.connectionId !== firstId, serverId: connection.connectionId === (await connection.invoke("GetConnectionId")) };
      reconnected = deferred();
      await connection.send("CloseMe", "restarting", true);
      await withTimeout(reconnected.promise, 10_000, "onreconnected");
      facts.works = await connection.invoke("Add", 20, 22);
      // Without allowReconnect: closed for good, automatic reconnect or not.
      await connection.send("CloseMe", "going away", false);
      await withTimeout(closed.promise, 10_000, "onclose");
      facts.events = events;
      facts.state = connection.state;
      facts.invokeAfter = await settled(connection.invoke("Echo", 1));
      return facts;
    },

    async "server Close with allowReconnect but no automatic reconnect; stop() while Reconnecting"() {
      const facts = {};
      for (const error of [null, "come back later"]) {
        const connection = await start();
        const closed = deferred();
        connection.onclose(function (closeError) {
          closed.resolve([kind(closeError), this === connection, connection.state]);
        });
        await connection.send("CloseMe", error, true);
        facts[String(error)] = await withTimeout(closed.promise, 10_000, "onclose");
      }
      const connection = await start("/testhub", {}, (builder) => builder.withAutomaticReconnect([5_000]));
      const events = [];
      const reconnecting = deferred();
      connection.onreconnecting(() => {
        events.push(`reconnecting:${connection.state}`);
        reconnecting.resolve();
      });
      connection.onreconnected(() => events.push("reconnected"));
      connection.onclose((error) => events.push(`close:${kind(error)}:${connection.state}`));
      await connection.send("CloseMe", null, true);
      await withTimeout(reconnecting.promise, 10_000, "onreconnecting");
      await tick(20);
      facts.during = [connection.state, connection.connectionId, await settled(connection.invoke("Echo", 1))];
      facts.stop = await settled(connection.stop());
      facts.events = events;
      facts.state = connection.state;
      return facts;
    },

    async "start fails: status codes, a refused token, negotiate's error, no server, stop() during start"() {
      const failure = async (path, options, base) => {
        const connection = build(path, options, undefined, base);
        const result = await settled(connection.start());
        return [result, connection.state, connection.connectionId];
      };
      const stopped = build();
      const closes = [];
      stopped.onclose((error) => closes.push(kind(error)));
      const starting = settled(stopped.start());
      const stopping = settled(stopped.stop());
      const negotiateError = build("/negotiate-error");
      const refused = await settled(negotiateError.start(), true);
      // Straight through the exported HTTP client, as a page can use it.
      const http = new signalR.DefaultHttpClient(signalR.NullLogger.instance);
      const aborted = new AbortController();
      const abortedPost = settled(http.post(`${server}/testhub/negotiate?negotiateVersion=1`, { abortSignal: aborted.signal }));
      aborted.abort();
      const negotiated = await http.post(`${server}/testhub/negotiate?negotiateVersion=1`, { content: "" });
      return {
        status500: await failure("/status/500"),
        status404: await failure("/status/404"),
        noToken: await failure("/authhub"),
        badToken: await failure("/authhub", { accessTokenFactory: () => "nope" }),
        negotiateError: [refused.rejected, String(refused.message).includes("negotiate refused by test server"), negotiateError.state],
        noServer: await failure("/testhub", {}, "http://127.0.0.1:1"),
        // /testhub-sse-lp offers Server-Sent Events and Long Polling only.
        notOffered: await failure("/testhub-sse-lp", { transport: signalR.HttpTransportType.WebSockets }),
        fallback: await (async () => {
          const connection = await start("/testhub-sse-lp", { transport: signalR.HttpTransportType.WebSockets | signalR.HttpTransportType.LongPolling });
          return [connection.state, await connection.invoke("GetTransport")];
        })(),
        // A hub protocol the server does not know: the handshake is refused with the server's text.
        // Not over Server-Sent Events: there the official client can leave an unhandled rejection
        // (its handshake error thrown in the EventSource's message event).
        handshake: transportName === "ServerSentEvents" ? "not run" : await (async () => {
          const json = new signalR.JsonHubProtocol();
          const unknown = { name: "nope", version: 1, transferFormat: json.transferFormat, parseMessages: (input, logger) => json.parseMessages(input, logger), writeMessage: (message) => json.writeMessage(message) };
          const connection = build("/testhub", {}, (builder) => builder.withHubProtocol(unknown));
          const result = await settled(connection.start(), true);
          return [result.rejected, String(result.message).includes("The protocol 'nope' is not supported."), connection.state];
        })(),
        stopDuringStart: [await starting, await stopping, stopped.state, closes],
        httpClient: {
          status500: await settled(http.post(`${server}/status/500/negotiate`)),
          status404: await settled(http.post(`${server}/status/404/negotiate`)),
          get: await settled(http.get(`${server}/status/404/negotiate`)),
          aborted: await abortedPost,
          ok: [negotiated.statusCode, typeof negotiated.content, JSON.parse(negotiated.content).negotiateVersion],
        },
      };
    },

    async "accessTokenFactory, headers and the query string: what reaches the hub from a browser"() {
      let tokens = 0;
      const connection = await start("/testhub?color=blue", {
        headers: { "X-Custom": "custom value" },
        accessTokenFactory: () => {
          tokens++;
          return "valid-token-alice";
        },
      });
      const facts = {
        tokenAsked: tokens > 0,
        color: await connection.invoke("GetQueryString", "color"),
        // Where the token travels depends on what the transport can send from a browser.
        authorization: await connection.invoke("GetHeader", "Authorization"),
        accessTokenQuery: await connection.invoke("GetQueryString", "access_token"),
        custom: await connection.invoke("GetHeader", "X-Custom"),
        requestedWith: await connection.invoke("GetHeader", "X-Requested-With"),
        userAgentHeader: (await connection.invoke("GetHeader", "X-SignalR-User-Agent")) !== null,
      };
      const auth = await start("/authhub", { accessTokenFactory: () => Promise.resolve("valid-token-bob") });
      facts.authUser = await auth.invoke("GetUserName");
      // A negotiate redirect (Azure SignalR Service style) with its own access token.
      const redirected = await start("/redirect");
      facts.redirected = [await redirected.invoke("GetUserName"), await redirected.invoke("GetRequestPath")];
      return facts;
    },

    async "withCredentials: negotiate's cookie on later requests (cross-origin), or not"() {
      const facts = {};
      // With credentials (the default) first: negotiate's response sets the cookie in the browser.
      for (const withCredentials of [undefined, true, false]) {
        const connection = await start("/testhub", withCredentials === undefined ? {} : { withCredentials });
        facts[String(withCredentials)] = [await connection.invoke("GetNegotiateCookieSeen"), (await connection.invoke("GetCookie", "affinity")) !== null];
        await connection.stop();
      }
      return facts;
    },

    async "a page's own HttpClient: a subclass of DefaultHttpClient"() {
      const requests = new Set();
      let allHadHeader = true;
      class RecordingClient extends signalR.DefaultHttpClient {
        send(request) {
          requests.add(`${request.method} ${new URL(request.url).pathname}`);
          allHadHeader = allHadHeader && !!request.headers && request.headers["X-Custom"] === "c";
          return super.send(request);
        }
      }
      const connection = await start("/testhub", { httpClient: new RecordingClient(signalR.NullLogger.instance), headers: { "X-Custom": "c" } });
      const facts = { echo: await connection.invoke("Echo", "via the page's client"), stream: await streamed(connection.stream("Counter", 2, 0)) };
      await connection.stop();
      return Object.assign(facts, { requests: Array.from(requests).sort(), allHadHeader });
    },

    async "callbacks that throw: handlers, subscribers without error or complete, onclose"() {
      const connection = await start("/testhub", {}, (builder) => builder.withAutomaticReconnect([0]));
      const facts = {};
      connection.on("asyncFails", async () => {
        throw new Error("async handler failed");
      });
      connection.on("fails", () => {
        throw new Error("handler failed");
      });
      await connection.invoke("SendToCaller", "asyncFails", 1);
      await connection.invoke("SendToCaller", "fails", 1);
      await connection.invoke("Echo", "round trip");
      await tick(10);
      facts.handlers = [escaped.slice(), connection.state];
      const items = [];
      connection.stream("CounterThenThrow", 2).subscribe({ next: (item) => items.push(item), complete: () => items.push("complete") });
      connection.stream("Counter", 2, 0).subscribe({ next: (item) => items.push(item), error: () => items.push("error") });
      await connection.invoke("Echo", "round trip");
      await tick(20);
      facts.subscribers = [items, escaped.slice(), connection.state];
      const reconnected = deferred();
      connection.onreconnecting(() => {
        throw new Error("onreconnecting failed");
      });
      connection.onreconnected(() => {
        reconnected.resolve();
        throw new Error("onreconnected failed");
      });
      await connection.send("CloseMe", null, true);
      await withTimeout(reconnected.promise, 10_000, "onreconnected");
      await tick(10);
      facts.reconnect = [escaped.slice(), connection.state, await connection.invoke("Echo", "back")];
      connection.onclose(() => {
        throw new Error("onclose failed");
      });
      facts.stop = await settled(connection.stop());
      await tick(10);
      facts.closed = [escaped.slice(), connection.state];
      return facts;
    },

    async "relative hub URLs resolve against the page"() {
      const page = location.origin;
      const shown = (url) => url.split(page).join("<page>").split(server).join("<server>");
      const facts = {};
      for (const url of ["relative/hub?x=1", "/rooted/hub", "//" + location.host + "/protocol-relative/hub"]) {
        const connection = new signalR.HubConnectionBuilder().withUrl(url, transport).configureLogging(logger).build();
        live.push(connection);
        facts[url.split(location.host).join("<host>")] = [shown(connection.baseUrl), await settled(connection.start()), connection.state];
      }
      // Where negotiate went (the static server answers 404).
      facts.requested = performance
        .getEntriesByType("resource")
        .map((entry) => entry.name)
        .filter((name) => name.startsWith(page) && name.includes("/negotiate"))
        .map(shown);
      return facts;
    },

    async "an accessTokenFactory that throws or rejects"() {
      const facts = {};
      for (const how of ["throws", "rejects"]) {
        const thrown = new Error(`the token factory ${how}`);
        const connection = build("/authhub", { accessTokenFactory: () => (how === "throws" ? (() => { throw thrown; })() : Promise.reject(thrown)) });
        let caught;
        await connection.start().catch((error) => (caught = error));
        // hubwire rejects with the factory's own error, the official client with an Error wrapping
        // its text (see the test's header): the text is compared.
        facts[how] = [kind(caught), String(caught && caught.message).includes(thrown.message), connection.state, connection.connectionId];
      }
      return facts;
    },

    async "the console logger: the levels it prints, by default and with a level configured"() {
      const facts = {};
      const methods = ["log", "info", "warn", "error", "debug"];
      const saved = methods.map((method) => console[method]);
      let printed = [];
      methods.forEach((method, i) => {
        console[method] = function (text) {
          const level = /^\[\d{4}-\d\d-\d\dT[\d:.]+Z\] (\w+): /.exec(String(text));
          printed.push(`${method}:${level ? level[1] : "unformatted"}`);
          // Still printed: the failure message shows it should the page not report.
          saved[i].apply(console, arguments);
        };
      });
      const phase = (label) => {
        const levels = Array.from(new Set(printed)).sort();
        printed = [];
        // By default the official client prints only its transport layer's lines (its builder gives
        // the hub layer a NullLogger); hubwire prints the hub layer's warnings and errors too (see the
        // test's header). By default, what both print over the whole run is compared.
        if (label.startsWith("default")) facts.default = Array.from(new Set((facts.default || []).concat(levels.filter((level) => !/^(warn|error):/.test(level))))).sort();
        else facts[label] = levels;
      };
      try {
        for (const level of [undefined, signalR.LogLevel.Warning]) {
          const prefix = level === undefined ? "default" : "Warning";
          let builder = new signalR.HubConnectionBuilder().withUrl(`${server}/testhub`, transport);
          if (level !== undefined) builder = builder.configureLogging(level);
          if (messagePack) builder = builder.withHubProtocol(new signalR.protocols.msgpack.MessagePackHubProtocol());
          const connection = builder.build();
          live.push(connection);
          await connection.start();
          phase(`${prefix}: start`);
          await connection.invoke("SendToCaller", "nobodyListens", 1);
          await connection.invoke("Echo", "round trip");
          phase(`${prefix}: a call nobody handles`);
          connection.on("fails", () => {
            throw new Error("handler failed");
          });
          await connection.invoke("SendToCaller", "fails", 1);
          await connection.invoke("Echo", "round trip");
          phase(`${prefix}: a handler throws`);
          await connection.stop();
          phase(`${prefix}: stop`);
        }
      } finally {
        methods.forEach((method, i) => (console[method] = saved[i]));
      }
      return facts;
    },

    async "MessagePack values: Date, Uint8Array, numbers"() {
      if (!messagePack) return "JSON page";
      const connection = await start();
      const time = Date.UTC(2024, 0, 2, 3, 4, 5, 678);
      const date = await connection.invoke("AddOneDay", new Date(time));
      const bytes = await connection.invoke("ReverseBytes", new Uint8Array([1, 2, 3]));
      return {
        described: [await connection.invoke("DescribeValue", new Uint8Array([1])), await connection.invoke("DescribeValue", 42), await connection.invoke("DescribeValue", 1.5)],
        date: [date instanceof Date, date.getTime() - time],
        bytes: [bytes instanceof Uint8Array, Array.from(bytes)],
        echoed: await connection.invoke("Echo", { text: "h\u00e9llo", list: [1, -2, 2 ** 40, 3.5, null, true], nested: { deep: ["x"] } }),
        long: await connection.invoke("AddLong", 2 ** 31, 2 ** 31),
        // Beyond 2^53 the official client gives a number, hubwire an exact bigint (see the test's
        // header): the value is compared.
        beyondSafe: String(await connection.invoke("AddLong", 2 ** 53, 2 ** 53)),
        nested: await (async () => {
          const echoed = await connection.invoke("Echo", { when: new Date(time), bytes: new Uint8Array([7, 8]), none: null });
          return [echoed.when instanceof Date && echoed.when.getTime() === time, echoed.bytes instanceof Uint8Array && Array.from(echoed.bytes), echoed.none];
        })(),
        undefinedArgument: await connection.invoke("Echo", undefined),
        numbers: (await connection.invoke("Echo", [-1, -128, 255, 65536, -(2 ** 40), 0.1, NaN, Infinity, -0])).map(String),
        map: await connection.invoke("Echo", new Map([["a", 1], ["b", [2]]])),
        before1970: (await connection.invoke("AddOneDay", new Date(Date.UTC(1901, 5, 7, 8, 9, 10, 11)))).toISOString(),
        farFuture: (await connection.invoke("AddOneDay", new Date(Date.UTC(2500, 0, 1)))).toISOString(),
        otherViews: Array.from(await connection.invoke("ReverseBytes", new Int16Array([1, 256]))),
        large: await (async () => {
          const large = new Uint8Array(200_000).map((_, i) => i % 251);
          const reversed = await connection.invoke("ReverseBytes", large);
          return [reversed.length, reversed[0], reversed[199_999]];
        })(),
        options: await (async () => {
          const options = new signalR.HubConnectionBuilder()
            .withUrl(`${server}/testhub`, transport)
            .configureLogging(logger)
            .withHubProtocol(new signalR.protocols.msgpack.MessagePackHubProtocol({ forceFloat32: true, ignoreUndefined: true }))
            .build();
          live.push(options);
          await options.start();
          return [await options.invoke("Echo", 1.1), await options.invoke("Echo", { a: undefined, b: 1 })];
        })(),
        error: await settled(connection.invoke("Throw", "msgpack boom"), true),
        stream: await streamed(connection.stream("Counter", 3, 0)),
      };
    },
  };

  // ---- running them -----------------------------------------------------------------------------

  for (const name of Object.keys(scenarios)) {
    const began = Date.now();
    try {
      outcome.records[name] = await withTimeout(Promise.resolve().then(scenarios[name]), 20_000, name);
    } catch (error) {
      outcome.records[name] = { failed: `${error && error.name}: ${error && error.message}` };
    }
    const open = live;
    live = [];
    await Promise.all(open.map((connection) => withTimeout(connection.stop(), 20_000, "stop()").catch(() => {})));
    for (const connection of open) if (connection.state !== "Disconnected") outcome.leftOpen.push(`${name}: ${connection.state}`);
    await tick(20);
    outcome.escaped[name] = escaped;
    escaped = [];
    outcome.timings[name] = Date.now() - began;
    // Seen in the failure message should the page never report.
    console.log(`drop-in.js: "${name}" took ${outcome.timings[name]} ms`);
  }
  console.log(`hubwire-result ${JSON.stringify(outcome)}`);
})().catch((error) => console.log(`hubwire-result ${JSON.stringify({ context: "window", log: [], error: String(error && error.stack) })}`));
