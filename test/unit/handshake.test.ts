import { describe, expect, it } from "vitest";
import { ProtocolError } from "../../src/errors.js";
import { parseHandshakeResponse, writeHandshakeRequest, type ParsedHandshake } from "../../src/protocol/handshake.js";
import { appendPayload } from "../../src/protocol/payload.js";
import { JsonHubProtocol } from "../../src/protocol/jsonHubProtocol.js";

const RS = "\x1e";
const encode = (text: string): ArrayBuffer => new TextEncoder().encode(text).buffer as ArrayBuffer;
const decode = (data: string | ArrayBuffer | undefined): string | undefined =>
  data === undefined ? undefined : typeof data === "string" ? data : new TextDecoder().decode(data);

describe("handshake request", () => {
  it("is exactly {\"protocol\":\"json\",\"version\":1} followed by 0x1E", () => {
    expect(writeHandshakeRequest({ protocol: "json", version: 1 })).toBe(`{"protocol":"json","version":1}${RS}`);
  });

  it("names the protocol and version it is given, as text even for a binary protocol", () => {
    expect(writeHandshakeRequest({ protocol: "messagepack", version: 2 })).toBe(`{"protocol":"messagepack","version":2}${RS}`);
  });

});

describe("handshake response", () => {
  it("accepts {} followed by 0x1E with nothing remaining", () => {
    expect(parseHandshakeResponse(`{}${RS}`)).toEqual({ response: {}, remaining: undefined });
  });

  it("reports the server's error text", () => {
    expect(parseHandshakeResponse(`{"error":"x"}${RS}`)?.response.error).toBe("x");
    expect(parseHandshakeResponse(`{"error":"Requested protocol 'foo' is not available."}${RS}`)?.response.error).toBe(
      "Requested protocol 'foo' is not available.",
    );
  });

  it("reads minorVersion, and an unknown field is no error", () => {
    expect(parseHandshakeResponse(`{"minorVersion":1,"future":true}${RS}`)?.response).toMatchObject({ minorVersion: 1 });
    expect(parseHandshakeResponse(`{"future":true}${RS}`)?.response.error).toBeUndefined();
  });

  it("returns the hub messages that follow the response in the same string payload", () => {
    const messages = `{"type":1,"target":"Hello","arguments":[]}${RS}{"type":6}${RS}`;
    const parsed = parseHandshakeResponse(`{}${RS}${messages}`);
    expect(parsed?.response).toEqual({});
    expect(parsed?.remaining).toBe(messages);
    expect(new JsonHubProtocol().parseMessages(parsed!.remaining as string)).toHaveLength(2);
  });

  it("returns the bytes that follow the response in the same ArrayBuffer payload", () => {
    const messages = `{"type":6}${RS}{"type":3,"invocationId":"1","result":"é"}${RS}`;
    const parsed = parseHandshakeResponse(encode(`{}${RS}${messages}`));
    expect(parsed?.response).toEqual({});
    expect(parsed?.remaining).toBeInstanceOf(ArrayBuffer);
    expect(decode(parsed?.remaining)).toBe(messages);
  });

  it("reads an error response given as bytes", () => {
    expect(parseHandshakeResponse(encode(`{"error":"nope"}${RS}`))).toEqual({ response: { error: "nope" }, remaining: undefined });
  });

  it("returns undefined while the response has no 0x1E yet", () => {
    expect(parseHandshakeResponse("")).toBeUndefined();
    expect(parseHandshakeResponse("{}")).toBeUndefined();
    expect(parseHandshakeResponse(encode('{"error":"x"'))).toBeUndefined();
  });

  const full = `{"error":"split"}${RS}{"type":6}${RS}`;
  const offsets = Array.from({ length: full.length - 1 }, (_, i) => i + 1);

  it.each(offsets)("reassembles a string response split at offset %i", (offset) => {
    let buffer: string | ArrayBuffer | undefined;
    const results: (ParsedHandshake | undefined)[] = [];
    for (const part of [full.slice(0, offset), full.slice(offset)]) {
      buffer = appendPayload(buffer, part);
      results.push(parseHandshakeResponse(buffer));
    }
    const handshakeEnd = full.indexOf(RS) + 1;
    if (offset < handshakeEnd) {
      expect(results[0]).toBeUndefined();
    }
    const parsed = results[1]!;
    expect(parsed.response).toEqual({ error: "split" });
    expect(decode(parsed.remaining)).toBe(`{"type":6}${RS}`);
  });

  it.each(offsets)("reassembles an ArrayBuffer response split at byte offset %i", (offset) => {
    const bytes = new TextEncoder().encode(full);
    let buffer: string | ArrayBuffer | undefined;
    buffer = appendPayload(buffer, bytes.slice(0, offset).buffer as ArrayBuffer);
    const first = parseHandshakeResponse(buffer);
    if (offset < full.indexOf(RS) + 1) {
      expect(first).toBeUndefined();
    }
    buffer = appendPayload(buffer, bytes.slice(offset).buffer as ArrayBuffer);
    const parsed = parseHandshakeResponse(buffer)!;
    expect(parsed.response).toEqual({ error: "split" });
    expect(decode(parsed.remaining)).toBe(`{"type":6}${RS}`);
  });

  it("reassembles a response delivered one character per frame", () => {
    let buffer: string | ArrayBuffer | undefined;
    let parsed: ParsedHandshake | undefined;
    const text = `{"minorVersion":3}${RS}`;
    for (let i = 0; i < text.length; i++) {
      buffer = appendPayload(buffer, text[i]!);
      parsed = parseHandshakeResponse(buffer);
      expect(parsed === undefined).toBe(i < text.length - 1);
    }
    expect(parsed?.response).toEqual({ minorVersion: 3 });
  });

  it("joins a string frame and a binary frame", () => {
    const joined = appendPayload(appendPayload(undefined, "{"), encode(`}${RS}x`));
    expect(decode(joined)).toBe(`{}${RS}x`);
    expect(parseHandshakeResponse(joined)?.response).toEqual({});
  });

  const garbage: { name: string; input: string }[] = [
    { name: "text that is not JSON", input: `HTTP/1.1 200 OK${RS}` },
    { name: "an empty record", input: RS },
    { name: "a JSON array", input: `[]${RS}` },
    { name: "JSON null", input: `null${RS}` },
    { name: "a number", input: `1${RS}` },
    { name: "a hub message instead of a handshake response", input: `{"type":1,"target":"T","arguments":[]}${RS}` },
  ];

  it.each(garbage)("throws ProtocolError for $name", ({ input }) => {
    expect(() => parseHandshakeResponse(input)).toThrow(ProtocolError);
    expect(() => parseHandshakeResponse(encode(input))).toThrow(ProtocolError);
  });

  it("says what it received in the ProtocolError message", () => {
    expect(() => parseHandshakeResponse(`not json at all${RS}`)).toThrow(/handshake.*not json at all/i);
    expect(() => parseHandshakeResponse(`{"type":6}${RS}`)).toThrow(/Expected a handshake response/);
  });

  it("does not read a handshake error from a __proto__ key", () => {
    const parsed = parseHandshakeResponse(`{"__proto__":{"error":"polluted"}}${RS}`);
    expect(parsed?.response.error).toBeUndefined();
    expect(({} as Record<string, unknown>)["error"]).toBeUndefined();
  });
});
