import { describe, expect, it } from "vitest";
import { HubConnectionState, HubError, type HubConnection } from "../../src/index.js";
import { rejectionOf, TRANSPORTS, useConnections } from "../support/functional.js";

describe.each(TRANSPORTS)("invoke over %s", (transportName, transport) => {
  const hub = useConnections();

  async function connect(): Promise<HubConnection> {
    const connection = await hub.start("/testhub", { options: transport });
    expect(await connection.invoke("GetTransport")).toBe(transportName);
    return connection;
  }

  it("echoes strings, including empty and long ones", async () => {
    const connection = await connect();
    expect(await connection.invoke("Echo", "hello")).toBe("hello");
    expect(await connection.invoke("Echo", "")).toBe("");
    const long = "0123456789abcdef".repeat(8 * 1024); // 128 KB: several chunks on every transport
    expect(await connection.invoke("Echo", long)).toBe(long);
  });

  it("echoes unicode, control characters and the record separator intact", async () => {
    const connection = await connect();
    const samples = [
      "héllo wörld",
      "日本語のテキスト",
      "emoji 😀👍🏽 and a flag 🇫🇷",
      "مرحبا بالعالم",
      "e\u0301 combining",
      "quotes \" and \\ backslash",
      "line\nbreak\ttab\r\n",
      "record\u001eseparator\u001e",
      "nul\u0000char",
      "lone surrogates are not valid UTF-8, so none here: \u2028\u2029",
    ];
    for (const sample of samples) {
      expect(await connection.invoke("Echo", sample)).toBe(sample);
    }
  });

  it("echoes numbers and booleans", async () => {
    const connection = await connect();
    for (const value of [0, 1, -1, 42, 3.5, -0.125, 1e-7, 1.7976931348623157e308, Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER, true, false]) {
      expect(await connection.invoke("Echo", value)).toBe(value);
    }
  });

  it("echoes nested objects and arrays", async () => {
    const connection = await connect();
    const value = {
      name: "nested",
      list: [1, "two", { three: [3, [3.5, null]] }, [], {}],
      deep: { a: { b: { c: { d: ["e", { f: true }] } } } },
      empty: "",
      nothing: null,
      unicodeKey: { "ключ": "значение", "🔑": "🚪" },
    };
    expect(await connection.invoke("Echo", value)).toEqual(value);
    expect(await connection.invoke("Echo", [])).toEqual([]);
    expect(await connection.invoke("Echo", [[1, 2], [3, [4, [5]]]])).toEqual([[1, 2], [3, [4, [5]]]]);
  });

  it("echoes null", async () => {
    const connection = await connect();
    expect(await connection.invoke("Echo", null)).toBeNull();
  });

  it("returns the server's computed result from Add", async () => {
    const connection = await connect();
    expect(await connection.invoke("Add", 2, 3)).toBe(5);
    expect(await connection.invoke("Add", -40, 17)).toBe(-23);
    expect(await connection.invoke("add", 1000, 234)).toBe(1234); // server method names are case-insensitive
  });

  it("matches each result to its own invocation when many are in flight", async () => {
    const connection = await connect();
    const values = Array.from({ length: 25 }, (_, i) => ({ i, text: `value ${i}` }));
    const results = await Promise.all(values.map((value) => connection.invoke("Echo", value)));
    expect(results).toEqual(values);
  });

  it("rejects with HubError carrying the server's HubException text and the method name", async () => {
    const connection = await connect();
    const error = await rejectionOf(connection.invoke("Throw", "the gizmo broke"));
    expect(error).toBeInstanceOf(HubError);
    expect(error.message).toContain("the gizmo broke");
    expect((error as HubError).methodName).toBe("Throw");
    // The connection survives a failed invocation.
    expect(connection.state).toBe(HubConnectionState.Connected);
    expect(await connection.invoke("Add", 1, 1)).toBe(2);
  });

  it("rejects with the server's generic message, without the secret detail, for a plain exception", async () => {
    const connection = await connect();
    const error = await rejectionOf(connection.invoke("ThrowPlain"));
    expect(error).toBeInstanceOf(HubError);
    expect((error as HubError).methodName).toBe("ThrowPlain");
    expect(error.message).toContain("An unexpected error occurred invoking 'ThrowPlain' on the server.");
    expect(error.message).not.toContain("secret detail");
    expect(error.message).not.toContain("InvalidOperationException");
  });

  it("rejects with HubError when the hub method does not exist", async () => {
    const connection = await connect();
    const error = await rejectionOf(connection.invoke("NoSuchMethod", 1));
    expect(error).toBeInstanceOf(HubError);
    expect(error.message).toContain("NoSuchMethod");
    expect(connection.state).toBe(HubConnectionState.Connected);
  });
});
