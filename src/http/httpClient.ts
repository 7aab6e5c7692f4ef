import type { MessageHeaders } from "../protocol/messages.js";

/** One HTTP request, in the shape the official client's `HttpClient` receives. */
export interface HttpRequest {
  /** GET, POST or DELETE. */
  method?: string;
  /** Absolute URL. */
  url?: string;
  /** Request body. */
  content?: string | ArrayBuffer;
  /** Extra request headers. */
  headers?: MessageHeaders;
  /** "arraybuffer" to receive bytes; text otherwise. */
  responseType?: XMLHttpRequestResponseType;
  /** Aborts the request; it then rejects with `AbortError`. */
  abortSignal?: AbortSignal;
  /** Milliseconds before the request rejects with `TimeoutError`; 0 or absent waits forever. */
  timeout?: number;
  /** Send cookies and credentials cross-origin (browsers). */
  withCredentials?: boolean;
}

/** An HTTP response with a success status. */
export class HttpResponse {
  // `declare` and assignments: parameter properties would add a field definition each.
  /** The HTTP status code. */
  declare readonly statusCode: number;
  /** The reason phrase. */
  declare readonly statusText?: string | undefined;
  /** The body, as text or bytes per the request's `responseType`. */
  declare readonly content?: string | ArrayBuffer | undefined;

  /**
   * @param statusCode - the HTTP status code.
   * @param statusText - the reason phrase.
   * @param content - the body, as text or bytes per the request's `responseType`.
   */
  constructor(statusCode: number, statusText?: string, content?: string | ArrayBuffer) {
    this.statusCode = statusCode;
    this.statusText = statusText;
    this.content = content;
  }
}

/** `send` with the method and URL set (a function, not a member: subclasses may use any member name). */
const sendAs = (client: HttpClient, method: string, url: string, options?: HttpRequest) =>
  client.send(Object.assign({}, options, { method, url }));

/**
 * The HTTP client hubwire sends negotiate, Server-Sent Events and Long Polling
 * requests through. Subclass it and implement `send` to route requests your own
 * way; pass it as the `httpClient` option.
 */
export abstract class HttpClient {
  /** Sends a GET request. */
  get(url: string, options?: HttpRequest): Promise<HttpResponse> {
    return sendAs(this, "GET", url, options);
  }

  /** Sends a POST request. */
  post(url: string, options?: HttpRequest): Promise<HttpResponse> {
    return sendAs(this, "POST", url, options);
  }

  /** Sends a DELETE request. */
  delete(url: string, options?: HttpRequest): Promise<HttpResponse> {
    return sendAs(this, "DELETE", url, options);
  }

  /**
   * Sends a request.
   * @throws HttpError for a non-success status, TimeoutError, AbortError. (A client that resolves
   *   with a non-2xx response instead works too: the connection treats it as that HttpError.)
   */
  abstract send(request: HttpRequest): Promise<HttpResponse>;

  /** The `Cookie` header value this client would send to `url` (Node keeps a jar; browsers return ""). */
  getCookieString(_url: string): string {
    return "";
  }
}
