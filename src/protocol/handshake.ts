import { ProtocolError } from "../errors.js";
import { isText, payloadLength } from "./payload.js";
import { parseRecord, RECORD_SEPARATOR } from "./textFraming.js";

/** The first message a client sends: which hub protocol it speaks. */
export interface HandshakeRequest {
  readonly protocol: string;
  readonly version: number;
}

/**
 * The server's answer, as parsed (unknown fields included): an `error` means the
 * handshake was refused.
 */
export interface HandshakeResponse {
  readonly error?: string;
  readonly minorVersion?: number;
}

/** What {@link parseHandshakeResponse} found in a buffer. */
export interface ParsedHandshake {
  readonly response: HandshakeResponse;
  /** Bytes or text after the handshake: ordinary hub messages, if any. */
  readonly remaining: string | ArrayBuffer | undefined;
}

/**
 * Encodes the handshake request. Always JSON text, whatever the hub protocol. The request is
 * written as given, so pass exactly `{ protocol, version }` (as the hub connection does).
 */
export const writeHandshakeRequest = (request: HandshakeRequest): string => JSON.stringify(request) + RECORD_SEPARATOR;

/**
 * Reads the handshake response at the start of `buffer`.
 * @returns undefined while the response is still incomplete (no 0x1E yet).
 * @throws ProtocolError when the response is not a handshake response.
 */
export function parseHandshakeResponse(buffer: string | ArrayBuffer): ParsedHandshake | undefined {
  const text = isText(buffer);
  // The response is JSON text even before binary hub messages, so look for the separator's byte.
  const end = text ? buffer.indexOf(RECORD_SEPARATOR) : new Uint8Array(buffer).indexOf(0x1e);
  if (end >= 0) {
    const head = buffer.slice(0, end);
    const remaining = buffer.slice(end + 1);
    const response = parseRecord(text ? (head as string) : new TextDecoder().decode(head as ArrayBuffer), "Handshake response");
    if ("type" in response) {
      throw new ProtocolError("Expected a handshake response, got a hub message");
    }
    return { response, remaining: payloadLength(remaining) ? remaining : undefined };
  }
  return undefined;
}
