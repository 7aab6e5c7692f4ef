import { enumObject, type MessageType as MessageTypeEnum } from "./enums.js";

/** Hub message types as numbered on the wire. */
export type MessageType = MessageTypeEnum;
/** The type of each member, as for an enum: `MessageType.Invocation`. */
export declare namespace MessageType {
  type Invocation = MessageTypeEnum.Invocation;
  type StreamItem = MessageTypeEnum.StreamItem;
  type Completion = MessageTypeEnum.Completion;
  type StreamInvocation = MessageTypeEnum.StreamInvocation;
  type CancelInvocation = MessageTypeEnum.CancelInvocation;
  type Ping = MessageTypeEnum.Ping;
  type Close = MessageTypeEnum.Close;
  type Ack = MessageTypeEnum.Ack;
  type Sequence = MessageTypeEnum.Sequence;
}
/** Hub message types as numbered on the wire. */
export const MessageType: typeof MessageTypeEnum = /* @__PURE__ */ enumObject("Invocation StreamItem Completion StreamInvocation CancelInvocation Ping Close Ack Sequence", (index) => index + 1);

/** String headers that may travel with any message except Ping. */
export interface MessageHeaders {
  [key: string]: string;
}

/** Fields every hub message has. */
export interface HubMessageBase {
  readonly type: MessageType;
}

/** Fields shared by messages that belong to an invocation. */
export interface HubInvocationMessage extends HubMessageBase {
  readonly headers?: MessageHeaders;
  readonly invocationId?: string;
}

/** Calls `target` with `arguments`; with an `invocationId` the caller expects a Completion. */
export interface InvocationMessage extends HubInvocationMessage {
  readonly type: MessageType.Invocation;
  readonly target: string;
  readonly arguments: any[];
  readonly streamIds?: string[];
}

/** Calls `target` and expects StreamItems, then a Completion. */
export interface StreamInvocationMessage extends HubInvocationMessage {
  readonly type: MessageType.StreamInvocation;
  readonly invocationId: string;
  readonly target: string;
  readonly arguments: any[];
  readonly streamIds?: string[];
}

/** One stream item. */
export interface StreamItemMessage extends HubInvocationMessage {
  readonly type: MessageType.StreamItem;
  readonly invocationId: string;
  readonly item?: any;
}

/** Ends an invocation or a stream: `error` when it failed, else `result` (if any). */
export interface CompletionMessage extends HubInvocationMessage {
  readonly type: MessageType.Completion;
  readonly invocationId: string;
  readonly error?: string;
  readonly result?: any;
}

/** Asks the peer to stop a stream. */
export interface CancelInvocationMessage extends HubInvocationMessage {
  readonly type: MessageType.CancelInvocation;
  readonly invocationId: string;
}

/** Keep-alive. */
export interface PingMessage extends HubMessageBase {
  readonly type: MessageType.Ping;
}

/** Ends the connection, with an error when it failed; `allowReconnect` invites a reconnect. */
export interface CloseMessage extends HubMessageBase {
  readonly type: MessageType.Close;
  readonly error?: string;
  readonly allowReconnect?: boolean;
}

/** Stateful reconnect acknowledgement. */
export interface AckMessage extends HubMessageBase {
  readonly type: MessageType.Ack;
  readonly sequenceId: number;
}

/** Stateful reconnect resume point. */
export interface SequenceMessage extends HubMessageBase {
  readonly type: MessageType.Sequence;
  readonly sequenceId: number;
}

/** Any hub message. */
export type HubMessage =
  | InvocationMessage
  | StreamInvocationMessage
  | StreamItemMessage
  | CompletionMessage
  | CancelInvocationMessage
  | PingMessage
  | CloseMessage
  | AckMessage
  | SequenceMessage;
