import { toError } from "../errors.js";
import { LogLevel, type ILogger } from "../logging.js";
import type { InvocationMessage } from "../protocol/messages.js";
import type { ClientMethod } from "./handlerRegistry.js";

/** How a client method's outcome goes back to the server. */
export type AnswerFn = (invocationId: string, outcome: { error: string } | { result: unknown }) => void;

/**
 * Runs the handlers of a server-to-client call. A throwing handler is logged
 * and does not stop the others. When the server expects a result (the call
 * has an invocationId), the one value returned (or resolved) answers it;
 * none, several, or a failure answer with an error.
 */
export function runClientMethod(message: InvocationMessage, handlers: ClientMethod[], answer: AnswerFn, logger: ILogger, thisArg: unknown): void {
  const { target, invocationId } = message;
  const logFailure = (error: unknown) =>
    logger.log(LogLevel.Error, `A callback for the method '${target.toLowerCase()}' threw error '${toError(error).message}'.`);
  if (handlers.length === 0) {
    logger.log(LogLevel.Warning, `No client method with the name '${target}' found.`);
    if (invocationId) answer(invocationId, { error: `Client didn't provide a result: no handler for '${target}'.` });
    return;
  }
  if (!invocationId) {
    for (const handler of handlers) {
      try {
        const returned = handler.apply(thisArg, message.arguments);
        if (returned && typeof (returned as Promise<unknown>).then === "function") {
          (returned as Promise<unknown>).then(undefined, logFailure);
        }
      } catch (error) {
        logFailure(error);
      }
    }
    return;
  }
  void collectResult(message, handlers, logFailure, thisArg).then((outcome) => {
    if ("error" in outcome && outcome.error === NO_RESULT) {
      logger.log(LogLevel.Warning, `No result given for '${target}' method and invocation ID '${invocationId}'.`);
    }
    answer(invocationId, outcome);
  });
}

const NO_RESULT = "Client didn't provide a result.";

async function collectResult(
  message: InvocationMessage,
  handlers: ClientMethod[],
  logFailure: (error: unknown) => void,
  thisArg: unknown,
): Promise<{ error: string } | { result: unknown }> {
  const results: unknown[] = [];
  let failure: Error | undefined;
  for (const handler of handlers) {
    try {
      const value = await handler.apply(thisArg, message.arguments);
      if (value !== undefined) results.push(value);
    } catch (error) {
      failure = toError(error);
      logFailure(error);
    }
  }
  if (results.length > 1) return { error: "Client provided multiple results." };
  if (failure) return { error: String(failure) };
  return results.length === 1 ? { result: results[0] } : { error: NO_RESULT };
}
