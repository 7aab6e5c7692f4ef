/**
 * The error hierarchy. Every error hubwire raises is a {@link HubwireError}
 * with a stable `code`, a message that names what failed and where, and the
 * standard `cause` when another error led to it. The three classes the
 * official client exports (`HttpError`, `TimeoutError`, `AbortError`) keep
 * their constructor signatures so code written for it keeps working.
 *
 * Each class's `name` is set on its prototype, spelled out, so minified builds
 * keep it. Classes that differ only by name, code and an optional extra field
 * are made by {@link errorClass}; each has an interface of the same name for
 * its instances, so `instanceof` narrows to it as with a class.
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
  /** A stable code for programs to branch on; the message is for people. */
  declare readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string, options?: ErrorOptions) {
    super(message);
    // `declare`d fields are set here, not as class fields: no per-field define helper in the bundle.
    this.code = code;
    // Copies `cause` by hand (ES2017 targets do not forward it through super()), and any
    // context a subclass takes in its options (NegotiateError's `statusCode`).
    Object.assign(this, options);
    // No Object.setPrototypeOf(this, new.target.prototype): classes are native in the ES2017 builds,
    // and Babel's ES5 output (dist's es5 bundles) wraps Error so `instanceof` still works there.
  }
}

/** Names a class's instances (on the prototype: one assignment per class, and seen during construction). */
const named = <T extends { prototype: Error }>(errorClass: T, name: string): T => ((errorClass.prototype.name = name), errorClass);

named(HubwireError, "HubwireError");

/** An error class made by {@link errorClass}: `(message, options?)`, or `(message, field, options?)` with a field (`(field, message, options?)` if `fieldFirst`). */
interface ErrorClass<E, Args extends unknown[]> {
  new (...args: Args): E;
  readonly prototype: E;
}

/**
 * Makes an error class with its name, its code, optionally one extra field set from
 * the constructor's second argument ("" for none; the first if `fieldFirst`), and a default message.
 */
function errorClass<C>(name: string, code: ErrorCode, field?: string, defaultMessage?: string, fieldFirst?: boolean): C {
  return named(
    class extends HubwireError {
      constructor(first = defaultMessage as string, second?: unknown, options?: ErrorOptions) {
        super(code, (fieldFirst ? second : first) as string, (field ? options : second) as ErrorOptions | undefined);
        if (field) {
          (this as unknown as Record<string, unknown>)[field] = fieldFirst ? first : second;
        }
      }
    },
    name,
  ) as unknown as C;
}

/** An HTTP request answered with a non-success status. */
export interface HttpError extends HubwireError {
  readonly name: "HttpError";
  /** The HTTP status code the server answered with (0 when there was no answer). */
  readonly statusCode: number;
}
/**
 * An HTTP request answered with a non-success status:
 * `new HttpError(errorMessage, statusCode, options?)`, the message ideally naming the method and URL.
 */
export const HttpError: ErrorClass<HttpError, [errorMessage: string, statusCode: number, options?: ErrorOptions]> = /* @__PURE__ */ errorClass("HttpError", "http_error", "statusCode");

/** An operation did not finish in the time allowed. */
export interface TimeoutError extends HubwireError {
  readonly name: "TimeoutError";
}
/** An operation did not finish in the time allowed. Default message "A timeout occurred.". */
export const TimeoutError: ErrorClass<TimeoutError, [errorMessage?: string, options?: ErrorOptions]> = /* @__PURE__ */ errorClass("TimeoutError", "timeout", "", "A timeout occurred.");

/** An operation was abandoned because it was aborted (usually by `stop()`). */
export interface AbortError extends HubwireError {
  readonly name: "AbortError";
}
/** An operation was abandoned because it was aborted (usually by `stop()`). Default message "An abort occurred.". */
export const AbortError: ErrorClass<AbortError, [errorMessage?: string, options?: ErrorOptions]> = /* @__PURE__ */ errorClass("AbortError", "aborted", "", "An abort occurred.");

/** Negotiation with the server failed: a refusal, a bad answer, or too many redirects. */
export interface NegotiateError extends HubwireError {
  readonly name: "NegotiateError";
  /** The negotiate URL that failed (any access token removed). */
  readonly url: string;
  /** The HTTP status when the negotiate request itself failed (e.g. 401, 503). */
  readonly statusCode: number | undefined;
}
/** Negotiation with the server failed: `new NegotiateError(message, url, { statusCode?, cause? })`. */
export const NegotiateError: ErrorClass<NegotiateError, [message: string, url: string, options?: ErrorOptions & { statusCode?: number }]> = /* @__PURE__ */ errorClass(
  "NegotiateError",
  "negotiate_failed",
  "url",
);

