import { describe, expect, it } from "vitest";
import * as api from "../../src/index.js";
import {
  AbortError,
  ConnectionClosedError,
  HandshakeError,
  HttpError,
  HubError,
  HubwireError,
  InvalidArgumentError,
  InvalidStateError,
  NegotiateError,
  NoTransportError,
  ProtocolError,
  TimeoutError,
  toError,
  TransportError,
  type ErrorCode,
} from "../../src/errors.js";

const cause = new Error("the underlying failure");

const cases: { name: string; make: () => HubwireError; code: ErrorCode; message: string }[] = [
  { name: "HttpError", make: () => new HttpError("GET /x failed", 502, { cause }), code: "http_error", message: "GET /x failed" },
  { name: "TimeoutError", make: () => new TimeoutError("too slow", { cause }), code: "timeout", message: "too slow" },
  { name: "AbortError", make: () => new AbortError("stopped", { cause }), code: "aborted", message: "stopped" },
  { name: "NegotiateError", make: () => new NegotiateError("refused", "http://h/negotiate", { cause }), code: "negotiate_failed", message: "refused" },
  { name: "TransportError", make: () => new TransportError("LongPolling", "poll failed", { cause }), code: "transport_failed", message: "poll failed" },
  { name: "NoTransportError", make: () => new NoTransportError("none worked", [cause]), code: "transport_unavailable", message: "none worked" },
  { name: "HandshakeError", make: () => new HandshakeError("refused", { cause }), code: "handshake_failed", message: "refused" },
  { name: "HubError", make: () => new HubError("server failed", "Method", { cause }), code: "hub_error", message: "server failed" },
  { name: "ProtocolError", make: () => new ProtocolError("bad frame", { cause }), code: "protocol_error", message: "bad frame" },
  { name: "ConnectionClosedError", make: () => new ConnectionClosedError("closed", { cause }), code: "connection_closed", message: "closed" },
];

describe("error classes", () => {
  it.each(cases)("$name has its name, its code, its message and its cause, and is a HubwireError and an Error", ({ name, make, code, message }) => {
    const error = make();
    expect(error).toBeInstanceOf(Error);
    expect(error).toBeInstanceOf(HubwireError);
    expect(error.name).toBe(name);
    expect(error.code).toBe(code);
    expect(error.message).toBe(message);
    expect((error as Error & { cause?: unknown }).cause).toBe(cause);
    expect(error.stack).toContain(name);
    expect(String(error)).toBe(`${name}: ${message}`);
  });

  it.each([
    ["InvalidStateError", () => new InvalidStateError("not now"), "invalid_state"],
    ["InvalidArgumentError", () => new InvalidArgumentError("not that"), "invalid_argument"],
  ] as const)("%s has its name and code and is a HubwireError", (name, make, code) => {
    const error = make();
    expect(error).toBeInstanceOf(HubwireError);
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe(name);
    expect(error.code).toBe(code);
  });

  it("is exported from the package entry point under the same names", () => {
    for (const { name } of cases) {
      expect((api as Record<string, unknown>)[name]).toBeTypeOf("function");
    }
    expect(api.HubwireError).toBe(HubwireError);
    expect(api.InvalidStateError).toBe(InvalidStateError);
    expect(api.InvalidArgumentError).toBe(InvalidArgumentError);
  });

  it("has no cause property when none was given", () => {
    expect("cause" in new ProtocolError("x")).toBe(false);
    expect("cause" in new HttpError("x", 500)).toBe(false);
  });

  it("keeps a cause that is explicitly undefined", () => {
    const error = new HubError("x", undefined, { cause: undefined });
    expect("cause" in error).toBe(true);
    expect(error.methodName).toBeUndefined();
  });
});

