using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Text;
using System.Threading.Channels;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http.Connections.Features;
using Microsoft.AspNetCore.SignalR;

namespace Hubwire.TestServer;

/// <summary>The main hub of the functional tests (mapped at /testhub, /testhub-sse-lp and /testhub-stateful).</summary>
public sealed class TestHub : Hub
{
    /// <summary>Connection ids whose <see cref="Infinite"/> stream observed cancellation.</summary>
    private static readonly ConcurrentDictionary<string, byte> InfiniteCancelled = new();

    private readonly AffinityCookies _affinity;

    public TestHub(AffinityCookies affinity)
    {
        _affinity = affinity;
    }

    // ----- plain invocations -------------------------------------------------------------

    public object? Echo(object? value) => value;

    public int Add(int a, int b) => a + b;

    public void Throw(string message) => throw new HubException(message);

    public void ThrowPlain() => throw new InvalidOperationException("secret detail");

    public async Task<int> Delay(int ms)
    {
        await Task.Delay(ms);
        return ms;
    }

    public string GetConnectionId() => Context.ConnectionId;

    public string GetTransport() =>
        Context.Features.Get<IHttpTransportFeature>()!.TransportType.ToString();

    public string? GetUserName() => Context.UserIdentifier ?? Context.User?.Identity?.Name;

    // ----- server -> client ------------------------------------------------------------

    public Task SendToCaller(string method, object? arg) => Clients.Caller.SendAsync(method, arg);

    public Task Broadcast(string method, object? arg) => Clients.All.SendAsync(method, arg);

    /// <summary>The chat demo's method, so the README's example runs against this hub as written.</summary>
    public Task Send(string name, string message) => Clients.All.SendAsync("broadcastMessage", name, message);

    public async Task SendToCallerMany(string method, int count)
    {
        for (var i = 0; i < count; i++)
        {
            await Clients.Caller.SendAsync(method, i);
        }
    }

    /// <summary>Client results: invokes <paramref name="method"/> on the caller and returns its answer.</summary>
    public async Task<object?> AskClient(string method, object? arg)
    {
        try
        {
            return await Clients.Caller.InvokeAsync<object?>(method, arg, Context.ConnectionAborted);
        }
        catch (Exception ex)
        {
            throw new HubException("client error: " + ex.Message);
        }
    }

    /// <summary>Sends a Close message {type:7, error, allowReconnect} to the caller, then ends the connection.</summary>
    public async Task CloseMe(string? error, bool allowReconnect)
    {
        var connection = ConnectionRegistry.Find(Context.ConnectionId)
            ?? throw new HubException("connection not registered");
        await ConnectionRegistry.CloseAsync(connection, error, allowReconnect);
    }

    // ----- request details ---------------------------------------------------------------

    public string? GetHeader(string name)
    {
        var request = Context.GetHttpContext()?.Request;
        return request is not null && request.Headers.TryGetValue(name, out var value) ? value.ToString() : null;
    }

    public string? GetCookie(string name)
    {
        var request = Context.GetHttpContext()?.Request;
        return request is not null && request.Cookies.TryGetValue(name, out var value) ? value : null;
    }

    public string? GetQueryString(string name)
    {
        var request = Context.GetHttpContext()?.Request;
        return request is not null && request.Query.TryGetValue(name, out var value) ? value.ToString() : null;
    }

    /// <summary>
    /// True when at least one request of this connection (identified by its connection token,
    /// the <c>id</c> query parameter) other than negotiate reached /testhub*, and every such
    /// request carried the <c>affinity</c> cookie issued by negotiate. See <see cref="AffinityCookies"/>.
    /// </summary>
    public bool GetNegotiateCookieSeen()
    {
        var token = Context.GetHttpContext()?.Request.Query["id"].ToString();
        return _affinity.AllRequestsHadCookie(token);
    }

    // ----- value mapping (JSON and MessagePack protocols; see MessagePack/MessagePackProbe.cs) ----

    /// <summary>value + 1 day, as UTC (MessagePack: a timestamp extension both ways).</summary>
    public DateTime AddOneDay(DateTime value) => MessagePack.MessagePackProbe.AddOneDay(value);

    /// <summary>A reversed copy (MessagePack: bin both ways; JSON: base64 strings).</summary>
    public byte[] ReverseBytes(byte[] value) => MessagePack.MessagePackProbe.ReverseBytes(value);

    /// <summary>"&lt;.NET type&gt;:&lt;value&gt;" of what the protocol produced for an object parameter, e.g. "System.Int64:42".</summary>
    public string DescribeValue(object? value) => MessagePack.MessagePackProbe.DescribeValue(value);

