import { TransportError, type TransportName } from "../errors.js";
import { TransferFormat } from "../protocol/hubProtocol.js";
import { HttpTransportType } from "../transports/transport.js";
import type { AvailableTransport } from "./negotiate.js";

/** What the client side allows and can do. */
export interface TransportConstraints {
  /** The transports the user allows (bit flags); None allows all. */
  readonly requested: HttpTransportType;
  readonly transferFormat: TransferFormat;
  /** Transports this runtime can provide. */
  readonly supported: ReadonlySet<TransportName>;
}

const FLAGS: Record<TransportName, HttpTransportType> = {
  WebSockets: HttpTransportType.WebSockets,
  ServerSentEvents: HttpTransportType.ServerSentEvents,
  LongPolling: HttpTransportType.LongPolling,
};

/** True for the three transport names hubwire knows. */
export function isTransportName(name: string): name is TransportName {
  return Object.prototype.hasOwnProperty.call(FLAGS, name);
}

/**
 * Why a transport the server offers cannot be used, or undefined when it can.
 * Each rule is one line, so the reasons stay easy to audit.
 */
export function whyTransportUnusable(offer: AvailableTransport, constraints: TransportConstraints): TransportError | undefined {
  const name = offer.transport as TransportName;
  const format = TransferFormat[constraints.transferFormat];
  if (constraints.requested !== HttpTransportType.None && (constraints.requested & FLAGS[name]) === 0) {
    return new TransportError(name, `'${name}' is disabled by the client.`);
  }
  if (!offer.transferFormats.includes(format)) {
    const hint = name === "ServerSentEvents" ? " (Server-Sent Events carry text only: a binary protocol such as MessagePack needs WebSockets or Long Polling)" : "";
    return new TransportError(name, `'${name}' does not support the ${format} transfer format this hub protocol needs${hint}.`);
  }
  if (!constraints.supported.has(name)) {
    return new TransportError(name, `'${name}' is not available in this runtime (no ${name === "WebSockets" ? "WebSocket" : "EventSource"} implementation).`);
  }
  return undefined;
}

/** Names the transports in a bit-flag value, for messages. */
export function describeTransports(flags: HttpTransportType): string {
  if (flags === HttpTransportType.None) {
    return "any transport";
  }
  return (Object.keys(FLAGS) as TransportName[]).filter((name) => (flags & FLAGS[name]) !== 0).join(", ") || `unknown flags ${flags}`;
}