describe("official client compatibility", () => {
  it("HttpError takes (message, statusCode) like the official client", () => {
    const error = new HttpError("Not Found", 404);
    expect(error.message).toBe("Not Found");
    expect(error.statusCode).toBe(404);
    expect(error).toBeInstanceOf(api.HttpError);
  });

  it("TimeoutError and AbortError have the official default messages", () => {
    expect(new TimeoutError().message).toBe("A timeout occurred.");
    expect(new AbortError().message).toBe("An abort occurred.");
    expect(new TimeoutError().name).toBe("TimeoutError");
    expect(new AbortError().name).toBe("AbortError");
  });
});

describe("error context", () => {
  it("NegotiateError keeps the URL and the status code", () => {
    const error = new NegotiateError("failed", "http://h/negotiate?negotiateVersion=1", { statusCode: 503 });
    expect(error.url).toBe("http://h/negotiate?negotiateVersion=1");
    expect(error.statusCode).toBe(503);
    expect(new NegotiateError("x", "u").statusCode).toBeUndefined();
  });

  it("TransportError names its transport", () => {
    expect(new TransportError("ServerSentEvents", "x").transport).toBe("ServerSentEvents");
  });

  it("NoTransportError keeps every failure, and the last one as its cause", () => {
    const failures = [new TransportError("WebSockets", "a"), new TransportError("LongPolling", "b")];
    const error = new NoTransportError("none", failures);
    expect(error.errors).toEqual(failures);
    expect((error as Error & { cause?: unknown }).cause).toBe(failures[1]);
    expect("cause" in new NoTransportError("none", [])).toBe(false);
  });

  it("HubError keeps the method name", () => {
    expect(new HubError("boom", "SendMessage").methodName).toBe("SendMessage");
  });

  it("can be subclassed by applications, keeping the parent's name, code and fields", () => {
    class RetryableHttpError extends HttpError {
      readonly retryable = true;
    }
    const error = new RetryableHttpError("GET /x failed", 503, { cause });
    expect(error).toBeInstanceOf(HttpError);
    expect(error).toBeInstanceOf(HubwireError);
    expect([error.name, error.code, error.statusCode, error.retryable, error.message]).toEqual(["HttpError", "http_error", 503, true, "GET /x failed"]);
    expect((error as Error & { cause?: unknown }).cause).toBe(cause);
  });

  it("subclasses can be told apart by instanceof", () => {
    const error: Error = new TimeoutError();
    expect(error instanceof AbortError).toBe(false);
    expect(error instanceof HttpError).toBe(false);
    expect(error instanceof TimeoutError).toBe(true);
  });
});

describe("toError", () => {
  it("returns an Error unchanged", () => {
    const error = new RangeError("r");
    expect(toError(error)).toBe(error);
  });

  it("turns a string into an Error with that message", () => {
    const error = toError("plain string");
    expect(error).toBeInstanceOf(Error);
    expect(error.message).toBe("plain string");
  });

  it("turns anything else into an Error with its string form", () => {
    expect(toError(42).message).toBe("42");
    expect(toError(undefined).message).toBe("undefined");
    expect(toError({ toString: () => "custom" }).message).toBe("custom");
  });
});

describe("error names in minified builds", () => {
  it("keeps every class's name when an app minifier renames the classes", async () => {
    const { build } = await import("esbuild");
    const { fileURLToPath } = await import("node:url");
    const entry = fileURLToPath(new URL("../../src/errors.ts", import.meta.url));
    const result = await build({ entryPoints: [entry], bundle: true, minify: true, write: false, format: "cjs", platform: "neutral" });
    const module = { exports: {} as Record<string, new (...args: any[]) => Error> };
    new Function("module", "exports", result.outputFiles[0]!.text)(module, module.exports);
    const names = Object.entries(module.exports)
      .filter(([, value]) => typeof value === "function" && value.prototype instanceof Error)
      .map(([exported, ErrorClass]) => [exported, new ErrorClass("m", 0).name]);
    expect(names.length).toBeGreaterThanOrEqual(13);
    for (const [exported, name] of names) {
      expect(name).toBe(exported);
    }
  });
});
