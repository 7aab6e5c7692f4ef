// hubwire functional-test server: a real ASP.NET Core SignalR server.
//
// Run:  dotnet test/server/bin/Release/net10.0/TestServer.dll --urls http://127.0.0.1:5123
// (test/support/server.ts builds, starts and stops it for the tests.) Logs warnings and errors only.
// With HUBWIRE_EXIT_ON_STDIN_EOF=1 it stops when its stdin is closed (the harness sets this).
//
// Endpoints
//   GET  /health                        200 "ok" (readiness probe; header X-Server-Pid: <process id>)
//   /testhub                            TestHub, all transports
//   /testhub-sse-lp                     TestHub, ServerSentEvents + LongPolling only
//   /testhub-stateful                   TestHub, AllowStatefulReconnects = true
//   /keepalivehub                       KeepAliveHub: server pings every 1 s, drops a silent client after 2 s
//   /authhub                            AuthHub, [Authorize]; token "valid-token-<user>" from
//                                       "Authorization: Bearer <token>" or ?access_token=<token>;
//                                       anything else -> 401 (negotiate included)
//   POST /redirect/negotiate            200 {"url":"<scheme>://<host>/authhub","accessToken":"valid-token-redirected"}
//   POST /redirect-loop/negotiate       200 {"url":"<scheme>://<host>/redirect-loop"} (endless redirects)
//   POST /negotiate-error/negotiate     200 {"error":"negotiate refused by test server"}
//   GET|POST /legacy/negotiate          200 {"Url":"/legacy","ConnectionToken":"x","ConnectionId":"y","ProtocolVersion":"1.5"}
//                                       (what ASP.NET (non-Core) SignalR answers)
//   POST /status/{code}/negotiate       answers with that status code and a short text body
//   POST /offer/{list}/negotiate        200, a v1 negotiate offering only the transports in {list}
//                                       ("WebSockets-Text.Binary,LongPolling-Text"; "none": no
//                                       transport at all); its connection token is known nowhere
//
// On any path: a negotiate request with ?negotiateDelay=<ms> is answered that much later (the
// `timeout` option), and a WebSocket request with ?refuseWebSockets=1 is refused with 403 though
// negotiate offers WebSockets (transport fallback).
//
// Under /testhub*, every POST .../negotiate sets the cookie "affinity=<guid>; path=/", and every
// other request is recorded (by its connection token) with whether it carried that cookie:
// TestHub.GetNegotiateCookieSeen() reports it (see AffinityCookies.cs).
//
// Hub options: EnableDetailedErrors = false (plain exceptions reach the client as a generic
// message; HubException messages do get through), MaximumParallelInvocationsPerClient = 4 (a hub
// method can wait on a client result), MaximumReceiveMessageSize = 1 MB.
// CORS allows any origin with credentials, so browser-based tests can connect too.
//
// TestHub methods (see TestHub.cs): Echo, Add, Throw, ThrowPlain, Delay, GetConnectionId,
// GetTransport, GetUserName, SendToCaller, Broadcast, SendToCallerMany, AskClient, CloseMe,
// GetHeader, GetCookie, GetQueryString, GetNegotiateCookieSeen, Counter, CounterThenThrow,
// Infinite, WasInfiniteCancelled, Upload, UploadTwo, UploadSum, Record, TakeRecorded.
// AuthHub methods: GetUserName, Echo, GetTransport, GetRequestPath.
// KeepAliveHub methods: Echo, GetConnectionId, GetTransport.

using Hubwire.TestServer;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR;

var builder = WebApplication.CreateBuilder(args);

builder.Logging.ClearProviders();
builder.Logging.AddSimpleConsole(options => options.SingleLine = true);
builder.Logging.SetMinimumLevel(LogLevel.Warning);
// TestHub.CloseMe completes the transport pipe on purpose; the framework then logs a
// "Failed writing message" error for its own trailing close message. Silence that category.
builder.Logging.AddFilter("Microsoft.AspNetCore.SignalR.HubConnectionContext", LogLevel.Critical);

// Keys in memory only: nothing written to ~/.aspnet, no "unencrypted key" warning at startup.
builder.Services.AddDataProtection().UseEphemeralDataProtectionProvider();

builder.Services.AddSingleton<AffinityCookies>();

builder.Services
    .AddSignalR(options =>
    {
        options.EnableDetailedErrors = false;
        options.MaximumParallelInvocationsPerClient = 4;
        options.MaximumReceiveMessageSize = 1024 * 1024;
    })
    .AddHubOptions<KeepAliveHub>(options =>
    {
        // Kestrel's heartbeat ticks once a second, so shorter values would not be honoured anyway.
        options.KeepAliveInterval = TimeSpan.FromSeconds(1);
        options.ClientTimeoutInterval = TimeSpan.FromSeconds(2);
    });
