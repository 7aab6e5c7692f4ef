// Drop-in compatibility: everything @microsoft/signalr exports at run time exists in hubwire
// with the same shape, so code written for it works after changing only the import.
import * as official from "@microsoft/signalr";
import { describe, expect, it } from "vitest";
import * as hubwire from "../../src/index.js";

// `serverTimeout` has no underscore but is declared private in the official typings.
const privateInOfficialTypings = new Set(["constructor", "serverTimeout"]);
const publicMethods = (prototype: object) => Object.getOwnPropertyNames(prototype).filter((name) => !name.startsWith("_") && !privateInOfficialTypings.has(name));

describe("parity with @microsoft/signalr", () => {
  const runtimeExports = Object.keys(official).filter((name) => name !== "default" && name !== "__esModule");

  it("exports every name the official client exports at run time", () => {
    expect(runtimeExports.length).toBeGreaterThan(15);
    expect(runtimeExports.filter((name) => !(name in hubwire))).toEqual([]);
  });

  it.each(["HubConnectionState", "HttpTransportType", "TransferFormat", "MessageType", "LogLevel"] as const)("gives %s the official members and values", (name) => {
    const theirs = official[name] as unknown as Record<string, string | number>;
    const ours = hubwire[name] as unknown as Record<string, string | number>;
    for (const [member, value] of Object.entries(theirs)) {
      expect(ours[member], `${name}.${member}`).toBe(value);
    }
  });

  it.each(["TransferFormat", "MessageType", "LogLevel"] as const)("gives %s exactly the official enum object, reverse mapping included", (name) => {
    expect({ ...hubwire[name] }).toStrictEqual({ ...official[name] });
    expect(Object.keys(hubwire[name])).toEqual(Object.keys(official[name]));
  });

  it("has every public method of the official HubConnectionBuilder and HubConnection", () => {
    const missing = (theirs: object, ours: object) => publicMethods(theirs).filter((name) => !(name in ours));
    expect(missing(official.HubConnectionBuilder.prototype, hubwire.HubConnectionBuilder.prototype)).toEqual([]);
    expect(missing(official.HubConnection.prototype, hubwire.HubConnection.prototype)).toEqual([]);
  });

  it("keeps the official error constructors' arguments and fields", () => {
    const httpError = new hubwire.HttpError("Not Found", 404);
    expect([httpError.message, httpError.statusCode, httpError instanceof Error]).toEqual(["Not Found", 404, true]);
    expect(new hubwire.TimeoutError().message).toBe(new official.TimeoutError().message);
    expect(new hubwire.AbortError().message).toBe(new official.AbortError().message);
  });

  it("builds a connection from code written for the official client, with the official defaults", () => {
    const build = (signalR: typeof official | typeof hubwire) =>
      new signalR.HubConnectionBuilder()
        .withUrl("http://127.0.0.1:1/hub", { transport: signalR.HttpTransportType.WebSockets | signalR.HttpTransportType.LongPolling, skipNegotiation: false, withCredentials: false, timeout: 5000 })
        .withAutomaticReconnect([0, 1000])
        .configureLogging(signalR.LogLevel.None)
        .build();
    const theirs = build(official);
    const ours = build(hubwire);
    expect({ state: ours.state, id: ours.connectionId, url: ours.baseUrl, timeout: ours.serverTimeoutInMilliseconds, keepAlive: ours.keepAliveIntervalInMilliseconds }).toEqual({
      state: theirs.state,
      id: theirs.connectionId,
      url: theirs.baseUrl,
      timeout: theirs.serverTimeoutInMilliseconds,
      keepAlive: theirs.keepAliveIntervalInMilliseconds,
    });
  });
});
