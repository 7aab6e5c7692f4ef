// Runs in the browser (a page or a Web Worker) after hubwire's UMD bundle(s) defined `signalR`.
// Written in ES5 with no Promise, Map, Set or Symbol of its own, so it runs unchanged under the
// ES5 bundle in a page where those were deleted: it only chains the promises hubwire returns.
//
// Parameters come from the URL's query string:
//   hub        the hub URL, e.g. http://127.0.0.1:5123/testhub
//   transport  WebSockets | ServerSentEvents | LongPolling
//   protocol   json (default) | messagepack
// It connects, invokes GetTransport, DescribeValue and Echo, collects the Counter stream (subscribed,
// then through its async iterator), gets a SendToCaller call through `on`, sends a Subject to
// Upload, stops, and reports one object: in a page as a console message "hubwire-result <JSON>",
// in a worker with postMessage. test/browser/support/pages.ts reads it.
(function (global) {
  "use strict";

  var isWorker = typeof document === "undefined";
  var log = [];
  var outcome = { context: isWorker ? "worker" : "window", log: log };

  function report() {
    if (isWorker) {
      global.postMessage(outcome);
    } else {
      console.log("hubwire-result " + JSON.stringify(outcome));
    }
  }

  function fail(error) {
    outcome.error = error && error.name ? error.name + ": " + error.message : String(error);
    report();
  }

  function typesOf() {
    return {
      Promise: typeof global.Promise,
      Map: typeof global.Map,
      Set: typeof global.Set,
      Symbol: typeof global.Symbol,
      fetch: typeof global.fetch,
      window: typeof global.window,
    };
  }

  function queryParameters() {
    var parameters = {};
    var pairs = global.location.search.replace(/^\?/, "").split("&");
    for (var i = 0; i < pairs.length; i++) {
      var pair = pairs[i].split("=");
      if (pair[0]) parameters[decodeURIComponent(pair[0])] = decodeURIComponent(pair[1] || "");
    }
    return parameters;
  }

  /** A thenable (Promises/A+ assimilates it) resolving with every item of the stream. */
  function collect(stream) {
    return {
      then: function (resolve, reject) {
        var items = [];
        stream.subscribe({
          next: function (item) { items.push(item); },
          complete: function () { resolve(items); },
          error: reject,
        });
      },
    };
  }

  /** A thenable with every item, read through the stream's async iterator one next() at a time, as `for await` does. */
  function readAll(stream) {
    return {
      then: function (resolve, reject) {
        var key = global.Symbol && global.Symbol.asyncIterator;
        if (!key || typeof stream[key] !== "function") return resolve("the stream has no Symbol.asyncIterator");
        var iterator = stream[key]();
        var items = [];
        (function step() {
          iterator.next().then(function (result) {
            if (result.done) return resolve(items);
            items.push(result.value);
            step();
          }, reject);
        })();
      },
    };
  }

  try {
    var parameters = queryParameters();
    var signalR = global.signalR;
    // What the page had before the bundle (its first inline script), and after it loaded.
    outcome.globalsBefore = global.hubwireGlobalsBefore;
    outcome.globals = typesOf();
    if (!signalR) throw new Error("the bundle did not define the global signalR");

    var logger = {
      log: function (level, message) {
        log.push(signalR.LogLevel[level] + ": " + message);
      },
    };
    var builder = new signalR.HubConnectionBuilder()
      .withUrl(parameters.hub, signalR.HttpTransportType[parameters.transport])
      .configureLogging(logger);
    if (parameters.protocol === "messagepack") {
      builder = builder.withHubProtocol(new signalR.protocols.msgpack.MessagePackHubProtocol());
    }
    var connection = builder.build();

    var closed = [];
    outcome.closed = closed;
    connection.onclose(function (error) {
      closed.push(error ? error.message : null);
    });

    var received = [];
    var onReceived = null;
    connection.on("fromServer", function () {
      received.push(Array.prototype.slice.call(arguments));
      if (onReceived) onReceived();
    });

    connection
      .start()
      .then(function () {
        outcome.connectedState = connection.state;
        return connection.invoke("GetTransport");
      })
      .then(function (transport) {
        outcome.transport = transport;
        // Only MessagePack binds a Uint8Array to byte[]; JSON gives the hub a JsonElement.
        return connection.invoke("DescribeValue", new Uint8Array([1]));
      })
      .then(function (described) {
        outcome.described = described;
        return connection.invoke("Echo", { text: "h\u00e9llo \u2713", number: 42, list: [1, 2.5, null, true] });
      })
      .then(function (echo) {
        outcome.echo = echo;
        return collect(connection.stream("Counter", 5, 10));
      })
      .then(function (items) {
        outcome.streamed = items;
        return readAll(connection.stream("Counter", 3, 0));
      })
      .then(function (items) {
        outcome.iterated = items;
        return connection.invoke("SendToCaller", "fromServer", { greeting: "hi from the hub" });
      })
      .then(function () {
        // The hub's call travels before the completion on the same connection; wait anyway.
        return {
          then: function (resolve) {
            if (received.length > 0) resolve();
            else onReceived = resolve;
          },
        };
      })
      .then(function () {
        outcome.received = received;
        // A client-to-server stream. Its outcome is recorded rather than ending the run, so the
        // other steps are still reported when only this one fails.
        return {
          then: function (resolve) {
            function failed(error) {
              outcome.uploadError = error && error.name ? error.name + ": " + error.message : String(error);
              resolve();
            }
            try {
              var subject = new signalR.Subject();
              connection.invoke("Upload", subject).then(function (result) {
                outcome.uploaded = result;
                resolve();
              }, failed);
              subject.next("up");
              subject.next("load");
              subject.complete();
            } catch (error) {
              failed(error);
            }
          },
        };
      })
      .then(function () {
        return connection.stop();
      })
      .then(function () {
        outcome.finalState = connection.state;
        outcome.globalsAfter = typesOf();
        report();
      }, fail);
  } catch (error) {
    fail(error);
  }
})(typeof self !== "undefined" ? self : this);