/** The names of the three transports, as the server spells them. */
export type TransportName = "WebSockets" | "ServerSentEvents" | "LongPolling";

/** A transport could not start, or failed while running. */
export interface TransportError extends HubwireError {
  readonly name: "TransportError";
  /** The transport involved. */
  readonly transport: TransportName;
}
/** A transport could not start, or failed while running: `new TransportError(transport, message, options?)`. */
export const TransportError: ErrorClass<TransportError, [transport: TransportName, message: string, options?: ErrorOptions]> = /* @__PURE__ */ errorClass(
  "TransportError",
  "transport_failed",
  "transport",
  undefined,
  true,
);

/** No transport could be used: each candidate was disabled, unsupported or failed. */
export class NoTransportError extends errorClass<
  ErrorClass<HubwireError & { readonly errors: readonly Error[] }, [message: string, errors: readonly Error[], options?: ErrorOptions]>
>("NoTransportError", "transport_unavailable", "errors") {
  /** Why each candidate transport was not used, in the order they were tried. */
  declare readonly errors: readonly Error[];

  /** The last failure becomes the `cause`. */
  constructor(message: string, errors: readonly Error[]) {
    super(message, errors, errors.length ? { cause: errors[errors.length - 1] } : undefined);
  }
}

/** The server refused the hub handshake, or it never arrived. */
export interface HandshakeError extends HubwireError {
  readonly name: "HandshakeError";
}
/** The server refused the hub handshake, or it never arrived. */
export const HandshakeError: ErrorClass<HandshakeError, [message: string, options?: ErrorOptions]> = /* @__PURE__ */ errorClass("HandshakeError", "handshake_failed");

/** The server reported a failure: an invocation, a stream, or a Close message with an error. */
export interface HubError extends HubwireError {
  readonly name: "HubError";
  /** The hub method involved, when there was one. */
  readonly methodName: string | undefined;
}
/**
 * The server reported a failure: `new HubError(message, methodName?, options?)`, the message
 * being the server's own error text, unchanged (code that matched on the official client's messages keeps working).
 */
export const HubError: ErrorClass<HubError, [message: string, methodName?: string, options?: ErrorOptions]> = /* @__PURE__ */ errorClass("HubError", "hub_error", "methodName");

/** A payload did not follow the hub protocol. */
export interface ProtocolError extends HubwireError {
  readonly name: "ProtocolError";
}
/** A payload did not follow the hub protocol. */
export const ProtocolError: ErrorClass<ProtocolError, [message: string, options?: ErrorOptions]> = /* @__PURE__ */ errorClass("ProtocolError", "protocol_error");

/** An invocation or stream ended because the connection closed before it completed. */
export interface ConnectionClosedError extends HubwireError {
  readonly name: "ConnectionClosedError";
}
/** An invocation or stream ended because the connection closed before it completed. */
export const ConnectionClosedError: ErrorClass<ConnectionClosedError, [message: string, options?: ErrorOptions]> = /* @__PURE__ */ errorClass(
  "ConnectionClosedError",
  "connection_closed",
);

/** An API was used in a state that does not allow it (e.g. `send` while disconnected). */
export interface InvalidStateError extends HubwireError {
  readonly name: "InvalidStateError";
}
/** An API was used in a state that does not allow it (e.g. `send` while disconnected). */
export const InvalidStateError: ErrorClass<InvalidStateError, [message: string]> = /* @__PURE__ */ errorClass("InvalidStateError", "invalid_state");

/** An API was called with an argument it cannot accept. */
export interface InvalidArgumentError extends HubwireError {
  readonly name: "InvalidArgumentError";
}
/** An API was called with an argument it cannot accept. */
export const InvalidArgumentError: ErrorClass<InvalidArgumentError, [message: string]> = /* @__PURE__ */ errorClass("InvalidArgumentError", "invalid_argument");

/** Turns anything thrown into an Error, so nothing is ever rejected with a string. */
export const toError = (value: unknown): Error => (value instanceof Error ? value : new Error(String(value)));
