import { enumObject, type TransferFormat as TransferFormatEnum } from "./enums.js";
import type { ILogger } from "../logging.js";
import type { HubMessage } from "./messages.js";

/** How a transport carries payloads. */
export type TransferFormat = TransferFormatEnum;
/** The type of each member, as for an enum: `TransferFormat.Text`. */
export declare namespace TransferFormat {
  type Text = TransferFormatEnum.Text;
  type Binary = TransferFormatEnum.Binary;
}
/** How a transport carries payloads. */
export const TransferFormat: typeof TransferFormatEnum = /* @__PURE__ */ enumObject("Text Binary", (index) => index + 1);

/**
 * A hub protocol: turns hub messages into payloads and back. The shape is the
 * official client's, so protocols written for it (such as its MessagePack
 * protocol) plug into hubwire and the other way round.
 */
export interface IHubProtocol {
  /** The name sent in the handshake, e.g. "json". */
  readonly name: string;
  /** The protocol version sent in the handshake. */
  readonly version: number;
  /** The transfer format the payloads need. */
  readonly transferFormat: TransferFormat;
  /**
   * Parses every complete message in one payload.
   * @throws when the payload is malformed (hubwire's protocols throw `ProtocolError`).
   */
  parseMessages(input: string | ArrayBuffer, logger: ILogger): HubMessage[];
  /** Encodes one message, framing included. */
  writeMessage(message: HubMessage): string | ArrayBuffer;
  /**
   * Optional (hubwire's protocols have it): how much of `input`, from the start,
   * holds complete messages. The connection keeps the rest until more arrives,
   * so a message split across transport frames is put back together.
   */
  completeLength?(input: string | ArrayBuffer): number;
}
