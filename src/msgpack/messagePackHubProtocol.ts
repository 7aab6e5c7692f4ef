import { fail } from "./fail.js";
import type { ILogger } from "../logging.js";
import { TransferFormat, type IHubProtocol } from "../protocol/hubProtocol.js";
import { MessageType, type HubMessage, type MessageHeaders } from "../protocol/messages.js";
import { readFrames } from "./binaryFraming.js";
import { createDecoder } from "./decoder.js";
import { createEncoder } from "./encoder.js";
import type { MessagePackOptions } from "./options.js";

// MessageType values as plain numbers: shorter in the bundle than the enum's member names.
const INVOCATION = 1;
const STREAM_ITEM = 2;
const COMPLETION = 3;
const STREAM_INVOCATION = 4;
const CANCEL_INVOCATION = 5;
const PING = 6;
const CLOSE = 7;
const ACK = 8;
const SEQUENCE = 9;

// Completion result kinds.
const ERROR_RESULT = 1;
const VOID_RESULT = 2;
const NON_VOID_RESULT = 3;

/**
 * The MessagePack hub protocol ("messagepack", binary). Its bytes equal those of
 * the official `@microsoft/signalr-protocol-msgpack`.
 *
 * @example
 * import { MessagePackHubProtocol } from "hubwire/msgpack";
 * new HubConnectionBuilder().withUrl(url).withHubProtocol(new MessagePackHubProtocol()).build();
 */
export class MessagePackHubProtocol implements IHubProtocol {
  /** The name sent in the handshake. */
  readonly name = "messagepack";
  /** Version 2 adds stateful reconnect's Ack and Sequence messages; the handshake asks for 1 without it. */
  readonly version = 2;
  /** MessagePack needs a binary transport: WebSockets or Long Polling. */
  readonly transferFormat: TransferFormat = TransferFormat.Binary;
  private readonly encode: (value: unknown, framed?: boolean) => Uint8Array<ArrayBuffer>;
  private readonly decode: (bytes: Uint8Array) => unknown;

  /** @param options - codec options; the defaults are the official package's. */
  constructor(options?: MessagePackOptions) {
    this.encode = createEncoder(options);
    this.decode = createDecoder(options);
  }

  /**
   * Parses every message in a binary payload; unknown message types are skipped.
   * @throws ProtocolError for text input, bad framing, bad MessagePack or a malformed message.
   */
  parseMessages(input: string | ArrayBuffer, _logger?: ILogger): HubMessage[] {
    const messages: HubMessage[] = [];
    for (const frame of readFrames(toBytes(input), true).frames) {
      const message = readMessage(this.decode(frame));
      if (message) messages.push(message);
    }
    return messages;
  }

  /** How many leading bytes hold whole messages; the connection keeps the rest for the next payload. */
  completeLength(input: string | ArrayBuffer): number {
    return typeof input === "string" ? input.length : readFrames(new Uint8Array(input), false).complete;
  }

  /** Encodes one message with its length prefix. */
  writeMessage(message: HubMessage): ArrayBuffer {
    // Ping is the fixed [6] (2 bytes), as the official client writes it: forceIntegerToFloat does not turn it into [6.0].
    return (message.type === PING ? Uint8Array.of(2, 0x91, PING) : this.encode(toArray(message), true)).buffer;
  }
}

function toBytes(input: unknown): Uint8Array {
  if (input instanceof ArrayBuffer) return new Uint8Array(input);
  if (ArrayBuffer.isView(input)) return new Uint8Array(input.buffer, input.byteOffset, input.byteLength);
  fail("MessagePack needs binary data, not text.");
}

