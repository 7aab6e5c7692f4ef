import { ProtocolError } from "../errors.js";
import type { IHubProtocol } from "../protocol/hubProtocol.js";
import { MessageType, type AckMessage, type HubMessage, type SequenceMessage } from "../protocol/messages.js";
import { payloadLength } from "../protocol/payload.js";

/** How often received messages are acknowledged (the official client's rhythm). */
const ACK_INTERVAL_MS = 1000;

/** Invocation, StreamItem, Completion, StreamInvocation and CancelInvocation are counted and replayed. */
function isSequenced(message: HubMessage): boolean {
  return message.type >= MessageType.Invocation && message.type <= MessageType.CancelInvocation;
}

/**
 * Stateful reconnect's bookkeeping for one connection. Outgoing counted messages
 * are kept until the server acknowledges them, and replayed after a resume;
 * incoming ones are counted, acknowledged about once a second, and dropped when
 * a resume replays what was already handled. Sending waits while more than
 * `bufferSize` bytes are unacknowledged.
 */
export class MessageBuffer {
  private readonly unacked: { id: number; data: string | ArrayBuffer; size: number }[] = [];
  private unackedSize = 0;
  private lastSentId = 0;
  private nextReceivedId = 1;
  private lastHandledId = 0;
  private lastAckedId = 0;
  private connected = true;
  private waitingForSequence = false;
  private ackTimer: ReturnType<typeof setTimeout> | undefined;
  private spaceWaiters: (() => void)[] = [];

  constructor(
    private readonly protocol: IHubProtocol,
    private readonly sendData: (data: string | ArrayBuffer) => Promise<void>,
    private readonly bufferSize: number,
    private readonly fail: (error: Error) => void,
  ) {}

  /** Sends a message; a counted one is kept for replay, and waits while the buffer is full. */
  async send(message: HubMessage): Promise<void> {
    const data = this.protocol.writeMessage(message);
    if (!isSequenced(message)) {
      // Pings and Acks during an outage are pointless: the resume starts afresh.
      return this.connected ? this.sendData(data) : undefined;
    }
    while (this.unackedSize >= this.bufferSize) {
      await new Promise<void>((resolve) => this.spaceWaiters.push(resolve));
    }
    const size = payloadLength(data);
    this.unacked.push({ id: ++this.lastSentId, data, size });
    this.unackedSize += size;
    if (!this.connected) return; // sent by resend()
    try {
      await this.sendData(data);
    } catch (error) {
      // Dropped under us: resend() replays it. Any other failure is the caller's.
      if (this.connected) throw error;
    }
  }

  /**
   * Whether a received message is to be handled: false for a counted message
   * already handled before a resume, and for anything before the peer's Sequence.
   */
  shouldHandle(message: HubMessage): boolean {
    if (this.waitingForSequence) {
      if (message.type !== MessageType.Sequence) return false;
      this.waitingForSequence = false;
      return true;
    }
    if (!isSequenced(message)) return true;
    const id = this.nextReceivedId++;
    if (id <= this.lastHandledId) return false;
    this.lastHandledId = id;
    this.scheduleAck();
    return true;
  }

  /** The server acknowledged messages up to `sequenceId`: forget them. */
  ack(message: AckMessage): void {
    let released = 0;
    while (this.unacked.length > 0 && this.unacked[0]!.id <= message.sequenceId) {
      released += this.unacked.shift()!.size;
    }
    this.unackedSize -= released;
    if (released > 0 && this.unackedSize < this.bufferSize) {
      this.releaseWaiters();
    }
  }

  /** The server will resend from `sequenceId`. */
  resetSequence(message: SequenceMessage): void {
    if (message.sequenceId > this.nextReceivedId) {
      this.fail(new ProtocolError(`The server's Sequence message starts at ${message.sequenceId}, after the ${this.nextReceivedId - 1} messages received.`));
      return;
    }
    this.nextReceivedId = message.sequenceId;
  }

  /** The socket dropped: hold sends until resend(), and ignore what arrives before the Sequence message. */
  disconnected(): void {
    this.connected = false;
    this.waitingForSequence = true;
  }

  /** The socket is back: send Sequence with the first unacknowledged id, then replay. */
  async resend(): Promise<void> {
    const first = this.unacked.length > 0 ? this.unacked[0]!.id : this.lastSentId + 1;
    await this.sendData(this.protocol.writeMessage({ type: MessageType.Sequence, sequenceId: first }));
    // Messages sent during the replay join the end of the buffer; walk it by id until none is left.
    let replayed = first - 1;
    for (;;) {
      const next = this.unacked.find((entry) => entry.id > replayed);
      if (!next) break;
      await this.sendData(next.data);
      replayed = next.id;
    }
    this.connected = true;
    if (this.lastHandledId > this.lastAckedId) this.scheduleAck();
  }

  /** The connection closed for good: stop the ack timer and let waiting sends proceed (and fail). */
  dispose(): void {
    clearTimeout(this.ackTimer);
    this.ackTimer = undefined;
    this.releaseWaiters();
  }

  private scheduleAck(): void {
    if (this.ackTimer !== undefined) return;
    this.ackTimer = setTimeout(() => {
      this.ackTimer = undefined;
      if (this.connected && this.lastHandledId > this.lastAckedId) {
        this.lastAckedId = this.lastHandledId;
        this.sendData(this.protocol.writeMessage({ type: MessageType.Ack, sequenceId: this.lastHandledId })).catch(() => undefined);
      }
    }, ACK_INTERVAL_MS);
  }

  private releaseWaiters(): void {
    const waiters = this.spaceWaiters;
    this.spaceWaiters = [];
    for (const wake of waiters) wake();
  }
}
