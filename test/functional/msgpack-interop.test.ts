import * as signalR from "@microsoft/signalr";
import { MessagePackHubProtocol as OfficialMessagePackHubProtocol } from "@microsoft/signalr-protocol-msgpack";
import { afterEach, describe, expect, it } from "vitest";
import { HubConnectionState, HubError, Subject, type HubConnection } from "../../src/index.js";
import { MessagePackHubProtocol } from "../../src/msgpack/index.js";
import { collect, deferred, rejectionOf, serverUrl, TRANSPORTS, useConnections, withTimeout } from "../support/functional.js";

// Drop-in compatibility both ways, against the real server:
//  (a) hubwire's HubConnection with the official @microsoft/signalr-protocol-msgpack protocol;
//  (b) the official @microsoft/signalr HubConnection with hubwire's MessagePack protocol.
const BINARY_TRANSPORTS = TRANSPORTS.filter(([name]) => name !== "ServerSentEvents");

const DAY_MS = 24 * 60 * 60 * 1000;

describe.each(BINARY_TRANSPORTS)("hubwire's HubConnection with the official MessagePack protocol over %s", (transportName, transport) => {
  const hub = useConnections();

  async function connect(): Promise<HubConnection> {
    const connection = await hub.start("/testhub", {
      options: transport,
      configure: (builder) => builder.withHubProtocol(new OfficialMessagePackHubProtocol()),
    });
    expect(await connection.invoke("GetTransport")).toBe(transportName);
    expect(await connection.invoke("DescribeValue", new Uint8Array([1]))).toBe("System.Byte[]:01");
    return connection;
  }

  it("invokes hub methods and gets their results", async () => {
    const connection = await connect();
    expect(await connection.invoke("Add", 2, 40)).toBe(42);
    const value = { text: "héllo 😀", list: [1, -2, 2 ** 40, 3.5, null, true], nested: { deep: ["x"] } };
    expect(await connection.invoke("Echo", value)).toEqual(value);
    const long = "0123456789abcdef".repeat(8 * 1024);
    expect(await connection.invoke("Echo", long)).toBe(long);
    const error = await rejectionOf(connection.invoke("Throw", "official protocol error"));
    expect(error).toBeInstanceOf(HubError);
    expect(error.message).toContain("official protocol error");
  });

  it("receives server-to-client streams and sends client-to-server streams", async () => {
    const connection = await connect();
    expect(await collect(connection.stream("Counter", 5, 1))).toEqual([0, 1, 2, 3, 4]);
    const subject = new Subject<string>();
    const uploaded = connection.invoke("Upload", subject);
    subject.next("a-");
    subject.next("b");
    subject.complete();
    expect(await withTimeout(uploaded, 10_000, "Upload")).toBe("a-b");
    const first = new Subject<string>();
    const second = new Subject<string>();
    const both = connection.invoke("UploadTwo", first, second);
    first.next("1");
    second.next("2");
    first.complete();
    second.complete();
    expect(await withTimeout(both, 10_000, "UploadTwo")).toBe("1|2");
  });

  it("delivers server calls to on() handlers and answers client results", async () => {
    const connection = await connect();
    const received = deferred<unknown>();
    connection.on("notify", (arg) => received.resolve(arg));
    await connection.send("SendToCaller", "notify", { n: 1, bytes: new Uint8Array([5]) });
    expect(await withTimeout(received.promise, 10_000, "the notify handler")).toEqual({ n: 1, bytes: new Uint8Array([5]) });
    connection.on("double", (n: number) => n * 2);
    expect(await withTimeout(connection.invoke("AskClient", "double", 21), 10_000, "AskClient")).toBe(42);
  });

  it("round-trips dates and bytes", async () => {
    const connection = await connect();
    for (const time of [Date.UTC(2024, 0, 2, 3, 4, 5), Date.UTC(2024, 0, 2, 3, 4, 5, 678), Date.UTC(1969, 6, 20, 20, 17, 40, 250)]) {
      const result = await connection.invoke<Date>("AddOneDay", new Date(time));
      expect(result).toBeInstanceOf(Date);
      expect(result.getTime()).toBe(time + DAY_MS);
    }
    expect(await connection.invoke("DescribeValue", new Date(Date.UTC(2024, 0, 2, 3, 4, 5, 6)))).toBe("System.DateTime:2024-01-02T03:04:05.0060000Z");
    const reversed = await connection.invoke("ReverseBytes", new Uint8Array([1, 2, 3]));
    expect(reversed).toBeInstanceOf(Uint8Array);
    expect(reversed).toEqual(new Uint8Array([3, 2, 1]));
    const large = Uint8Array.from({ length: 200 * 1024 }, (_, i) => i % 251);
    expect(await connection.invoke("ReverseBytes", large)).toEqual(large.slice().reverse());
  });

  it("reconnects after a server Close with allowReconnect and keeps using the protocol", async () => {
    const connection = await hub.start("/testhub", {
      options: transport,
      configure: (builder) => builder.withHubProtocol(new OfficialMessagePackHubProtocol()).withAutomaticReconnect([0, 200, 500]),
    });
    const reconnected = deferred<string | undefined>();
    connection.onreconnected((id) => reconnected.resolve(id));
    await connection.send("CloseMe", null, true);
    await withTimeout(reconnected.promise, 15_000, "onreconnected");
    expect(connection.state).toBe(HubConnectionState.Connected);
    expect(await connection.invoke("GetTransport")).toBe(transportName);
    expect(await connection.invoke("DescribeValue", new Uint8Array([2]))).toBe("System.Byte[]:02");
  });
});

