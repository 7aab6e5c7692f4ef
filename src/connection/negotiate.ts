import { HttpError, NegotiateError } from "../errors.js";
import type { HttpClient } from "../http/httpClient.js";
import { redactUrl } from "../logging.js";
import type { TransportName } from "../errors.js";
import { negotiateUrl } from "./url.js";

/** One transport the server offers. */
export interface AvailableTransport {
  readonly transport: TransportName | string;
  readonly transferFormats: readonly string[];
}

/** A negotiate answer that leads to a connection. */
export interface NegotiateResponse {
  /** The public connection id. */
  readonly connectionId: string;
  /** The secret token that goes in `?id=` (v0 servers: the connection id). */
  readonly connectionToken: string;
  readonly negotiateVersion: number;
  readonly availableTransports: readonly AvailableTransport[];
  readonly useStatefulReconnect: boolean;
}

/** The outcome of negotiating, redirects followed. */
export interface Negotiation {
  /** The hub URL the connection goes to (changed by redirects). */
  readonly url: string;
  readonly response: NegotiateResponse;
  /** A token a redirect handed out; it replaces the user's token for this connection. */
  readonly redirectToken: string | undefined;
}

/** The official client's limit: enough for any real chain, short enough to stop a loop. */
export const MAX_REDIRECTS = 100;

/**
 * Negotiates at `hubUrl`, following redirects (Azure SignalR Service and the like).
 * @param request - sends the POST; its second argument is the token from a redirect, if any.
 * @throws NegotiateError for a refusal, a legacy server, a malformed answer or too many redirects;
 *   HttpError (wrapped as the cause of a NegotiateError) for a failed request.
 */
export async function negotiate(
  httpClient: HttpClient,
  hubUrl: string,
  options: { useStatefulReconnect: boolean; timeout: number; withCredentials: boolean; signal?: AbortSignal },
  setRedirectToken: (token: string) => void,
): Promise<Negotiation> {
  let url = hubUrl;
  let redirectToken: string | undefined;
  // At most MAX_REDIRECTS negotiate requests, as the official client: a 100th redirect answer gives up.
  for (let hop = 0; hop < MAX_REDIRECTS; hop++) {
    const target = negotiateUrl(url, options.useStatefulReconnect);
    const fields = await requestNegotiate(httpClient, target, options);
    if (typeof fields["ProtocolVersion"] === "string" || typeof fields["ProtocolVersion"] === "number") {
      throw new NegotiateError(
        `The server at ${redactUrl(url)} is a legacy ASP.NET SignalR server (its negotiate answered ProtocolVersion ${String(fields["ProtocolVersion"])}); hubwire speaks to ASP.NET Core SignalR servers only.`,
        redactUrl(target),
      );
    }
    if (fields["error"] !== undefined && fields["error"] !== null) {
      throw new NegotiateError(`Negotiate at ${redactUrl(target)} was refused by the server: ${String(fields["error"])}`, redactUrl(target));
    }
    if (typeof fields["url"] === "string") {
      url = fields["url"];
      if (typeof fields["accessToken"] === "string") {
        redirectToken = fields["accessToken"];
        setRedirectToken(redirectToken);
      }
      continue;
    }
    return { url, response: readResponse(fields, target), redirectToken };
  }
  throw new NegotiateError(`Negotiate was redirected ${MAX_REDIRECTS} times, last to ${redactUrl(url)}; giving up.`, redactUrl(url));
}

async function requestNegotiate(
  httpClient: HttpClient,
  target: string,
  options: { timeout: number; withCredentials: boolean; signal?: AbortSignal },
): Promise<Record<string, unknown>> {
  let content: string | ArrayBuffer | undefined;
  try {
    const response = await httpClient.post(target, {
      content: "",
      timeout: options.timeout,
      withCredentials: options.withCredentials,
      ...(options.signal ? { abortSignal: options.signal } : {}),
    });
    content = response.content;
  } catch (error) {
    if (error instanceof HttpError) {
      throw new NegotiateError(`Negotiate at ${redactUrl(target)} failed: ${error.message}`, redactUrl(target), {
        cause: error,
        statusCode: error.statusCode,
      });
    }
    throw error;
  }
  if (typeof content !== "string") {
    throw new NegotiateError(`Negotiate at ${redactUrl(target)} answered with binary content; expected JSON.`, redactUrl(target));
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(content);
  } catch (error) {
    throw new NegotiateError(`Negotiate at ${redactUrl(target)} answered with invalid JSON: ${JSON.stringify(content.slice(0, 100))}`, redactUrl(target), { cause: error });
  }
  if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) {
    throw new NegotiateError(`Negotiate at ${redactUrl(target)} answered ${JSON.stringify(content.slice(0, 100))}; expected a JSON object.`, redactUrl(target));
  }
  return parsed as Record<string, unknown>;
}

function readResponse(fields: Record<string, unknown>, target: string): NegotiateResponse {
  const connectionId = fields["connectionId"];
  if (typeof connectionId !== "string" || connectionId === "") {
    throw new NegotiateError(`Negotiate at ${redactUrl(target)} answered without a connectionId.`, redactUrl(target));
  }
  const version = typeof fields["negotiateVersion"] === "number" ? fields["negotiateVersion"] : 0;
  const token = version > 0 ? fields["connectionToken"] : connectionId;
  if (typeof token !== "string" || token === "") {
    throw new NegotiateError(`Negotiate at ${redactUrl(target)} answered version ${version} without a connectionToken.`, redactUrl(target));
  }
  const transports = Array.isArray(fields["availableTransports"]) ? fields["availableTransports"] : [];
  return {
    connectionId,
    connectionToken: token,
    negotiateVersion: version,
    availableTransports: transports.filter(isAvailableTransport),
    useStatefulReconnect: fields["useStatefulReconnect"] === true,
  };
}

function isAvailableTransport(value: unknown): value is AvailableTransport {
  const t = value as AvailableTransport;
  return typeof value === "object" && value !== null && typeof t.transport === "string" && Array.isArray(t.transferFormats);
}