    public long AddLong(long a, long b) => a + b;

    // ----- ordering -------------------------------------------------------------------------

    /// <summary>Numbers <see cref="Record"/> received, per connection, in arrival order.</summary>
    private static readonly ConcurrentDictionary<string, List<int>> Recorded = new();

    /// <summary>Appends <paramref name="n"/> to this connection's list (a burst of sends, then <see cref="TakeRecorded"/>).</summary>
    public void Record(int n)
    {
        var list = Recorded.GetOrAdd(Context.ConnectionId, _ => new List<int>());
        lock (list)
        {
            list.Add(n);
        }
    }

    /// <summary>This connection's recorded numbers, in arrival order; the list starts again empty.</summary>
    public int[] TakeRecorded() => Recorded.TryRemove(Context.ConnectionId, out var list) ? list.ToArray() : Array.Empty<int>();

    // ----- server -> client streams --------------------------------------------------------

    public async IAsyncEnumerable<int> Counter(int count, int delayMs, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        for (var i = 0; i < count; i++)
        {
            if (i > 0 && delayMs > 0)
            {
                await Task.Delay(delayMs, cancellationToken);
            }

            yield return i;
        }
    }

    public async IAsyncEnumerable<int> CounterThenThrow(int count)
    {
        for (var i = 0; i < count; i++)
        {
            yield return i;
        }

        await Task.Yield();
        throw new HubException("stream failed after " + count);
    }

    public IAsyncEnumerable<int> Infinite(CancellationToken ct) => InfiniteCore(Context.ConnectionId, ct);

    private static async IAsyncEnumerable<int> InfiniteCore(string connectionId, [EnumeratorCancellation] CancellationToken ct)
    {
        var i = 0;
        try
        {
            while (true)
            {
                yield return i++;
                await Task.Delay(20, ct);
            }
        }
        finally
        {
            if (ct.IsCancellationRequested)
            {
                InfiniteCancelled[connectionId] = 0;
            }
        }
    }

    /// <summary>Waits up to 5 s for this connection's <see cref="Infinite"/> stream to be cancelled.</summary>
    public async Task<bool> WasInfiniteCancelled()
    {
        var deadline = DateTime.UtcNow.AddSeconds(5);
        while (true)
        {
            if (InfiniteCancelled.ContainsKey(Context.ConnectionId))
            {
                return true;
            }

            if (DateTime.UtcNow >= deadline)
            {
                return false;
            }

            await Task.Delay(20);
        }
    }

    // ----- client -> server streams --------------------------------------------------------

    public Task<string> Upload(IAsyncEnumerable<string> items) => Concat(items);

    public async Task<string> UploadTwo(IAsyncEnumerable<string> first, IAsyncEnumerable<string> second)
    {
        var firstTask = Concat(first);
        var secondTask = Concat(second);
        await Task.WhenAll(firstTask, secondTask);
        return firstTask.Result + "|" + secondTask.Result;
    }

    public async Task<string> UploadSum(string label, ChannelReader<int> numbers)
    {
        var sum = 0;
        await foreach (var n in numbers.ReadAllAsync())
        {
            sum += n;
        }

        return label + ":" + sum;
    }

    private static async Task<string> Concat(IAsyncEnumerable<string> items)
    {
        var builder = new StringBuilder();
        await foreach (var item in items)
        {
            builder.Append(item);
        }

        return builder.ToString();
    }
}

/// <summary>Hub that requires an authenticated user (mapped at /authhub).</summary>
[Authorize]
public sealed class AuthHub : Hub
{
    public string? GetUserName() => Context.User?.Identity?.Name;

    public object? Echo(object? value) => value;

    public string GetTransport() =>
        Context.Features.Get<IHttpTransportFeature>()!.TransportType.ToString();

    /// <summary>The path of the request that carries this connection (e.g. "/authhub"), to prove where a redirect led.</summary>
    public string? GetRequestPath() => Context.GetHttpContext()?.Request.Path.Value;
}

/// <summary>
/// Hub with short server-side keep-alive settings (mapped at /keepalivehub; see Program.cs):
/// the server pings every second and drops a client it has heard nothing from for 2 seconds.
/// Lets the functional tests check client keep-alive pings and the client's server timeout
/// against a real server within a few seconds.
/// </summary>
public sealed class KeepAliveHub : Hub
{
    public object? Echo(object? value) => value;

    public string GetConnectionId() => Context.ConnectionId;

    public string GetTransport() =>
        Context.Features.Get<IHttpTransportFeature>()!.TransportType.ToString();
}
