/**
 * Builds the object of a public numeric enum (MessageType, TransferFormat, LogLevel): each name
 * maps to its number and each number back to its name, exactly what TypeScript's `enum` emits
 * (the official client's enums have that shape), from one string of names numbered from `first`.
 * TypeScript's own emit spells every member out twice; this keeps one copy of each name.
 *
 * Each enum's type is a `declare enum` (which emits nothing) with a namespace of its member
 * types, so `MessageType`, `MessageType.Invocation` and `keyof typeof MessageType` type-check as
 * they do for an enum.
 */
export const numberedEnum = <T>(names: string, first: number): T =>
  names.split(" ").reduce((object: Record<string | number, string | number>, name, index) => ((object[(object[name] = first + index)] = name), object), {}) as T;

// The enums' types. `declare` emits nothing; the values are made by numberedEnum where each enum is
// exported (messages.ts, hubProtocol.ts, logging.ts). Each keeps its enum's own name: TypeScript
// treats enums of the same name and members as compatible, so these stay interchangeable with the
// official client's (an official ILogger or protocol works with hubwire, and the other way round).

/** See the exported `MessageType`. */
export declare enum MessageType {
  /** A call of a method, in either direction. */
  Invocation = 1,
  /** One item of a stream. */
  StreamItem = 2,
  /** The end of an invocation or stream, with its result or error. */
  Completion = 3,
  /** A call that answers with a stream. */
  StreamInvocation = 4,
  /** Stops a stream the client asked for. */
  CancelInvocation = 5,
  /** Keep-alive. */
  Ping = 6,
  /** The end of the connection. */
  Close = 7,
  /** Stateful reconnect: acknowledges messages up to a sequence id. */
  Ack = 8,
  /** Stateful reconnect: the sequence id of the next message after a resume. */
  Sequence = 9,
}

/** See the exported `TransferFormat`. */
export declare enum TransferFormat {
  /** UTF-8 text. */
  Text = 1,
  /** Raw bytes. */
  Binary = 2,
}

/** See the exported `LogLevel`. */
export declare enum LogLevel {
  /** The most detailed lines, including message content when `logMessageContent` is on. */
  Trace = 0,
  /** Details useful while debugging. */
  Debug = 1,
  /** The normal flow: connected, reconnecting, stopped. */
  Information = 2,
  /** Something unexpected that was recovered from. */
  Warning = 3,
  /** A failure of the current operation. */
  Error = 4,
  /** A failure that ends the connection. */
  Critical = 5,
  /** Logs nothing. */
  None = 6,
}