// MessagePack hub protocol ("messagepack", v2) next to JSON; our own, see MessagePack/MessagePackHubProtocol.cs.
builder.Services.AddTestMessagePackProtocol();
// Replaces the default lifetime manager (registered with TryAdd by AddSignalR) so that hub
// methods can reach their own HubConnectionContext (TestHub.CloseMe).
builder.Services.AddSingleton(typeof(HubLifetimeManager<>), typeof(TrackingHubLifetimeManager<>));

builder.Services
    .AddAuthentication(BearerTokenHandler.SchemeName)
    .AddScheme<AuthenticationSchemeOptions, BearerTokenHandler>(BearerTokenHandler.SchemeName, _ => { });
builder.Services.AddAuthorization();

builder.Services.AddCors(options => options.AddDefaultPolicy(policy => policy
    .SetIsOriginAllowed(_ => true)
    .AllowAnyHeader()
    .AllowAnyMethod()
    .AllowCredentials()));

var app = builder.Build();

app.UseCors();

app.Use(async (context, next) =>
{
    var query = context.Request.Query;
    if (context.Request.Path.Value!.EndsWith("/negotiate", StringComparison.Ordinal)
        && int.TryParse(query["negotiateDelay"], out var delay))
    {
        await Task.Delay(delay);
    }

    if (query["refuseWebSockets"] == "1"
        && string.Equals(context.Request.Headers.Upgrade, "websocket", StringComparison.OrdinalIgnoreCase))
    {
        context.Response.StatusCode = StatusCodes.Status403Forbidden;
        return;
    }

    await next();
});

var affinity = app.Services.GetRequiredService<AffinityCookies>();
app.Use((context, next) => affinity.InvokeAsync(context, next));

app.UseAuthentication();
app.UseAuthorization();

// X-Server-Pid lets the harness check that the process it started is the one answering.
app.MapGet("/health", (HttpResponse response) =>
{
    response.Headers["X-Server-Pid"] = Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture);
    return Results.Text("ok");
});

app.MapHub<TestHub>("/testhub");
app.MapHub<TestHub>("/testhub-sse-lp", options =>
{
    options.Transports = HttpTransportType.ServerSentEvents | HttpTransportType.LongPolling;
});
app.MapHub<TestHub>("/testhub-stateful", options =>
{
    options.AllowStatefulReconnects = true;
});
app.MapHub<AuthHub>("/authhub");
app.MapHub<KeepAliveHub>("/keepalivehub");

static string Origin(HttpRequest request) => $"{request.Scheme}://{request.Host}";

app.MapPost("/redirect/negotiate", (HttpRequest request) =>
    Results.Json(new Dictionary<string, string>
    {
        ["url"] = Origin(request) + "/authhub",
        ["accessToken"] = "valid-token-redirected",
    }));

app.MapPost("/redirect-loop/negotiate", (HttpRequest request) =>
    Results.Json(new Dictionary<string, string>
    {
        ["url"] = Origin(request) + "/redirect-loop",
    }));

app.MapPost("/negotiate-error/negotiate", () =>
    Results.Json(new Dictionary<string, string>
    {
        ["error"] = "negotiate refused by test server",
    }));

app.MapMethods("/legacy/negotiate", new[] { HttpMethods.Get, HttpMethods.Post }, () =>
    Results.Json(new Dictionary<string, string>
    {
        ["Url"] = "/legacy",
        ["ConnectionToken"] = "x",
        ["ConnectionId"] = "y",
        ["ProtocolVersion"] = "1.5",
    }));

app.MapPost("/status/{code:int}/negotiate", (int code) =>
    Results.Text($"test server answered {code}", "text/plain", statusCode: code));

app.MapPost("/offer/{list}/negotiate", (string list) =>
    Results.Json(new Dictionary<string, object>
    {
        ["connectionId"] = "offer-id",
        ["connectionToken"] = "offer-token",
        ["negotiateVersion"] = 1,
        ["availableTransports"] = list == "none"
            ? Array.Empty<object>()
            : list.Split(',').Select(entry => entry.Split('-')).Select(parts => (object)new Dictionary<string, object>
            {
                ["transport"] = parts[0],
                ["transferFormats"] = parts[1].Split('.'),
            }).ToArray(),
    }));

// When started by test/support/server.ts, exit as soon as the parent closes our stdin (it died),
// so a killed test runner never leaves an orphaned server behind.
if (Environment.GetEnvironmentVariable("HUBWIRE_EXIT_ON_STDIN_EOF") == "1")
{
    var lifetime = app.Services.GetRequiredService<IHostApplicationLifetime>();
    _ = Task.Run(async () =>
    {
        using var stdin = Console.OpenStandardInput();
        var buffer = new byte[256];
        try
        {
            while (await stdin.ReadAsync(buffer) > 0)
            {
            }
        }
        catch (Exception)
        {
        }

        lifetime.StopApplication();
    });
}

app.Run();
