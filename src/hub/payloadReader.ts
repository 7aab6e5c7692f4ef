import { ProtocolError, toError } from "../errors.js";
import type { ILogger } from "../logging.js";
import { parseHandshakeResponse, type ParsedHandshake } from "../protocol/handshake.js";
import type { IHubProtocol } from "../protocol/hubProtocol.js";
import type { HubMessage } from "../protocol/messages.js";
import { appendPayload, payloadLength, slicePayload } from "../protocol/payload.js";

/**
 * Turns the payloads of one connection into a handshake response and hub
 * messages. It buffers a handshake response split across payloads and, for
 * protocols that report `completeLength`, a hub message split across them.
 */
export class PayloadReader {
  private handshakeBuffer: string | ArrayBuffer | undefined;
  private partial: string | ArrayBuffer | undefined;

  constructor(
    private readonly protocol: IHubProtocol,
    private readonly logger: ILogger,
  ) {}

  /** Forgets everything buffered: a new connection starts. */
  reset(): void {
    this.handshakeBuffer = this.partial = undefined;
  }

  /**
   * Adds a payload to the handshake response read so far.
   * @returns the response and what followed it, or undefined while it is incomplete.
   * @throws ProtocolError when the response is malformed.
   */
  handshake(data: string | ArrayBuffer): ParsedHandshake | undefined {
    this.handshakeBuffer = appendPayload(this.handshakeBuffer, data);
    const parsed = parseHandshakeResponse(this.handshakeBuffer);
    if (parsed) this.handshakeBuffer = undefined;
    return parsed;
  }

  /**
   * The complete hub messages in `data`, after any incomplete tail kept from
   * the previous payload; a new incomplete tail is kept for the next one.
   * @throws ProtocolError when a message is malformed.
   */
  messages(data: string | ArrayBuffer): HubMessage[] {
    const payload = this.partial === undefined ? data : appendPayload(this.partial, data);
    const size = payloadLength(payload);
    const complete = this.protocol.completeLength ? this.protocol.completeLength(payload) : size;
    this.partial = complete < size ? slicePayload(payload, complete) : undefined;
    if (complete === 0) return [];
    try {
      return this.protocol.parseMessages(complete < size ? slicePayload(payload, 0, complete) : payload, this.logger);
    } catch (error) {
      // Protocols from elsewhere (the official ones) throw plain Errors.
      throw error instanceof ProtocolError ? error : new ProtocolError(`Could not parse a message from the server: ${toError(error).message}`, { cause: error });
    }
  }
}
