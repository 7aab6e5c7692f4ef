// Message types and log levels as plain constants for the hub layer. This module imports
// nothing at run time, so the bundler inlines each constant as its number, where each read of
// an enum member (`MessageType.StreamItem`) would cost its name. The values are the wire's
// (PROTOCOL.md) and LogLevel's.
import type { LogLevel } from "../logging.js";
import type { MessageType } from "../protocol/messages.js";

export const INVOCATION = 1 as MessageType.Invocation;
export const STREAM_ITEM = 2 as MessageType.StreamItem;
export const COMPLETION = 3 as MessageType.Completion;
export const STREAM_INVOCATION = 4 as MessageType.StreamInvocation;
export const CANCEL_INVOCATION = 5 as MessageType.CancelInvocation;
export const PING = 6 as MessageType.Ping;
export const CLOSE_MESSAGE = 7 as MessageType.Close;
export const ACK = 8 as MessageType.Ack;
export const SEQUENCE = 9 as MessageType.Sequence;

export const INFORMATION = 2 as LogLevel.Information;
export const WARNING = 3 as LogLevel.Warning;
export const ERROR = 4 as LogLevel.Error;

/** HubConnection's lifecycle events, as stored with their listeners. */
export const CLOSE = 0;
export const RECONNECTING = 1;
export const RECONNECTED = 2;
export const STATE_CHANGE = 3;

/**
 * `undefined`, as a variable: the minifier writes each `undefined` as `void 0` (6 bytes), this
 * as one letter. Never assigned.
 */
export let nothing: undefined;

export const noop = () => {};
