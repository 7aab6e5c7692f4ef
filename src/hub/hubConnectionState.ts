/**
 * The states of a HubConnection; the string values are the official client's.
 * `HubConnection.onstatechange` reports each change.
 */
export enum HubConnectionState {
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
