import { MessageType, type CompletionMessage, type StreamItemMessage } from "../protocol/messages.js";
import { valuesOf } from "./mapSnapshot.js";

/** An invocation or stream waiting for the server's answer. */
export interface PendingInvocation {
  /** The hub method, for error messages. */
  readonly methodName: string;
  /** Receives this invocation's StreamItems and its Completion. */
  handle(message: StreamItemMessage | CompletionMessage): void;
  /** Ends it with an error (the connection closed, or sending failed). */
  fail(error: Error): void;
}

/** Pending invocations by id. A Completion removes its entry before it is handled. */
export class InvocationRegistry {
  private readonly pending = new Map<string, PendingInvocation>();

  add(invocationId: string, invocation: PendingInvocation): void {
    this.pending.set(invocationId, invocation);
  }

  remove(invocationId: string): void {
    this.pending.delete(invocationId);
  }

  /** Ends one invocation with an error, if it is still pending. */
  fail(invocationId: string, error: Error): void {
    const invocation = this.pending.get(invocationId);
    if (invocation) {
      this.pending.delete(invocationId);
      invocation.fail(error);
    }
  }

  /** Routes a message to its invocation; false when no invocation has that id. */
  dispatch(message: StreamItemMessage | CompletionMessage): boolean {
    const invocation = this.pending.get(message.invocationId);
    if (!invocation) {
      return false;
    }
    if (message.type === MessageType.Completion) {
      this.pending.delete(message.invocationId);
    }
    invocation.handle(message);
    return true;
  }

  /** Ends every pending invocation; `errorFor` builds each one's error. */
  failAll(errorFor: (invocation: PendingInvocation) => Error): void {
    const all = valuesOf(this.pending);
    this.pending.clear();
    for (const invocation of all) {
      invocation.fail(errorFor(invocation));
    }
  }
}
