import { enumObject, type HubConnectionState as HubConnectionStateEnum } from "../protocol/enums.js";

/**
 * The states of a HubConnection; the string values are the official client's.
 * `HubConnection.onstatechange` reports each change.
 */
export type HubConnectionState = HubConnectionStateEnum;
/** The type of each member, as for an enum: `HubConnectionState.Connected`. */
export declare namespace HubConnectionState {
  type Disconnected = HubConnectionStateEnum.Disconnected;
  type Connecting = HubConnectionStateEnum.Connecting;
  type Connected = HubConnectionStateEnum.Connected;
  type Disconnecting = HubConnectionStateEnum.Disconnecting;
  type Reconnecting = HubConnectionStateEnum.Reconnecting;
}
/** The states of a HubConnection; the string values are the official client's. */
export const HubConnectionState: typeof HubConnectionStateEnum = /* @__PURE__ */ enumObject(
  "Disconnected Connecting Connected Disconnecting Reconnecting",
  (_, name) => name,
);
