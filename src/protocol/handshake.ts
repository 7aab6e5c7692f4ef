import { ProtocolError } from "../errors.js";
import { RECORD_SEPARATOR, writeRecord } from "./textFraming.js";

/** The first message a client sends: which hub protocol it speaks. */
export interface HandshakeRequest {
  readonly protocol: string;
  readonly version: number;
}

/** The server's answer: an `error` means the handshake was refused. */
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

const RECORD_SEPARATOR_CODE = 0x1e;

/** Encodes the handshake request. Always JSON text, whatever the hub protocol. */
export function writeHandshakeRequest(request: HandshakeRequest): string {
  return writeRecord(JSON.stringify({ protocol: request.protocol, version: request.version }));
}

/**
 * Reads the handshake response at the start of `buffer`.
 * @returns undefined while the response is still incomplete (no 0x1E yet).
 * @throws ProtocolError when the response is not a handshake response.
 */
export function parseHandshakeResponse(buffer: string | ArrayBuffer): ParsedHandshake | undefined {
  let text: string;
  let remaining: string | ArrayBuffer | undefined;
  if (typeof buffer === "string") {
    const end = buffer.indexOf(RECORD_SEPARATOR);
    if (end < 0) {
      return undefined;
    }
    text = buffer.slice(0, end);
    remaining = end + 1 < buffer.length ? buffer.slice(end + 1) : undefined;
  } else {
    const bytes = new Uint8Array(buffer);
    const end = bytes.indexOf(RECORD_SEPARATOR_CODE);
    if (end < 0) {
      return undefined;
    }
    text = new TextDecoder().decode(bytes.subarray(0, end));
    remaining = end + 1 < bytes.byteLength ? bytes.slice(end + 1).buffer : undefined;
  }

  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new ProtocolError(`The handshake response is not valid JSON: ${JSON.stringify(text.slice(0, 100))}.`, { cause: error });
  }
  if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed) || "type" in parsed) {
    throw new ProtocolError(`Expected a handshake response from the server, got ${JSON.stringify(text.slice(0, 100))}.`);
  }
  const fields = parsed as Record<string, unknown>;
  const response: { error?: string; minorVersion?: number } = {};
  if (fields["error"] !== undefined && fields["error"] !== null) {
    response.error = String(fields["error"]);
  }
  if (typeof fields["minorVersion"] === "number") {
    response.minorVersion = fields["minorVersion"];
  }
  return { response, remaining };
}
