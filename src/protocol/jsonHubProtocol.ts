import { ProtocolError } from "../errors.js";
import type { ILogger } from "../logging.js";
import { TransferFormat, type IHubProtocol } from "./hubProtocol.js";
import { MessageType, type HubMessage } from "./messages.js";
import { parseRecord, quote, RECORD_SEPARATOR } from "./textFraming.js";

/**
 * What a field holds, in the words of the error messages: "a string", "a number", "an array",
 * "an object of strings", … Arrays and objects whose values are all strings get " of strings".
 */
const kindOf = (value: unknown): string =>
  (Array.isArray(value) ? "an array" : value && typeof value == "object" ? "an object" : "a " + typeof value) +
  (value && typeof value == "object" && Object.values(value).every((item) => typeof item == "string") ? " of strings" : "");

/**
 * The JSON hub protocol ("json"): one JSON object per message, each followed by
 * the record separator 0x1E. Pure and synchronous.
 */
export class JsonHubProtocol implements IHubProtocol {
  /** {@inheritDoc IHubProtocol.name} */
  readonly name = "json";
  /** Version 2 adds stateful reconnect's Ack and Sequence messages; the handshake asks for 1 without it. */
  readonly version = 2;
  /** {@inheritDoc IHubProtocol.transferFormat} */
  readonly transferFormat = TransferFormat.Text;

  /**
   * Parses every message in a text payload. Unknown message types are skipped;
   * unknown fields are kept but ignored.
   * @throws ProtocolError for binary input, an incomplete payload, bad JSON, or a message missing a required field.
   */
  parseMessages(input: string | ArrayBuffer, _logger?: ILogger): HubMessage[] {
    if (typeof input != "string") {
      throw new ProtocolError("The JSON hub protocol got binary data");
    }
    const records = input.split(RECORD_SEPARATOR);
    // A complete payload ends with the separator, so the last piece is empty.
    if (records.pop()) {
      throw new ProtocolError(`Incomplete message: no record separator 0x1E after ${quote(input.slice(-20))}`);
    }
    return records.map(parseMessage).filter((message): message is HubMessage => !!message);
  }

  /** Everything up to the last record separator is complete. */
  completeLength(input: string | ArrayBuffer): number {
    return typeof input == "string" ? input.lastIndexOf(RECORD_SEPARATOR) + 1 : input.byteLength;
  }

  /** Encodes one message as JSON followed by the record separator. */
  writeMessage(message: HubMessage): string {
    return JSON.stringify(message) + RECORD_SEPARATOR;
  }
}

/** Parses one record and checks the fields its type requires; undefined for unknown types. */
function parseMessage(record: string): HubMessage | undefined {
  const message = parseRecord(record, "A hub message");
  const type = message["type"] as MessageType;
  /** Throws unless the field `key` holds what `expected` says (or, if `optional`, null or nothing). */
  const check = (key: string, expected: string, optional?: boolean) => {
    const value = message[key];
    if (!(optional && value == null) && !kindOf(value).startsWith(expected)) {
      throw new ProtocolError(`Invalid ${MessageType[type] || "hub"} message: '${key}' must be ${expected}, got ${quote(value)}`);
    }
  };
  check("type", "a number");
  if (!MessageType[type]) {
    return undefined;
  }

  if (type < MessageType.Ping) {
    // Invocation, StreamItem, Completion, StreamInvocation, CancelInvocation: only an Invocation may lack an id.
    check("invocationId", "a string", type == MessageType.Invocation);
    if (type == MessageType.Invocation || type == MessageType.StreamInvocation) {
      check("target", "a string");
      check("arguments", "an array");
      check("streamIds", "an array of strings", true);
    }
    if (type == MessageType.Completion && message["error"] !== undefined) {
      check("error", "a string");
      if (message["result"] !== undefined) {
        throw new ProtocolError(`Invalid Completion message: both 'result' and 'error'`);
      }
    }
    check("headers", "an object of strings", true);
  } else if (type == MessageType.Close) {
    check("error", "a string", true);
    check("allowReconnect", "a boolean", true);
  } else if (type > MessageType.Close) {
    check("sequenceId", "a number");
  }
  return message as unknown as HubMessage;
}
