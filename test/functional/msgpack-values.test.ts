import { describe, expect, it } from "vitest";
import { type HubConnection } from "../../src/index.js";
import { MessagePackHubProtocol } from "../../src/msgpack/index.js";
import { TRANSPORTS, useConnections } from "../support/functional.js";

// What MessagePack carries that JSON cannot: dates as the timestamp extension (a .NET DateTime
// on the hub), bytes as bin (a byte[]), 64-bit integers exactly. TestHub.DescribeValue(object?)
// answers "<.NET type>:<value>" for whatever the server's protocol bound.
const BINARY_TRANSPORTS = TRANSPORTS.filter(([name]) => name !== "ServerSentEvents");

const DAY_MS = 24 * 60 * 60 * 1000;
const DICTIONARY = "System.Collections.Generic.Dictionary<System.Object,System.Object>";

describe.each(BINARY_TRANSPORTS)("MessagePack values over %s", (transportName, transport) => {
  const hub = useConnections();

  async function connect(): Promise<HubConnection> {
    const connection = await hub.start("/testhub", {
      options: transport,
      configure: (builder) => builder.withHubProtocol(new MessagePackHubProtocol()),
    });
    expect(await connection.invoke("GetTransport")).toBe(transportName);
    return connection;
  }

  describe("dates", () => {
    // Each date is chosen for the timestamp format hubwire writes for it, or the one the server writes back.
    const dates: [string, Date][] = [
      ["a whole second (timestamp 32)", new Date(Date.UTC(2024, 0, 2, 3, 4, 5))],
      ["a date with milliseconds (timestamp 64)", new Date(Date.UTC(2024, 0, 2, 3, 4, 5, 678))],
      ["the day before a leap day", new Date(Date.UTC(2024, 1, 28, 23, 0, 0, 1))],
      ["the Unix epoch", new Date(0)],
      ["a date before 1970 (timestamp 96)", new Date(Date.UTC(1969, 6, 20, 20, 17, 40))],
      ["a date before 1970 with milliseconds", new Date(Date.UTC(1969, 6, 20, 20, 17, 40, 250))],
      ["one millisecond before the epoch", new Date(-1)],
      ["a date in 1900", new Date(Date.UTC(1900, 0, 1, 0, 0, 0, 999))],
      ["the first day .NET can hold", new Date("0001-01-01T00:00:00.000Z")],
      ["the last second timestamp 32 holds (the answer needs timestamp 64)", new Date(0xffffffff * 1000)],
      ["a date after 2514 (timestamp 96)", new Date(Date.UTC(3000, 5, 15, 12, 30, 45, 5))],
      ["two days before .NET's last", new Date("9999-12-29T23:59:59.999Z")],
    ];

    it.each(dates)("AddOneDay returns a Date exactly one day after %s", async (_, date) => {
      const connection = await connect();
      const result = await connection.invoke<Date>("AddOneDay", date);
      expect(result).toBeInstanceOf(Date);
      expect(result.getTime()).toBe(date.getTime() + DAY_MS);
    });

    it("binds a Date to System.DateTime in UTC, to the millisecond", async () => {
      const connection = await connect();
      expect(await connection.invoke("DescribeValue", new Date(Date.UTC(2024, 0, 2, 3, 4, 5, 6)))).toBe("System.DateTime:2024-01-02T03:04:05.0060000Z");
      expect(await connection.invoke("DescribeValue", new Date(Date.UTC(1969, 11, 31, 23, 59, 59, 999)))).toBe(
        "System.DateTime:1969-12-31T23:59:59.9990000Z",
      );
      expect(await connection.invoke("DescribeValue", new Date(0))).toBe("System.DateTime:1970-01-01T00:00:00.0000000Z");
    });

    it("echoes Dates, alone and inside maps and arrays, as Dates", async () => {
      const connection = await connect();
      const when = new Date(Date.UTC(2030, 11, 31, 23, 59, 59, 999));
      const echoed = await connection.invoke("Echo", when);
      expect(echoed).toBeInstanceOf(Date);
      expect(echoed).toEqual(when);
      const nested = { when, list: [new Date(-86_400_000), null] };
      expect(await connection.invoke("Echo", nested)).toEqual(nested);
    });
  });

  describe("bytes", () => {
    it("ReverseBytes returns a Uint8Array with the bytes of a Uint8Array reversed", async () => {
      const connection = await connect();
      const result = await connection.invoke("ReverseBytes", new Uint8Array([1, 2, 3, 4, 5, 0, 255]));
      expect(result).toBeInstanceOf(Uint8Array);
      expect(result).toEqual(new Uint8Array([255, 0, 5, 4, 3, 2, 1]));
    });

    it("ReverseBytes takes an ArrayBuffer argument as byte[] too", async () => {
      const connection = await connect();
      const buffer = new Uint8Array([10, 20, 30]).buffer;
      expect(buffer).toBeInstanceOf(ArrayBuffer);
      expect(await connection.invoke("ReverseBytes", buffer)).toEqual(new Uint8Array([30, 20, 10]));
      expect(await connection.invoke("DescribeValue", buffer)).toBe("System.Byte[]:0a141e");
    });

    it("sends only the bytes a Uint8Array views, not the rest of its buffer", async () => {
      const connection = await connect();
      const view = new Uint8Array([0, 1, 2, 3, 4, 5, 6, 7]).subarray(2, 5);
      expect(await connection.invoke("ReverseBytes", view)).toEqual(new Uint8Array([4, 3, 2]));
      // A Node Buffer is a Uint8Array, often a view into a shared pool.
      expect(await connection.invoke("ReverseBytes", Buffer.from([7, 8, 9]))).toEqual(new Uint8Array([9, 8, 7]));
    });

    it("sends other typed arrays as their raw bytes", async () => {
      const connection = await connect();
      const words = new Uint16Array([0x0102, 0x0304]);
      const raw = new Uint8Array(words.buffer, words.byteOffset, words.byteLength);
      expect(await connection.invoke("DescribeValue", words)).toBe(`System.Byte[]:${Buffer.from(raw).toString("hex")}`);
    });

    it("round-trips empty byte arrays and lengths at the edges of bin 8, bin 16 and bin 32", async () => {
      const connection = await connect();
      expect(await connection.invoke("ReverseBytes", new Uint8Array(0))).toEqual(new Uint8Array(0));
      for (const length of [1, 255, 256, 65_535, 65_536]) {
        const bytes = Uint8Array.from({ length }, (_, i) => (i * 31) % 256);
        expect(await connection.invoke("ReverseBytes", bytes), `${length} bytes`).toEqual(bytes.slice().reverse());
      }
    });

    it("echoes bytes, alone and inside maps and arrays, as Uint8Arrays", async () => {
      const connection = await connect();
      const echoed = await connection.invoke("Echo", new Uint8Array([1, 2, 3]));
      expect(echoed).toBeInstanceOf(Uint8Array);
      expect(echoed).toEqual(new Uint8Array([1, 2, 3]));
      const nested = { bytes: new Uint8Array([0xca, 0xfe]), list: [new Uint8Array(0), "text"] };
      expect(await connection.invoke("Echo", nested)).toEqual(nested);
    });
  });

  describe("the .NET types the hub binds", () => {
    it("binds integers to System.Int64, whatever their size", async () => {
      const connection = await connect();
      expect(await connection.invoke("DescribeValue", 42)).toBe("System.Int64:42");
      expect(await connection.invoke("DescribeValue", -7)).toBe("System.Int64:-7");
      expect(await connection.invoke("DescribeValue", 0)).toBe("System.Int64:0");
      expect(await connection.invoke("DescribeValue", 2 ** 40)).toBe("System.Int64:1099511627776");
      expect(await connection.invoke("DescribeValue", Number.MIN_SAFE_INTEGER)).toBe("System.Int64:-9007199254740991");
    });

    it("binds other numbers to System.Double, integers beyond 2^53 included (written as float64, as the official client does)", async () => {
      const connection = await connect();
      expect(await connection.invoke("DescribeValue", 1.5)).toBe("System.Double:1.5");
      expect(await connection.invoke("DescribeValue", -0.1)).toBe("System.Double:-0.1");
      expect(await connection.invoke("DescribeValue", 2 ** 53)).toBe("System.Double:9007199254740992");
    });

    it("binds bigints to System.Int64, or System.UInt64 above Int64's range", async () => {
      const connection = await connect();
      expect(await connection.invoke("DescribeValue", BigInt(10))).toBe("System.Int64:10");
      expect(await connection.invoke("DescribeValue", BigInt("-9223372036854775808"))).toBe("System.Int64:-9223372036854775808");
      expect(await connection.invoke("DescribeValue", BigInt("18446744073709551615"))).toBe("System.UInt64:18446744073709551615");
    });

    it("binds strings, booleans, null, bytes and dates to their .NET types", async () => {
      const connection = await connect();
      expect(await connection.invoke("DescribeValue", "hi")).toBe("System.String:hi");
      expect(await connection.invoke("DescribeValue", true)).toBe("System.Boolean:True");
      expect(await connection.invoke("DescribeValue", null)).toBe("null");
      expect(await connection.invoke("DescribeValue", new Uint8Array([1, 2, 3]))).toBe("System.Byte[]:010203");
      expect(await connection.invoke("DescribeValue", new Date(Date.UTC(2024, 0, 2)))).toBe("System.DateTime:2024-01-02T00:00:00.0000000Z");
    });

    it("binds arrays to System.Object[] and maps to a Dictionary, with every element typed", async () => {
      const connection = await connect();
      expect(await connection.invoke("DescribeValue", [1, "a", null])).toBe("System.Object[]:[System.Int64:1,System.String:a,null]");
      expect(await connection.invoke("DescribeValue", { a: 1 })).toBe(`${DICTIONARY}:{System.String:a=System.Int64:1}`);
      expect(
        await connection.invoke("DescribeValue", {
          when: new Date(Date.UTC(2024, 0, 2, 3, 4, 5, 6)),
          bytes: new Uint8Array([0xff]),
          list: [2.5, false],
          inner: {},
        }),
      ).toBe(
        `${DICTIONARY}:{System.String:when=System.DateTime:2024-01-02T03:04:05.0060000Z,System.String:bytes=System.Byte[]:ff,` +
          `System.String:list=System.Object[]:[System.Double:2.5,System.Boolean:False],System.String:inner=${DICTIONARY}:{}}`,
      );
    });
  });

  // BigInt(...) rather than literals: tsconfig targets ES2017.
  describe("64-bit integers", () => {
    it("AddLong returns exact numbers up to the largest safe integer", async () => {
      const connection = await connect();
      expect(await connection.invoke("AddLong", 2 ** 32, 2 ** 32)).toBe(2 ** 33);
      expect(await connection.invoke("AddLong", 2 ** 53 - 2, 1)).toBe(Number.MAX_SAFE_INTEGER);
      expect(await connection.invoke("AddLong", -(2 ** 53 - 2), -1)).toBe(Number.MIN_SAFE_INTEGER);
      expect(await connection.invoke("AddLong", Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER)).toBe(0);
    });

    it("AddLong returns a bigint, exactly, for results beyond 2^53", async () => {
      const connection = await connect();
      expect(await connection.invoke("AddLong", Number.MAX_SAFE_INTEGER, 1)).toBe(BigInt("9007199254740992"));
      expect(await connection.invoke("AddLong", 2 ** 53, 1)).toBe(BigInt("9007199254740993"));
      expect(await connection.invoke("AddLong", Number.MIN_SAFE_INTEGER, -2)).toBe(BigInt("-9007199254740993"));
      expect(await connection.invoke("AddLong", BigInt("4611686018427387904"), BigInt("4611686018427387903"))).toBe(BigInt("9223372036854775807"));
      expect(await connection.invoke("AddLong", BigInt("-9223372036854775807"), BigInt(-1))).toBe(BigInt("-9223372036854775808"));
    });

    it("echoes bigints beyond 2^53 exactly, and small ones as numbers", async () => {
      const connection = await connect();
      expect(await connection.invoke("Echo", BigInt("1152921504606846979"))).toBe(BigInt("1152921504606846979")); // 2^60 + 3
      expect(await connection.invoke("Echo", BigInt(5))).toBe(5);
    });
  });

  describe("large payloads", () => {
    it("round-trips a 200 KB Uint8Array through ReverseBytes and Echo", async () => {
      const connection = await connect();
      const bytes = Uint8Array.from({ length: 200 * 1024 }, (_, i) => (i * 7 + (i >> 8)) % 256);
      expect(await connection.invoke("ReverseBytes", bytes)).toEqual(bytes.slice().reverse());
      expect(await connection.invoke("Echo", bytes)).toEqual(bytes);
    });

    it("round-trips a 100 KB string of multi-byte characters", async () => {
      const connection = await connect();
      const text = "日本語 ünïcödé 😀 ".repeat(4 * 1024); // about 100 KB as UTF-8
      expect(new TextEncoder().encode(text).byteLength).toBeGreaterThan(100 * 1024);
      expect(await connection.invoke("Echo", text)).toBe(text);
    });

    it("keeps several large messages apart when they are in flight together", async () => {
      const connection = await connect();
      const payloads = Array.from({ length: 4 }, (_, n) => Uint8Array.from({ length: 150 * 1024 }, (_, i) => (i + n * 61) % 256));
      const results = await Promise.all(payloads.map((bytes) => connection.invoke("ReverseBytes", bytes)));
      results.forEach((result, n) => expect(result, `payload ${n}`).toEqual(payloads[n]!.slice().reverse()));
    });
  });
});
