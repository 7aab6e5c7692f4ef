// A dedicated Web Worker: loads hubwire's bundle(s) with importScripts, then hub-runner.js, which
// reads the same query string and reports back with postMessage (the page logs it).
// Query: scripts=hubwire.min.js[,hubwire-msgpack.min.js] plus hub-runner.js's parameters.
(function () {
  "use strict";
  var match = /[?&]scripts=([^&]*)/.exec(self.location.search);
  var scripts = match ? decodeURIComponent(match[1]).split(",") : [];
  self.hubwireGlobalsBefore = { window: typeof self.window, document: typeof self.document };
  for (var i = 0; i < scripts.length; i++) importScripts("/lib/" + scripts[i]);
  importScripts("/pages/hub-runner.js");
})();
