import { InvalidStateError } from "../errors.js";

/** The states of a HubConnection; the string values are the official client's. */
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

const ALLOWED: Record<HubConnectionState, readonly HubConnectionState[]> = {
  [HubConnectionState.Disconnected]: [HubConnectionState.Connecting],
  [HubConnectionState.Connecting]: [HubConnectionState.Connected, HubConnectionState.Disconnecting, HubConnectionState.Disconnected],
  [HubConnectionState.Connected]: [HubConnectionState.Disconnecting, HubConnectionState.Reconnecting, HubConnectionState.Disconnected],
  [HubConnectionState.Reconnecting]: [HubConnectionState.Connected, HubConnectionState.Disconnecting, HubConnectionState.Disconnected],
  [HubConnectionState.Disconnecting]: [HubConnectionState.Disconnected],
};

/**
 * Checks a state change against the transition table.
 * @throws InvalidStateError for a change the table does not allow (a bug, not a user error).
 */
export function assertTransition(previous: HubConnectionState, next: HubConnectionState): void {
  if (!ALLOWED[previous].includes(next)) {
    throw new InvalidStateError(`Invalid HubConnection state change from '${previous}' to '${next}'.`);
  }
}
