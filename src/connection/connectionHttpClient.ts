import { HttpError } from "../errors.js";
import { HttpClient, type HttpRequest, type HttpResponse } from "../http/httpClient.js";
import type { AccessTokenSource } from "./accessToken.js";

/**
 * Wraps the user's (or the default) HTTP client for one connection: adds the
 * connection's headers and bearer token to every request, and after a 401
 * asks the token factory once more and retries.
 */
export class ConnectionHttpClient extends HttpClient {
  constructor(
    private readonly inner: HttpClient,
    private readonly headers: Record<string, string>,
    private readonly tokens: AccessTokenSource,
  ) {
    super();
  }

  override async send(request: HttpRequest): Promise<HttpResponse> {
    const token = await this.tokens.current();
    try {
      return await this.inner.send(this.withHeaders(request, token));
    } catch (error) {
      if (error instanceof HttpError && error.statusCode === 401 && this.tokens.canRefresh) {
        const fresh = await this.tokens.refresh();
        if (fresh !== token) {
          return this.inner.send(this.withHeaders(request, fresh));
        }
      }
      throw error;
    }
  }

  override getCookieString(url: string): string {
    return this.inner.getCookieString(url);
  }

  private withHeaders(request: HttpRequest, token: string | undefined): HttpRequest {
    const headers: Record<string, string> = { "X-Requested-With": "XMLHttpRequest", ...this.headers, ...request.headers };
    if (token) {
      headers["Authorization"] = `Bearer ${token}`;
    }
    return { ...request, headers };
  }
}
