import { ProtocolError } from "../errors.js";
import type { ILogger } from "../logging.js";
import { TransferFormat, type IHubProtocol } from "../protocol/hubProtocol.js";
import { MessageType, type HubMessage, type MessageHeaders } from "../protocol/messages.js";
import { completeFramesLength, splitFrames, writeFrame } from "./binaryFraming.js";
import { Decoder } from "./decoder.js";
import { Encoder } from "./encoder.js";
import type { MessagePackOptions } from "./options.js";

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
  readonly name = "messagepack";
  /** Version 2 adds stateful reconnect's Ack and Sequence messages; the handshake asks for 1 without it. */
  readonly version = 2;
  readonly transferFormat = TransferFormat.Binary;
  private readonly encoder: Encoder;
  private readonly decoder: Decoder;

  /** @param options - codec options; the defaults are the official package's. */
  constructor(options?: MessagePackOptions) {
    this.encoder = new Encoder(options);
    this.decoder = new Decoder(options);
  }

  /**
   * Parses every message in a binary payload; unknown message types are skipped.
   * @throws ProtocolError for text input, bad framing, bad MessagePack or a malformed message.
   */
  parseMessages(input: string | ArrayBuffer, _logger?: ILogger): HubMessage[] {
    if (typeof input === "string" || !(input instanceof ArrayBuffer || ArrayBuffer.isView(input))) {
      throw new ProtocolError("The MessagePack hub protocol expects binary data (an ArrayBuffer).");
    }
    const bytes = input instanceof ArrayBuffer ? new Uint8Array(input) : new Uint8Array((input as ArrayBufferView).buffer, (input as ArrayBufferView).byteOffset, (input as ArrayBufferView).byteLength);
    const messages: HubMessage[] = [];
    for (const frame of splitFrames(bytes)) {
      const message = this.readMessage(this.decoder.decode(frame));
      if (message) messages.push(message);
    }
    return messages;
  }

  /** How many leading bytes hold whole messages; the connection keeps the rest for the next payload. */
  completeLength(input: string | ArrayBuffer): number {
    return typeof input === "string" ? input.length : completeFramesLength(new Uint8Array(input));
  }

  /** Encodes one message with its length prefix. */
  writeMessage(message: HubMessage): ArrayBuffer {
    return writeFrame(this.encoder.encode(toArray(message)));
  }

  private readMessage(value: unknown): HubMessage | undefined {
    if (!Array.isArray(value) || value.length === 0) {
      throw new ProtocolError("A MessagePack hub message must be a non-empty array.");
    }
    const type = value[0];
    const fields = (count: number, name: string) => {
      if (value.length < count) throw new ProtocolError(`Invalid ${name} message: expected at least ${count} fields, got ${value.length}.`);
    };
    switch (type) {
      case MessageType.Invocation:
      case MessageType.StreamInvocation: {
        const name = MessageType[type];
        fields(5, name);
        const invocationId = optionalString(value[2], name, "invocationId");
        if (type === MessageType.StreamInvocation && invocationId === undefined) {
          throw new ProtocolError("Invalid StreamInvocation message: it needs an invocationId.");
        }
        return {
          type,
          headers: headers(value[1], name),
          ...(invocationId !== undefined ? { invocationId } : {}),
          target: requireString(value[3], name, "target"),
          arguments: requireArray(value[4], name, "arguments"),
          ...(value.length > 5 ? { streamIds: requireArray(value[5], name, "streamIds") as string[] } : {}),
        } as HubMessage;
      }
      case MessageType.StreamItem:
        fields(4, "StreamItem");
        return { type, headers: headers(value[1], "StreamItem"), invocationId: requireString(value[2], "StreamItem", "invocationId"), item: value[3] };
      case MessageType.Completion: {
        fields(4, "Completion");
        const base = { type, headers: headers(value[1], "Completion"), invocationId: requireString(value[2], "Completion", "invocationId") } as const;
        switch (value[3]) {
          case ERROR_RESULT:
            fields(5, "Completion");
            return { ...base, error: requireString(value[4], "Completion", "error") };
          case VOID_RESULT:
            return base;
          case NON_VOID_RESULT:
            fields(5, "Completion");
            return { ...base, result: value[4] };
          default:
            throw new ProtocolError(`Invalid Completion message: unknown result kind ${String(value[3])}.`);
        }
      }
      case MessageType.CancelInvocation:
        fields(3, "CancelInvocation");
        return { type, headers: headers(value[1], "CancelInvocation"), invocationId: requireString(value[2], "CancelInvocation", "invocationId") };
      case MessageType.Ping:
        return { type };
      case MessageType.Close: {
        fields(2, "Close");
        const error = optionalString(value[1], "Close", "error");
        const allowReconnect = value[2];
        if (allowReconnect !== undefined && allowReconnect !== null && typeof allowReconnect !== "boolean") {
          throw new ProtocolError("Invalid Close message: 'allowReconnect' must be a boolean.");
        }
        return { type, ...(error !== undefined ? { error } : {}), ...(typeof allowReconnect === "boolean" ? { allowReconnect } : {}) };
      }
      case MessageType.Ack:
      case MessageType.Sequence: {
        fields(2, MessageType[type]);
        const sequenceId = value[1];
        if (typeof sequenceId !== "number" && typeof sequenceId !== "bigint") {
          throw new ProtocolError(`Invalid ${MessageType[type]} message: 'sequenceId' must be an integer.`);
        }
        return { type, sequenceId: Number(sequenceId) };
      }
      default:
        if (typeof type !== "number") throw new ProtocolError("A MessagePack hub message must start with its numeric type.");
        return undefined;
    }
  }
}

