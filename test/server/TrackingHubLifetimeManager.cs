using System.Collections.Concurrent;
using System.IO.Pipelines;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Protocol;

namespace Hubwire.TestServer;

/// <summary>
/// Process-wide registry of live <see cref="HubConnectionContext"/>s, keyed by connection id.
/// Filled by <see cref="TrackingHubLifetimeManager{THub}"/>.
/// </summary>
public static class ConnectionRegistry
{
    private static readonly ConcurrentDictionary<string, HubConnectionContext> Connections = new();

    public static void Add(HubConnectionContext connection) => Connections[connection.ConnectionId] = connection;

    public static void Remove(HubConnectionContext connection) =>
        Connections.TryRemove(new KeyValuePair<string, HubConnectionContext>(connection.ConnectionId, connection));

    public static HubConnectionContext? Find(string connectionId) =>
        Connections.TryGetValue(connectionId, out var connection) ? connection : null;

    /// <summary>
    /// Sends a SignalR Close message (type 7) carrying <paramref name="error"/> and
    /// <paramref name="allowReconnect"/> to the connection, then ends it.
    /// </summary>
    /// <remarks>
    /// The hub API has no way to close a connection with allowReconnect = true. We write the
    /// CloseMessage ourselves, then complete the application side of the transport pipe so
    /// that the transport flushes what was written and shuts down (WebSocket close frame, end
    /// of the SSE stream, 204 on the next long poll). Completing the pipe also means that the
    /// framework's own trailing "{type:7}" (written by HubConnectionHandler on teardown, with
    /// allowReconnect = false) can no longer reach the client, so the client sees exactly one
    /// Close message: ours. Finally the hub connection is aborted so the server-side teardown
    /// runs promptly.
    /// </remarks>
    public static async Task CloseAsync(HubConnectionContext connection, string? error, bool allowReconnect)
    {
        await connection.WriteAsync(new CloseMessage(error, allowReconnect));

        var transport = connection.Features.Get<IConnectionTransportFeature>()?.Transport;
        if (transport is not null)
        {
            try
            {
                await transport.Output.CompleteAsync();
            }
            catch (Exception)
            {
                // Already completed: the connection is going away anyway.
            }
        }

        connection.Abort();
    }
}

/// <summary>
/// The default in-memory lifetime manager, plus registration of every connection in
/// <see cref="ConnectionRegistry"/> so hub methods can reach their own
/// <see cref="HubConnectionContext"/> (needed by <c>TestHub.CloseMe</c>).
/// </summary>
public sealed class TrackingHubLifetimeManager<THub> : DefaultHubLifetimeManager<THub> where THub : Hub
{
    public TrackingHubLifetimeManager(ILogger<DefaultHubLifetimeManager<THub>> logger) : base(logger)
    {
    }

    public override async Task OnConnectedAsync(HubConnectionContext connection)
    {
        await base.OnConnectedAsync(connection);
        ConnectionRegistry.Add(connection);
    }

    public override async Task OnDisconnectedAsync(HubConnectionContext connection)
    {
        ConnectionRegistry.Remove(connection);
        await base.OnDisconnectedAsync(connection);
    }
}
