import { describe, expect, it } from "vitest";
import { HubConnectionState, HubError } from "../../src/index.js";
import { combinations, rejectionOf, useConnections } from "../support/functional.js";

describe.each(combinations)("[%s] invoke", (combination) => {
  const hub = useConnections();
  const connect = () => hub.connect(combination);

  it("echoes strings, including empty and long ones", async () => {
    const connection = await connect();
    expect(await connection.invoke("Echo", "hello")).toBe("hello");
    expect(await connection.invoke("Echo", "")).toBe("");
    const long = "0123456789abcdef".repeat(8 * 1024); // 128 KB: several chunks on every transport (str32 in MessagePack)
    expect(await connection.invoke("Echo", long)).toBe(long);
  });

  // The string length formats are MessagePack's; JSON strings have no length prefix.
  if (combination.protocol === "MessagePack") {
    it("echoes strings at the edges of fixstr (31), str8 (255) and str16 (65535)", async () => {
      const connection = await connect();
      for (const length of [31, 32, 255, 256, 65_535, 65_536]) {
        const text = "x".repeat(length);
        expect(await connection.invoke("Echo", text), `${length} characters`).toBe(text);
      }
    });
  }

  it("echoes unicode, control characters, NUL, the record separator and a leading byte order mark intact", async () => {
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
      "\ufeffstarts with a byte order mark",
      "lone surrogates are not valid UTF-8, so none here: \u2028\u2029",
    ];
    for (const sample of samples) {
      expect(await connection.invoke("Echo", sample)).toBe(sample);
    }
  });

  it("echoes numbers, negative ones and integers beyond 32 bits included, and booleans", async () => {
    const connection = await connect();
    const values = [
      0, 1, -1, 42, 127, 128, -32, -33, 255, 256, 65_535, 65_536, -32_768, -32_769,
      2 ** 31 - 1, 2 ** 31, -(2 ** 31), -(2 ** 31) - 1, 2 ** 32 - 1, 2 ** 32, 2 ** 32 + 1, -(2 ** 32), 2 ** 40, -(2 ** 40) - 7,
      Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER,
      3.5, -0.125, 0.1, 1e-7, 1.7976931348623157e308, 5e-324, -2.5e300,
      true, false,
    ];
    for (const value of values) {
      expect(await connection.invoke("Echo", value), `Echo(${value})`).toBe(value);
    }
  });

  it("echoes nested objects and arrays, wide and long ones included", async () => {
    const connection = await connect();
    const value = {
      name: "nested",
      list: [1, "two", { three: [3, [3.5, null]] }, [], {}],
      deep: { a: { b: { c: { d: ["e", { f: true }] } } } },
      empty: "",
      nothing: null,
      big: 2 ** 40,
      negative: -123_456_789_012,
      unicodeKey: { "ключ": "значение", "🔑": "🚪" },
    };
    expect(await connection.invoke("Echo", value)).toEqual(value);
    expect(await connection.invoke("Echo", [])).toEqual([]);
    expect(await connection.invoke("Echo", {})).toEqual({});
    expect(await connection.invoke("Echo", [[1, 2], [3, [4, [5]]]])).toEqual([[1, 2], [3, [4, [5]]]]);
    // 16 and more entries: map16 / array16 instead of the fix forms in MessagePack.
    const wide = Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`key${i}`, i]));
    expect(await connection.invoke("Echo", wide)).toEqual(wide);
    const longList = Array.from({ length: 70_000 }, (_, i) => i % 300); // array32 in MessagePack
    expect(await connection.invoke("Echo", longList)).toEqual(longList);
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
    // Bytes only where the protocol carries them (JSON would turn a Uint8Array into an object).
    const values = Array.from({ length: 25 }, (_, i) =>
      combination.protocol === "MessagePack" ? { i, text: `value ${i}`, bytes: new Uint8Array([i, i + 1]) } : { i, text: `value ${i}` },
    );
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

  it("rejects with HubError when the hub method does not exist, and stays connected", async () => {
    const connection = await connect();
    const error = await rejectionOf(connection.invoke("NoSuchMethod", 1));
    expect(error).toBeInstanceOf(HubError);
    expect(error.message).toContain("NoSuchMethod");
    expect(connection.state).toBe(HubConnectionState.Connected);
  });

  it("rejects with HubError when an argument does not fit the parameter type, and stays connected", async () => {
    const connection = await connect();
    // Add(int, int) with a string: the server's binder fails and answers with an error completion.
    const error = await rejectionOf(connection.invoke("Add", "two", 3));
    expect(error).toBeInstanceOf(HubError);
    expect(connection.state).toBe(HubConnectionState.Connected);
    expect(await connection.invoke("Add", 2, 3)).toBe(5);
  });
});