describe.each(BINARY_TRANSPORTS)("the official HubConnection with hubwire's MessagePack protocol over %s", (transportName, transport) => {
  // Official connections are not hubwire's, so they get their own bookkeeping; logs go to the
  // per-test buffer of useConnections().
  const hub = useConnections();
  const live: signalR.HubConnection[] = [];

  afterEach(async () => {
    const open = live.splice(0);
    await Promise.all(open.map((connection) => withTimeout(connection.stop(), 20_000, "stop() in afterEach")));
    for (const connection of open) {
      expect(connection.state, "every connection is Disconnected after stop()").toBe(signalR.HubConnectionState.Disconnected);
    }
  });

  async function connect(): Promise<signalR.HubConnection> {
    const connection = new signalR.HubConnectionBuilder()
      .withUrl(`${serverUrl()}/testhub`, { transport: transport as number as signalR.HttpTransportType })
      .withHubProtocol(new MessagePackHubProtocol())
      .configureLogging(hub.logger("official"))
      .build();
    live.push(connection);
    await connection.start();
    expect(await connection.invoke("GetTransport")).toBe(transportName);
    expect(await connection.invoke("DescribeValue", new Uint8Array([1]))).toBe("System.Byte[]:01");
    return connection;
  }

  function collectOfficial<T>(stream: signalR.IStreamResult<T>): Promise<T[]> {
    const items: T[] = [];
    return withTimeout(
      new Promise<T[]>((resolve, reject) => {
        stream.subscribe({ next: (item) => items.push(item), complete: () => resolve(items), error: reject });
      }),
      10_000,
      "the stream to end",
    );
  }

  it("invokes hub methods and gets their results", async () => {
    const connection = await connect();
    expect(await connection.invoke("Add", 2, 40)).toBe(42);
    const value = { text: "héllo 😀", list: [1, -2, 2 ** 40, 3.5, null, true], nested: { deep: ["x"] } };
    expect(await connection.invoke("Echo", value)).toEqual(value);
    const long = "日本語 ".repeat(30 * 1024);
    expect(await connection.invoke("Echo", long)).toBe(long);
    const error = await rejectionOf(connection.invoke("Throw", "hubwire protocol error"));
    expect(error.message).toContain("hubwire protocol error");
    expect(connection.state).toBe(signalR.HubConnectionState.Connected);
  });

  it("receives server-to-client streams, a failing one included, and sends a client-to-server stream", async () => {
    const connection = await connect();
    expect(await collectOfficial(connection.stream("Counter", 5, 1))).toEqual([0, 1, 2, 3, 4]);
    const failure = await rejectionOf(collectOfficial(connection.stream("CounterThenThrow", 2)));
    expect(failure.message).toContain("stream failed after 2");
    const subject = new signalR.Subject<string>();
    const uploaded = connection.invoke("Upload", subject);
    subject.next("a-");
    subject.next("b");
    subject.complete();
    expect(await withTimeout(uploaded, 10_000, "Upload")).toBe("a-b");
    // UploadTwo is left out: the official client mishandles two adjacent stream arguments.
  });

  it("delivers server calls to on() handlers, case-insensitively, and answers client results", async () => {
    const connection = await connect();
    const received = deferred<unknown>();
    connection.on("NotifyMe", (arg) => received.resolve(arg));
    await connection.send("SendToCaller", "notifyme", { n: 1, bytes: new Uint8Array([5]), when: new Date(Date.UTC(2020, 1, 2)) });
    expect(await withTimeout(received.promise, 10_000, "the notify handler")).toEqual({
      n: 1,
      bytes: new Uint8Array([5]),
      when: new Date(Date.UTC(2020, 1, 2)),
    });
    connection.on("double", (n: number) => n * 2);
    expect(await withTimeout(connection.invoke("AskClient", "double", 21), 10_000, "AskClient")).toBe(42);
  });

  it("round-trips dates and bytes", async () => {
    const connection = await connect();
    for (const time of [Date.UTC(2024, 0, 2, 3, 4, 5), Date.UTC(2024, 0, 2, 3, 4, 5, 678), Date.UTC(1969, 6, 20, 20, 17, 40, 250)]) {
      const result = await connection.invoke<Date>("AddOneDay", new Date(time));
      expect(result).toBeInstanceOf(Date);
      expect(result.getTime()).toBe(time + DAY_MS);
    }
    const reversed = await connection.invoke("ReverseBytes", new Uint8Array([1, 2, 3]));
    expect(reversed).toBeInstanceOf(Uint8Array);
    expect(reversed).toEqual(new Uint8Array([3, 2, 1]));
    expect(await connection.invoke("ReverseBytes", new Uint8Array([4, 5]).buffer)).toEqual(new Uint8Array([5, 4]));
    const large = Uint8Array.from({ length: 200 * 1024 }, (_, i) => i % 251);
    expect(await connection.invoke("ReverseBytes", large)).toEqual(large.slice().reverse());
  });
});
