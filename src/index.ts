// hubwire's public API. The names, shapes and values follow the official
// @microsoft/signalr client, so code written for it works after changing the import.

export { HubConnection } from "./hub/hubConnection.js";
export { HubConnectionBuilder } from "./hub/hubConnectionBuilder.js";
export { HubConnectionState } from "./hub/hubConnectionState.js";
export { Subject } from "./hub/subject.js";
export { DefaultReconnectPolicy } from "./hub/retryPolicy.js";
export { HttpTransportType } from "./transports/transport.js";
export { TransferFormat } from "./protocol/hubProtocol.js";
export { MessageType } from "./protocol/messages.js";
export { JsonHubProtocol } from "./protocol/jsonHubProtocol.js";
export { LogLevel, NullLogger, ConsoleLogger } from "./logging.js";
export { HttpClient, HttpResponse } from "./http/httpClient.js";
export { DefaultHttpClient } from "./http/defaultHttpClient.js";
export { FetchHttpClient } from "./http/fetchHttpClient.js";
export {
  HubwireError,
  HttpError,
  TimeoutError,
  AbortError,
  NegotiateError,
  TransportError,
  NoTransportError,
  HandshakeError,
  HubError,
  ProtocolError,
  ConnectionClosedError,
  InvalidStateError,
  InvalidArgumentError,
} from "./errors.js";
export { VERSION } from "./version.js";

export type { ErrorCode, TransportName } from "./errors.js";
export type { IStatefulReconnectOptions } from "./hub/hubConnectionBuilder.js";
export type { IRetryPolicy, RetryContext } from "./hub/retryPolicy.js";
export type { IStreamResult, IStreamSubscriber, ISubscription, StreamReader, StreamReadResult, StreamResult } from "./hub/stream.js";
export type { IHttpConnectionOptions } from "./connection/options.js";
export type { ITransport } from "./transports/transport.js";
export type { IHubProtocol } from "./protocol/hubProtocol.js";
export type { ILogger } from "./logging.js";
export type { HttpRequest } from "./http/httpClient.js";
export type {
  HubMessage,
  HubMessageBase,
  HubInvocationMessage,
  InvocationMessage,
  StreamInvocationMessage,
  StreamItemMessage,
  CompletionMessage,
  CancelInvocationMessage,
  PingMessage,
  CloseMessage,
  AckMessage,
  SequenceMessage,
  MessageHeaders,
} from "./protocol/messages.js";
