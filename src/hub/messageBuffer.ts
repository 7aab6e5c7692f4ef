import { ProtocolError } from "../errors.js";
import type { Connection } from "../connection/connection.js";
import type { IHubProtocol } from "../protocol/hubProtocol.js";
import type { HubMessage } from "../protocol/messages.js";
import { ACK, CANCEL_INVOCATION, noop, nothing, SEQUENCE } from "./constants.js";
import { payloadLength } from "../protocol/payload.js";

type Payload = string | ArrayBuffer;

/** Stateful reconnect's bookkeeping for one connection; see {@link createMessageBuffer}. */
export interface MessageBuffer {
  /** Sends a message; a counted one is kept for replay, and waits while the buffer is full. */
  _send(message: HubMessage): Promise<void>;
  /**
   * Takes in a received message (Ack and Sequence are handled here). False when it is not to be
   * handled: a counted message handled before a resume, or anything before the server's Sequence.
   */
  _receive(message: HubMessage): boolean;
  /**
   * The connection closed for good: unhook from its features, stop the ack timer; waiting
   * sends go on (and fail, as the connection is gone).
   */
  _dispose(): void;
}

/**
 * Stateful reconnect's bookkeeping for one connection (PROTOCOL.md §7). Invocation,
 * StreamItem, Completion, StreamInvocation and CancelInvocation (types 1 to 5) are counted
 * from 1 in each direction. Outgoing ones are kept until the server acknowledges them, and
 * replayed after a resume; incoming ones are acknowledged about once a second, and dropped
 * when a resume replays what was already handled. Sending waits while `bufferSize` bytes or
 * more are unacknowledged (never while none are).
 *
 * It hooks itself into the connection's `features`: `disconnected` (the socket dropped: hold
 * sends, ignore what arrives before the server's Sequence message) and `resend` (the socket is
 * back: send Sequence with the first unacknowledged id, then replay), until `_dispose()`.
 *
 * @param sendData - sends on the current socket.
 * @param connection - whose features it hooks into, and which it stops after a protocol violation.
 */
export function createMessageBuffer(
  protocol: IHubProtocol,
  sendData: (data: Payload) => Promise<void>,
  bufferSize: number,
  connection: Connection,
): MessageBuffer {
  const features = connection.features;
  /** Sent, not yet acknowledged: the ids `acked + 1` to `acked + unacked.length`. */
  const unacked: Payload[] = [];
  let unackedSize = 0;
  /** The last id the server acknowledged. */
  let acked = 0;
  /** The id the next counted message received will have. */
  let nextReceivedId = 1;
  let lastHandledId = 0;
  let lastAckedId = 0;
  /** False from a drop until the replay after the resume is done: sends are held. */
  let connected = true;
  /** After a drop, everything before the server's Sequence message is ignored. */
  let awaitingSequence = false;
  let ackTimer: ReturnType<typeof setTimeout> | undefined;
  /** Sends waiting for room in the buffer. */
  const waiting: (() => void)[] = [];

  const release = () => waiting.splice(0).forEach((wake) => wake());
  const write = (message: HubMessage) => protocol.writeMessage(message);
  const scheduleAck = () => {
    ackTimer =
      ackTimer ||
      setTimeout(() => {
        ackTimer = nothing;
        if (connected && lastHandledId > lastAckedId) sendData(write({ type: ACK, sequenceId: (lastAckedId = lastHandledId) })).catch(noop);
      }, 1000);
  };

  features.disconnected = () => {
    connected = false;
    awaitingSequence = true;
  };

  features.resend = async () => {
    await sendData(write({ type: SEQUENCE, sequenceId: acked + 1 }));
    // Acks may arrive and messages be added during the replay: walk it by id.
    for (let id = acked; id < acked + unacked.length; id++) {
      const data = unacked[id - acked];
      if (data) await sendData(data);
    }
    connected = true;
    if (lastHandledId > lastAckedId) scheduleAck();
  };

  return {
    async _send(message) {
      const data = write(message);
      if (message.type > CANCEL_INVOCATION) {
        // Pings and Close during an outage are pointless: the resume starts afresh.
        return connected ? sendData(data) : nothing;
      }
      // An empty buffer always takes the message, whatever bufferSize (0 included).
      while (unacked.length && unackedSize >= bufferSize) await new Promise<void>((resolve) => waiting.push(resolve));
      unacked.push(data);
      unackedSize += payloadLength(data);
      if (connected) {
        try {
          await sendData(data);
        } catch (error) {
          // Dropped under us: the resend replays it. Any other failure is the caller's.
          if (connected) throw error;
        }
      }
    },

    _receive(message) {
      const type = message.type;
      if (type == SEQUENCE) {
        awaitingSequence = false;
        if (message.sequenceId > nextReceivedId) void connection.stop(new ProtocolError(`Sequence ${message.sequenceId} past ${nextReceivedId - 1} received`));
        nextReceivedId = message.sequenceId;
      } else if (awaitingSequence) {
        return false;
      } else if (type == ACK) {
        // Forget what the server has: the ids up to sequenceId.
        unacked.splice(0, message.sequenceId - acked).forEach((data) => (acked++, (unackedSize -= payloadLength(data))));
        release();
      } else if (type <= CANCEL_INVOCATION) {
        const id = nextReceivedId++;
        if (id <= lastHandledId) return false;
        lastHandledId = id;
        scheduleAck();
      }
      return true;
    },

    _dispose() {
      features.disconnected = features.resend = nothing;
      clearTimeout(ackTimer);
      bufferSize = Infinity;
      connected = true;
      release();
    },
  };
}
