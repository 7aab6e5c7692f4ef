// Shared by the MessagePack tests: byte helpers and models of what each parser returns.
import { expect } from "vitest";
import { MessageType, type HubMessage } from "../../../src/protocol/messages.js";

/** A logger that drops everything (the official parser wants one). */
export const quiet = { log() {} };

/** Lowercase hex of a buffer or view. */
export function hex(data: ArrayBuffer | Uint8Array): string {
  return Buffer.from(data instanceof Uint8Array ? data : new Uint8Array(data)).toString("hex");
}

/** Bytes from hex; spaces and dashes are ignored ("c4-01-ff", "c4 01 ff"). */
export function fromHex(text: string): Uint8Array {
  return Uint8Array.from(Buffer.from(text.replace(/[\s-]/g, ""), "hex"));
}

/** An exact ArrayBuffer holding these bytes (never a larger backing buffer). */
export function buffer(bytes: Uint8Array | readonly number[]): ArrayBuffer {
  return Uint8Array.from(bytes).buffer;
}

/** Prefixes a payload with its length as a VarInt, written here independently of src/. */
export function frame(payload: Uint8Array): ArrayBuffer {
  const prefix: number[] = [];
  let size = payload.byteLength;
  for (;;) {
    if (size < 0x80) {
      prefix.push(size);
      break;
    }
    prefix.push((size % 0x80) | 0x80);
    size = Math.floor(size / 0x80);
  }
  return buffer([...prefix, ...payload]);
}

/** Concatenates buffers into one exact ArrayBuffer. */
export function concat(...parts: ArrayBuffer[]): ArrayBuffer {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0));
  let at = 0;
  for (const p of parts) {
    out.set(new Uint8Array(p), at);
    at += p.byteLength;
  }
  return out.buffer;
}

/**
 * "identical", or where two byte strings first differ, with a little context:
 * readable even when the payloads are 64 KB long.
 */
export function byteDifference(actual: ArrayBuffer | Uint8Array, expected: ArrayBuffer | Uint8Array): string {
  const a = actual instanceof Uint8Array ? actual : new Uint8Array(actual);
  const e = expected instanceof Uint8Array ? expected : new Uint8Array(expected);
  const n = Math.min(a.byteLength, e.byteLength);
  let i = 0;
  while (i < n && a[i] === e[i]) i++;
  if (i === n && a.byteLength === e.byteLength) return "identical";
  const around = (b: Uint8Array) => hex(b.subarray(Math.max(0, i - 4), i + 8));
  return `lengths ${a.byteLength}/${e.byteLength}, first difference at byte ${i}: …${around(a)}… vs …${around(e)}…`;
}

/**
 * The value a MessagePack decoder gives back for `value`: undefined → null,
 * -0 → 0 (written as the integer 0), any ArrayBufferView or ArrayBuffer → a
 * Uint8Array of its bytes, an Invalid Date → the epoch (written as zeros),
 * a bigint → a number when that is exact. Arrays and maps recursively.
 */
export function wire(value: unknown): unknown {
  if (value === undefined || value === null) return null;
  if (typeof value === "number") return Object.is(value, -0) ? 0 : value;
  if (typeof value === "bigint") return Number.isSafeInteger(Number(value)) ? Number(value) : value;
  if (value instanceof Date) return new Date(Number.isNaN(value.getTime()) ? 0 : value.getTime());
  if (ArrayBuffer.isView(value)) return new Uint8Array(value.buffer.slice(value.byteOffset, value.byteOffset + value.byteLength));
  if (value instanceof ArrayBuffer) return new Uint8Array(value.slice(0));
  if (Array.isArray(value)) return value.map(wire);
  if (typeof value === "object") return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, wire(v)]));
  return value;
}

/** What hubwire's parser returns for the bytes of `message` (as both encoders write them). */
export function parsedByHubwire(message: HubMessage): HubMessage {
  const m = message as HubMessage & { headers?: Record<string, string>; invocationId?: string };
  const headers = { ...(m.headers ?? {}) };
  switch (m.type) {
    case MessageType.Invocation:
    case MessageType.StreamInvocation:
      return {
        type: m.type,
        headers,
        // An Invocation's empty invocationId is falsy: both encoders write nil for it. A StreamInvocation's is written as is.
        ...(m.invocationId || (m.type === MessageType.StreamInvocation && m.invocationId !== undefined) ? { invocationId: m.invocationId } : {}),
        target: m.target,
        arguments: wire(m.arguments) as unknown[],
        ...(m.streamIds ? { streamIds: [...m.streamIds] } : {}),
      } as HubMessage;
    case MessageType.StreamItem:
      return { type: m.type, headers, invocationId: m.invocationId, item: wire(m.item) };
    case MessageType.Completion:
      // An empty error string is falsy: both encoders then write a result or a void completion.
      if (m.error) return { type: m.type, headers, invocationId: m.invocationId, error: m.error };
      if (m.result !== undefined) return { type: m.type, headers, invocationId: m.invocationId, result: wire(m.result) };
      return { type: m.type, headers, invocationId: m.invocationId };
    case MessageType.CancelInvocation:
      return { type: m.type, headers, invocationId: m.invocationId };
    case MessageType.Close:
      // Clients write [7, nil]: neither the error nor allowReconnect goes on the wire.
      return { type: m.type };
    case MessageType.Ping:
      return { type: m.type };
    case MessageType.Ack:
    case MessageType.Sequence:
      return { type: m.type, sequenceId: m.sequenceId };
  }
}

/**
 * What the official parser returns for the bytes of `message`; null for the
 * two types it ignores (StreamInvocation and CancelInvocation: a client never
 * receives them). It reports `streamIds: []` for every Invocation and the
 * Close error as read (nil → null).
 */
export function parsedByOfficial(message: HubMessage): Record<string, unknown> | null {
  if (message.type === MessageType.StreamInvocation || message.type === MessageType.CancelInvocation) return null;
  const ours = parsedByHubwire(message) as unknown as Record<string, unknown>;
  if (message.type === MessageType.Invocation) return { ...ours, streamIds: [] };
  if (message.type === MessageType.Close) return { ...ours, error: null };
  return ours;
}

/** The arguments of the one Invocation in `messages` (and a failed expectation otherwise). */
export function argumentsOf(messages: readonly unknown[]): unknown[] {
  expect(messages).toHaveLength(1);
  const [message] = messages as HubMessage[];
  expect(message?.type).toBe(MessageType.Invocation);
  return (message as { arguments: unknown[] }).arguments;
}
