import { ProtocolError } from "../errors.js";
import type { IHubProtocol, TransferFormat } from "./hubProtocol.js";
import { MessageType, type HubMessage } from "./messages.js";
import { isText } from "./payload.js";
import { parseRecord, quote, RECORD_SEPARATOR } from "./textFraming.js";

/**
 * The JSON hub protocol ("json"): one JSON object per message, each followed by
 * the record separator 0x1E. Pure and synchronous.
 */
export class JsonHubProtocol implements IHubProtocol {
  /** {@inheritDoc IHubProtocol.name} */
  declare readonly name: string;
  /** Version 2 adds stateful reconnect's Ack and Sequence messages; the handshake asks for 1 without it. */
  declare readonly version: number;
  /** {@inheritDoc IHubProtocol.transferFormat} */
  declare readonly transferFormat: TransferFormat;

  constructor() {
    // Set here rather than as class fields: no per-field define helper in the bundle.
    this.name = "json";
    this.version = 2;
    this.transferFormat = 1 satisfies TransferFormat.Text;
  }

  /**
   * Parses every message in a text payload. Unknown message types are skipped;
   * unknown fields are kept but ignored.
   * @throws ProtocolError for binary input, an incomplete payload, bad JSON, or a message missing a field the client uses.
   */
  parseMessages(input: string | ArrayBuffer): HubMessage[] {
    if (!isText(input)) {
      throw new ProtocolError("JSON hub protocol got binary data");
    }
    const messages: HubMessage[] = [];
    let start = 0;
    // Cut with indexOf rather than split(): per message, split's copies and arrays cost more than parsing.
    for (let end; (end = input.indexOf(RECORD_SEPARATOR, start)) >= 0; start = end + 1) {
      const message = parseMessage(input.slice(start, end));
      if (message) messages.push(message);
    }
    // A complete payload ends with the separator.
    if (start < input.length) {
      throw new ProtocolError(`Incomplete message: ${quote(input.slice(-20))}`);
    }
    return messages;
  }

  /** Everything up to the last record separator is complete. */
  completeLength(input: string | ArrayBuffer): number {
    return isText(input) ? input.lastIndexOf(RECORD_SEPARATOR) + 1 : input.byteLength;
  }

  /** Encodes one message as JSON followed by the record separator. */
  writeMessage(message: HubMessage): string {
    return JSON.stringify(message) + RECORD_SEPARATOR;
  }
}

/**
 * Parses one record and checks the fields the client reads (type, invocationId, target,
 * arguments, error, sequenceId); undefined for unknown types. Other fields (headers,
 * streamIds, allowReconnect, …) are passed through unchecked: the client only tests
 * allowReconnect for truthiness and never reads the rest.
 */
function parseMessage(record: string): HubMessage | undefined {
  const message = parseRecord(record, "Hub message");
  const type = message["type"] as MessageType;
  // The type's name once the type is known to be a number (so `MessageType[type]` cannot reach Object.prototype).
  let name = "hub";
  const fail = (what: string) => {
    throw new ProtocolError(`Invalid ${name} message: ${what}`);
  };
  /** Throws unless the field `key` holds a `kind` ("string", "array", "number"), or, if `optional`, null or nothing. */
  const check = (key: string, kind: string, optional?: boolean) => {
    const value = message[key];
    if (!(optional && value == null) && (Array.isArray(value) ? "array" : typeof value) != kind) {
      fail(`'${key}' must be ${kind}, got ${quote(value)}`);
    }
  };
  check("type", "number");
  if (!(name = MessageType[type]!)) {
    return undefined;
  }
  // Numbers, not MessageType members: the enum's members are property reads in the bundle.
  if (type < 6) {
    // Invocation (1), StreamItem, Completion, StreamInvocation (4), CancelInvocation: only an Invocation may lack an id.
    check("invocationId", "string", type == 1);
    if (type % 3 == 1) {
      check("target", "string");
      check("arguments", "array");
    }
    // A null error means none, as in the official client: the call succeeded.
    if (type == 3 /* Completion */ && message["error"] != null) {
      check("error", "string");
      if ("result" in message) {
        fail("both 'result' and 'error'");
      }
    }
  } else if (type == 7 /* Close */) {
    check("error", "string", true);
  } else if (type > 7 /* Ack, Sequence */) {
    check("sequenceId", "number");
  }
  return message as unknown as HubMessage;
}
