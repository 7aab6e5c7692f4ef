using System.Collections.Concurrent;

namespace Hubwire.TestServer;

/// <summary>
/// Imitates a load balancer's sticky-session cookie for the /testhub* endpoints.
///
/// * Every POST to a ".../negotiate" URL under /testhub* gets a response cookie
///   <c>affinity=&lt;random guid&gt;; path=/</c>.
/// * Every other request under /testhub* that carries a connection token (the <c>id</c>
///   query parameter: WebSocket upgrade, SSE GET, long-poll GET, send POST, DELETE) is
///   recorded under that token, together with whether it carried an <c>affinity</c> cookie
///   whose value this server issued.
///
/// <c>TestHub.GetNegotiateCookieSeen()</c> reports, for the calling connection's token, whether at
/// least one such request was recorded and every one of them carried the cookie. It answers
/// "does the client keep the cookie from negotiate and send it on all later requests of the
/// connection?". Requests made without a token (e.g. WebSockets with skipNegotiation) are not
/// recorded, and the method then returns false.
/// </summary>
public sealed class AffinityCookies
{
    public const string CookieName = "affinity";

    private readonly ConcurrentDictionary<string, byte> _issued = new();
    private readonly ConcurrentDictionary<string, TokenRecord> _byToken = new();

    private sealed class TokenRecord
    {
        public int Requests;
        public int WithoutCookie;
    }

    public static bool Applies(PathString path) =>
        path.HasValue && path.Value!.StartsWith("/testhub", StringComparison.OrdinalIgnoreCase);

    public static bool IsNegotiate(HttpRequest request) =>
        HttpMethods.IsPost(request.Method) &&
        request.Path.Value!.EndsWith("/negotiate", StringComparison.OrdinalIgnoreCase);

    public string Issue()
    {
        var value = Guid.NewGuid().ToString("N");
        _issued[value] = 0;
        return value;
    }

    public void Record(HttpRequest request)
    {
        var token = request.Query["id"].ToString();
        if (string.IsNullOrEmpty(token))
        {
            return;
        }

        var hasCookie = request.Cookies.TryGetValue(CookieName, out var value) &&
                        value is not null && _issued.ContainsKey(value);
        var record = _byToken.GetOrAdd(token, _ => new TokenRecord());
        Interlocked.Increment(ref record.Requests);
        if (!hasCookie)
        {
            Interlocked.Increment(ref record.WithoutCookie);
        }
    }

    public bool AllRequestsHadCookie(string? token)
    {
        if (string.IsNullOrEmpty(token) || !_byToken.TryGetValue(token, out var record))
        {
            return false;
        }

        return Volatile.Read(ref record.Requests) > 0 && Volatile.Read(ref record.WithoutCookie) == 0;
    }

    /// <summary>Middleware body; see the class summary.</summary>
    public async Task InvokeAsync(HttpContext context, Func<Task> next)
    {
        var request = context.Request;
        if (Applies(request.Path))
        {
            if (IsNegotiate(request))
            {
                context.Response.Cookies.Append(CookieName, Issue(), new CookieOptions { Path = "/" });
            }
            else
            {
                Record(request);
            }
        }

        await next();
    }
}
