/**
 * Builds the object of a public enum (MessageType, TransferFormat, LogLevel, HttpTransportType,
 * HubConnectionState) from one string of names: each name maps to `value(index, name)` and each
 * value back to its name, exactly what TypeScript's `enum` emits (the official client's enums have
 * that shape; for a string enum the reverse entry is the same as the forward one). TypeScript's own
 * emit spells every member out twice; this keeps one copy of each name.
 *
 * Each enum's type is a `declare enum` (which emits nothing) with a namespace of its member
 * types, so `MessageType`, `MessageType.Invocation` and `keyof typeof MessageType` type-check as
 * they do for an enum.
 */
export const enumObject = <T>(names: string, value: (index: number, name: string) => number | string): T =>
  names.split(" ").reduce((object: Record<string | number, string | number>, name, index) => ((object[(object[name] = value(index, name))] = name), object), {}) as T;

// The enums' types. `declare` emits nothing; the values are made by enumObject where each enum is
// exported (messages.ts, hubProtocol.ts, logging.ts, transport.ts, hubConnectionState.ts). Each keeps its enum's own name: TypeScript
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

/** See the exported `HttpTransportType`. */
export declare enum HttpTransportType {
  /** No transport preference: use whatever the server offers. */
  None = 0,
  /** WebSockets. */
  WebSockets = 1,
  /** Server-Sent Events (text only). */
  ServerSentEvents = 2,
  /** Long Polling. */
  LongPolling = 4,
}

/** See the exported `HubConnectionState`. */
export declare enum HubConnectionState {
  /** Not connected; `start()` may be called. */
  Disconnected = "Disconnected",
  /** `start()` is running. */
  Connecting = "Connecting",
  /** Connected: invoke, send and stream work. */
  Connected = "Connected",
  /** `stop()` is running. */
  Disconnecting = "Disconnecting",
  /** The connection was lost and automatic reconnect is trying again. */
  Reconnecting = "Reconnecting",
}