/** The array form of a message, field for field as the official protocol writes it. */
function toArray(message: HubMessage): unknown[] {
  const m = message as HubMessage & { headers?: MessageHeaders; invocationId?: string };
  // The fields most types start with.
  const fields: unknown[] = [m.type, m.headers || {}, m.invocationId];
  switch (m.type) {
    case INVOCATION:
    case STREAM_INVOCATION:
      // Only an Invocation may go without an id (nil); a StreamInvocation's is written as is, "" included.
      if (m.type === INVOCATION) fields[2] = m.invocationId || null;
      fields.push(m.target, m.arguments);
      if (m.streamIds) fields.push(m.streamIds);
      return fields;
    case STREAM_ITEM:
      fields.push(m.item);
      return fields;
    case COMPLETION:
      if (m.error) fields.push(ERROR_RESULT, m.error);
      else if (m.result !== undefined) fields.push(NON_VOID_RESULT, m.result);
      else fields.push(VOID_RESULT);
      return fields;
    case CANCEL_INVOCATION:
      return fields;
    case CLOSE:
      // As the official client writes it: a client's Close carries neither error nor allowReconnect.
      return [m.type, null];
    case ACK:
    case SEQUENCE:
      return [m.type, m.sequenceId];
    default:
      fail(`Cannot write message type ${(m as { type: unknown }).type}.`);
  }
}

/** Checks a decoded array against its message type's layout; undefined for unknown types. */
function readMessage(value: unknown): HubMessage | undefined {
  if (!Array.isArray(value) || typeof value[0] !== "number") {
    fail("A hub message must be an array: [type, …].");
  }
  const type: number = value[0];
  const name = MessageType[type];
  const invalid = (problem: string): never => fail(`Invalid ${name} message: ${problem}.`);
  const need = (count: number) => value.length >= count || invalid(`expected at least ${count} fields, got ${value.length}`);
  const text = (index: number, field: string, optional?: boolean): string | undefined =>
    // An optional "" counts as absent (as the official parser does); a required "" is kept.
    typeof value[index] === "string" || (optional && value[index] == null) ? (optional ? value[index] || undefined : value[index]) : invalid(`'${field}' must be a string`);
  const list = (index: number, field: string): any[] => (Array.isArray(value[index]) ? value[index] : invalid(`'${field}' must be an array`));
  const headers = (): MessageHeaders => {
    const h = value[1];
    // A decoded map is a plain object; arrays, binary and dates are not headers.
    return h == null ? {} : Object.getPrototypeOf(h) === Object.prototype ? h : invalid("headers must be a map");
  };

  switch (type) {
    case INVOCATION:
    case STREAM_INVOCATION: {
      need(5);
      const message: Record<string, unknown> = { type, headers: headers(), target: text(3, "target"), arguments: list(4, "arguments") };
      const invocationId = text(2, "invocationId", type === INVOCATION);
      if (invocationId !== undefined) message["invocationId"] = invocationId;
      if (value.length > 5) message["streamIds"] = list(5, "streamIds");
      return message as unknown as HubMessage;
    }
    case STREAM_ITEM:
      need(4);
      return { type, headers: headers(), invocationId: text(2, "invocationId")!, item: value[3] };
    case COMPLETION: {
      need(4);
      const kind = value[3];
      const message: Record<string, unknown> = { type, headers: headers(), invocationId: text(2, "invocationId") };
      if (kind === ERROR_RESULT || kind === NON_VOID_RESULT) {
        need(5);
        if (kind === ERROR_RESULT) message["error"] = text(4, "error");
        else message["result"] = value[4];
      } else if (kind !== VOID_RESULT) {
        // Not String(kind): a decoded map with a "toString" key would make that throw a TypeError.
        invalid(`unknown result kind ${typeof kind === "number" ? kind : typeof kind}`);
      }
      return message as unknown as HubMessage;
    }
    case CANCEL_INVOCATION:
      need(3);
      return { type, headers: headers(), invocationId: text(2, "invocationId")! };
    case PING:
      return { type };
    case CLOSE: {
      need(2);
      const message: Record<string, unknown> = { type };
      const error = text(1, "error", true);
      if (error !== undefined) message["error"] = error;
      if (typeof value[2] === "boolean") message["allowReconnect"] = value[2];
      else if (value[2] != null) invalid("'allowReconnect' must be a boolean");
      return message as unknown as HubMessage;
    }
    case ACK:
    case SEQUENCE:
      need(2);
      return typeof value[1] === "number" ? ({ type, sequenceId: value[1] } as HubMessage) : invalid("'sequenceId' must be an integer");
    default:
      return undefined;
  }
}
