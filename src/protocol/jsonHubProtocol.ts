import { ProtocolError } from "../errors.js";
import type { ILogger } from "../logging.js";
import { TransferFormat, type IHubProtocol } from "./hubProtocol.js";
import { MessageType, type HubMessage } from "./messages.js";
import { RECORD_SEPARATOR, splitRecords, writeRecord } from "./textFraming.js";

type Fields = Record<string, unknown>;

/**
 * The JSON hub protocol ("json", version 1): one JSON object per message,
 * each followed by the record separator 0x1E. Pure and synchronous.
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
   * @throws ProtocolError for binary input, bad JSON, or a message missing a required field.
   */
  parseMessages(input: string | ArrayBuffer, _logger?: ILogger): HubMessage[] {
    if (typeof input !== "string") {
      throw new ProtocolError("The JSON hub protocol expects text, but received binary data.");
    }
    const messages: HubMessage[] = [];
    for (const record of splitRecords(input)) {
      let parsed: unknown;
      try {
        parsed = JSON.parse(record);
      } catch (error) {
        throw new ProtocolError(`A hub message is not valid JSON: ${JSON.stringify(record.slice(0, 100))}.`, { cause: error });
      }
      const message = validateMessage(parsed);
      if (message) {
        messages.push(message);
      }
    }
    return messages;
  }

  /** Everything up to the last record separator is complete. */
  completeLength(input: string | ArrayBuffer): number {
    return typeof input === "string" ? input.lastIndexOf(RECORD_SEPARATOR) + 1 : input.byteLength;
  }

  /** Encodes one message as JSON followed by the record separator. */
  writeMessage(message: HubMessage): string {
    return writeRecord(JSON.stringify(message));
  }
}

/** Checks the fields a message type requires; returns undefined for unknown types. */
function validateMessage(parsed: unknown): HubMessage | undefined {
  if (!isObject(parsed)) {
    throw new ProtocolError(`A hub message must be a JSON object, got ${describe(parsed)}.`);
  }
  const type = parsed["type"];
  if (typeof type !== "number") {
    throw new ProtocolError(`A hub message has no numeric 'type' field (got ${describe(type)}).`);
  }
  const name = MessageType[type];
  switch (type) {
    case MessageType.Invocation:
    case MessageType.StreamInvocation:
      if (type === MessageType.StreamInvocation) {
        requireString(parsed, "invocationId", name);
      } else {
        optionalString(parsed, "invocationId", name);
      }
      requireString(parsed, "target", name);
      if (!Array.isArray(parsed["arguments"])) {
        throw invalid(name, "arguments", "an array", parsed["arguments"]);
      }
      if (parsed["streamIds"] !== undefined && !isStringArray(parsed["streamIds"])) {
        throw invalid(name, "streamIds", "an array of strings", parsed["streamIds"]);
      }
      break;
    case MessageType.StreamItem:
    case MessageType.CancelInvocation:
      requireString(parsed, "invocationId", name);
      break;
    case MessageType.Completion:
      requireString(parsed, "invocationId", name);
      if (parsed["error"] !== undefined) {
        requireString(parsed, "error", name);
        if (parsed["result"] !== undefined) {
          throw new ProtocolError(`A Completion message for invocation '${String(parsed["invocationId"])}' has both 'result' and 'error'.`);
        }
      }
      break;
    case MessageType.Ping:
      return parsed as unknown as HubMessage;
    case MessageType.Close:
      optionalString(parsed, "error", name);
      if (parsed["allowReconnect"] !== undefined && typeof parsed["allowReconnect"] !== "boolean") {
        throw invalid(name, "allowReconnect", "a boolean", parsed["allowReconnect"]);
      }
      return parsed as unknown as HubMessage;
    case MessageType.Ack:
    case MessageType.Sequence:
      if (typeof parsed["sequenceId"] !== "number") {
        throw invalid(name, "sequenceId", "a number", parsed["sequenceId"]);
      }
      return parsed as unknown as HubMessage;
    default:
      return undefined;
  }
  const headers = parsed["headers"];
  if (headers !== undefined && (!isObject(headers) || !Object.values(headers).every((v) => typeof v === "string"))) {
    throw invalid(name, "headers", "an object of strings", headers);
  }
  return parsed as unknown as HubMessage;
}

function isObject(value: unknown): value is Fields {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function isStringArray(value: unknown): boolean {
  return Array.isArray(value) && value.every((v) => typeof v === "string");
}

function requireString(fields: Fields, key: string, messageName: string | undefined): void {
  if (typeof fields[key] !== "string") {
    throw invalid(messageName, key, "a string", fields[key]);
  }
}

function optionalString(fields: Fields, key: string, messageName: string | undefined): void {
  if (fields[key] !== undefined && fields[key] !== null && typeof fields[key] !== "string") {
    throw invalid(messageName, key, "a string", fields[key]);
  }
}

function invalid(messageName: string | undefined, key: string, expected: string, actual: unknown): ProtocolError {
  return new ProtocolError(`Invalid ${messageName} message: '${key}' must be ${expected}, got ${describe(actual)}.`);
}

function describe(value: unknown): string {
  if (value === undefined) {
    return "nothing";
  }
  const text = JSON.stringify(value);
  return text.length > 60 ? text.slice(0, 60) + "…" : text;
}
