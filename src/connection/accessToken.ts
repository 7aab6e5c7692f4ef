/**
 * The access token of one connection. The user's factory is asked before each
 * negotiate and each transport connect; in between, HTTP requests reuse the
 * last token, and a 401 asks again once. A negotiate redirect's token replaces
 * the factory for the rest of that connection attempt.
 */
export class AccessTokenSource {
  private token: string | undefined;
  private override: string | undefined;

  constructor(private readonly factory: (() => string | Promise<string>) | undefined) {}

  /** Asks the factory (or uses the redirect's token) and remembers the answer. */
  async refresh(): Promise<string | undefined> {
    if (this.override !== undefined) {
      this.token = this.override;
    } else if (this.factory) {
      const token = await this.factory();
      this.token = token ? String(token) : undefined;
    }
    return this.token;
  }

  /** The last token, fetching one first if there is none yet. */
  async current(): Promise<string | undefined> {
    return this.token ?? (this.factory || this.override !== undefined ? this.refresh() : undefined);
  }

  /** True when a 401 might be cured by asking again. */
  get canRefresh(): boolean {
    return this.factory !== undefined && this.override === undefined;
  }

  /** Uses a redirect's token from now on. */
  setOverride(token: string): void {
    this.override = token;
    this.token = token;
  }

  /** Back to the user's factory, for a fresh connection attempt. */
  reset(): void {
    this.override = undefined;
    this.token = undefined;
  }
}
