import { TransportError, type TransportName } from "../errors.js";
import { describeData, LogLevel, redactUrl } from "../logging.js";
import type { TransportOptions } from "./transport.js";

/** Sends one client-to-server payload as an HTTP POST (Server-Sent Events and Long Polling). */
export async function postPayload(transport: TransportName, options: TransportOptions, url: string, data: string | ArrayBuffer): Promise<void> {
  options.logger.log(LogLevel.Trace, `(${transport} transport) sending data. ${describeData(data, options.logMessageContent)}.`);
  try {
    await options.httpClient.post(url, {
      content: data,
      headers: { "Content-Type": typeof data === "string" ? "text/plain;charset=UTF-8" : "application/octet-stream" },
      timeout: options.timeout,
      withCredentials: options.withCredentials,
    });
  } catch (error) {
    throw new TransportError(transport, `(${transport} transport) sending to ${redactUrl(url)} failed: ${(error as Error).message}`, { cause: error });
  }
}
