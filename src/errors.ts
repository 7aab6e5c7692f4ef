/**
 * The error hierarchy. Every error hubwire raises is a {@link HubwireError}
 * with a stable `code`, a message that names what failed and where, and the
 * standard `cause` when another error led to it. The three classes the
 * official client exports (`HttpError`, `TimeoutError`, `AbortError`) keep
 * their constructor signatures so code written for it keeps working.
 */

/** Stable, machine-readable error codes. */
export type ErrorCode =
  | "http_error"
  | "timeout"
  | "aborted"
  | "negotiate_failed"
  | "transport_failed"
  | "transport_unavailable"
  | "handshake_failed"
  | "hub_error"
  | "protocol_error"
  | "connection_closed"
  | "invalid_state"
  | "invalid_argument";

interface ErrorOptions {
  cause?: unknown;
}

/** Base class of every error hubwire raises. */
export class HubwireError extends Error {
  /** Spelled out, not taken from the constructor, so minified builds keep it. */
  override name = "HubwireError";
  /** A stable code for programs to branch on; the message is for people. */
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string, options?: ErrorOptions) {
    super(message);
    this.code = code;
    // Set by hand: ES2017 targets do not forward `cause` through super().
    if (options && "cause" in options) {
      Object.defineProperty(this, "cause", { value: options.cause, configurable: true, writable: true });
    }
    // Keeps `instanceof` working where classes are down-levelled to ES5.
    Object.setPrototypeOf(this, new.target.prototype);
  }
}

/** An HTTP request answered with a non-success status. */
export class HttpError extends HubwireError {
  override name = "HttpError";
  /** The HTTP status code the server answered with (0 when there was no answer). */
  readonly statusCode: number;

  /**
   * @param errorMessage - what failed, ideally naming the method and URL.
   * @param statusCode - the HTTP status code.
   */
  constructor(errorMessage: string, statusCode: number, options?: ErrorOptions) {
    super("http_error", errorMessage, options);
    this.statusCode = statusCode;
  }
}

/** An operation did not finish in the time allowed. */
export class TimeoutError extends HubwireError {
  override name = "TimeoutError";
  constructor(errorMessage = "A timeout occurred.", options?: ErrorOptions) {
    super("timeout", errorMessage, options);
  }
}

/** An operation was abandoned because it was aborted (usually by `stop()`). */
export class AbortError extends HubwireError {
  override name = "AbortError";
  constructor(errorMessage = "An abort occurred.", options?: ErrorOptions) {
    super("aborted", errorMessage, options);
  }
}

/** Negotiation with the server failed: a refusal, a bad answer, or too many redirects. */
export class NegotiateError extends HubwireError {
  override name = "NegotiateError";
  /** The negotiate URL that failed (any access token removed). */
  readonly url: string;
  /** The HTTP status when the negotiate request itself failed (e.g. 401, 503). */
  readonly statusCode: number | undefined;

  constructor(message: string, url: string, options?: ErrorOptions & { statusCode?: number }) {
    super("negotiate_failed", message, options);
    this.url = url;
    this.statusCode = options?.statusCode;
  }
}

/** The names of the three transports, as the server spells them. */
export type TransportName = "WebSockets" | "ServerSentEvents" | "LongPolling";

/** A transport could not start, or failed while running. */
export class TransportError extends HubwireError {
  override name = "TransportError";
  /** The transport involved. */
  readonly transport: TransportName;

  constructor(transport: TransportName, message: string, options?: ErrorOptions) {
    super("transport_failed", message, options);
    this.transport = transport;
  }
}

/** No transport could be used: each candidate was disabled, unsupported or failed. */
export class NoTransportError extends HubwireError {
  override name = "NoTransportError";
  /** Why each candidate transport was not used, in the order they were tried. */
  readonly errors: readonly Error[];

  constructor(message: string, errors: readonly Error[]) {
    super("transport_unavailable", message, errors.length > 0 ? { cause: errors[errors.length - 1] } : undefined);
    this.errors = errors;
  }
}

/** The server refused the hub handshake, or it never arrived. */
export class HandshakeError extends HubwireError {
  override name = "HandshakeError";
  constructor(message: string, options?: ErrorOptions) {
    super("handshake_failed", message, options);
  }
}

/** The server reported a failure: an invocation, a stream, or a Close message with an error. */
export class HubError extends HubwireError {
  override name = "HubError";
  /** The hub method involved, when there was one. */
  readonly methodName: string | undefined;

  /**
   * @param message - the server's own error text, unchanged (code that matched
   *   on the official client's messages keeps working).
   */
  constructor(message: string, methodName?: string, options?: ErrorOptions) {
    super("hub_error", message, options);
    this.methodName = methodName;
  }
}

/** A payload did not follow the hub protocol. */
export class ProtocolError extends HubwireError {
  override name = "ProtocolError";
  constructor(message: string, options?: ErrorOptions) {
    super("protocol_error", message, options);
  }
}

/** An invocation or stream ended because the connection closed before it completed. */
export class ConnectionClosedError extends HubwireError {
  override name = "ConnectionClosedError";
  constructor(message: string, options?: ErrorOptions) {
    super("connection_closed", message, options);
  }
}

/** An API was used in a state that does not allow it (e.g. `send` while disconnected). */
export class InvalidStateError extends HubwireError {
  override name = "InvalidStateError";
  constructor(message: string) {
    super("invalid_state", message);
  }
}

/** An API was called with an argument it cannot accept. */
export class InvalidArgumentError extends HubwireError {
  override name = "InvalidArgumentError";
  constructor(message: string) {
    super("invalid_argument", message);
  }
}

/** Turns anything thrown into an Error, so nothing is ever rejected with a string. */
export function toError(value: unknown): Error {
  if (value instanceof Error) {
    return value;
  }
  return new Error(typeof value === "string" ? value : String(value));
}