/** The array form of a message, field for field as the official protocol writes it. */
function toArray(message: HubMessage): unknown[] {
  switch (message.type) {
    case MessageType.Invocation:
    case MessageType.StreamInvocation: {
      const fields: unknown[] = [message.type, message.headers || {}, message.invocationId || null, message.target, message.arguments];
      if (message.streamIds) fields.push(message.streamIds);
      return fields;
    }
    case MessageType.StreamItem:
      return [message.type, message.headers || {}, message.invocationId, message.item];
    case MessageType.Completion:
      if (message.error) return [message.type, message.headers || {}, message.invocationId, ERROR_RESULT, message.error];
      if (message.result !== undefined) return [message.type, message.headers || {}, message.invocationId, NON_VOID_RESULT, message.result];
      return [message.type, message.headers || {}, message.invocationId, VOID_RESULT];
    case MessageType.CancelInvocation:
      return [message.type, message.headers || {}, message.invocationId];
    case MessageType.Ping:
      return [message.type];
    case MessageType.Close:
      // Like the official client: a client's Close carries neither error nor allowReconnect.
      return [message.type, null];
    case MessageType.Ack:
    case MessageType.Sequence:
      return [message.type, message.sequenceId];
    default:
      throw new ProtocolError(`Cannot write a message of unknown type ${(message as { type: unknown }).type}.`);
  }
}

function headers(value: unknown, name: string): MessageHeaders {
  if (value === null || value === undefined) return {};
  if (typeof value !== "object" || Array.isArray(value) || value instanceof Uint8Array || value instanceof Date) {
    throw new ProtocolError(`Invalid ${name} message: headers must be a map.`);
  }
  return value as MessageHeaders;
}

function requireString(value: unknown, name: string, field: string): string {
  if (typeof value !== "string") throw new ProtocolError(`Invalid ${name} message: '${field}' must be a string.`);
  return value;
}

function optionalString(value: unknown, name: string, field: string): string | undefined {
  return value === null || value === undefined ? undefined : requireString(value, name, field);
}

function requireArray(value: unknown, name: string, field: string): unknown[] {
  if (!Array.isArray(value)) throw new ProtocolError(`Invalid ${name} message: '${field}' must be an array.`);
  return value;
}
