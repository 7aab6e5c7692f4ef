// The chat demo's server: one ChatHub at /chat. Every Send(name, message)
// is broadcast to all connected clients as broadcastMessage(name, message).
// It also serves the browser examples and the built bundles, straight from the repository:
//
//   /                 a page linking to the three examples
//   /script-tag/      examples/chat-script-tag  (loads /lib/hubwire.min.js with a <script> tag)
//   /ts/              examples/chat-ts          (TypeScript + browserify: its dist/chat.js)
//   /browserify/      examples/chat-browserify  (plain JavaScript + browserify: its dist/chat.js)
//   /lib/             dist/browser              (hubwire*.js and their source maps)
//   /health           200 "ok"
//
// Build hubwire and the examples first (`npm run build && npm run build:examples`, or just
// `npm run demo`, which does both and starts this server). Then, from anywhere:
//   dotnet run --project examples/chat-server -- --urls http://127.0.0.1:5000
// The repository is found by walking up from the app's directory (or the working directory) to
// the one holding examples/chat-server/ChatServer.csproj; `--RepoRoot <dir>` overrides that.
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.StaticFiles;
using Microsoft.Extensions.FileProviders;

var builder = WebApplication.CreateBuilder(args);
builder.Logging.SetMinimumLevel(LogLevel.Warning);
builder.Services.AddSignalR();

var repoRoot = builder.Configuration["RepoRoot"] is { Length: > 0 } configured
    ? Path.GetFullPath(configured)
    : FindRepoRoot(AppContext.BaseDirectory) ?? FindRepoRoot(Directory.GetCurrentDirectory())
      ?? throw new InvalidOperationException(
          "Could not find the hubwire repository (a directory with examples/chat-server/ChatServer.csproj) " +
          $"above {AppContext.BaseDirectory} or {Directory.GetCurrentDirectory()}: pass --RepoRoot <dir>.");

var app = builder.Build();

// Source maps (.map) are not in ASP.NET Core's default list of content types.
var contentTypes = new FileExtensionContentTypeProvider();
contentTypes.Mappings[".map"] = "application/json";

void Serve(string requestPath, string relativeDirectory)
{
    var directory = Path.Combine(repoRoot, relativeDirectory);
    if (!Directory.Exists(directory))
    {
        app.Logger.LogWarning("{Directory} does not exist (not built yet?): {Path} answers 404", directory, requestPath);
        return;
    }

    app.UseFileServer(new FileServerOptions
    {
        RequestPath = requestPath,
        FileProvider = new PhysicalFileProvider(directory),
        StaticFileOptions =
        {
            ContentTypeProvider = contentTypes,
            // Rebuilt files show up on the next reload.
            OnPrepareResponse = context => context.Context.Response.Headers.CacheControl = "no-cache",
        },
    });
}

Serve("/script-tag", "examples/chat-script-tag");
Serve("/ts", "examples/chat-ts");
Serve("/browserify", "examples/chat-browserify");
Serve("/lib", "dist/browser");

app.MapGet("/", () => Results.Content(
    """
    <!doctype html>
    <html lang="en">
    <head><meta charset="utf-8"><title>hubwire chat demo</title></head>
    <body>
      <h1>hubwire chat demo</h1>
      <p>Open any of these, in as many tabs as you like; they all talk to the ChatHub at <code>/chat</code>.</p>
      <ul>
        <li><a href="script-tag/">script tag</a>: <code>hubwire.min.js</code> and <code>signalR.HubConnectionBuilder</code>, no build step</li>
        <li><a href="ts/">TypeScript</a>: strict TypeScript importing <code>hubwire</code>, bundled with browserify</li>
        <li><a href="browserify/">browserify</a>: plain JavaScript, <code>require("hubwire")</code>, bundled with browserify</li>
      </ul>
    </body>
    </html>
    """,
    "text/html; charset=utf-8"));
app.MapHub<ChatHub>("/chat");
app.MapGet("/health", () => "ok");
app.Run();

static string? FindRepoRoot(string start)
{
    for (var directory = new DirectoryInfo(start); directory is not null; directory = directory.Parent)
    {
        if (File.Exists(Path.Combine(directory.FullName, "examples", "chat-server", "ChatServer.csproj")))
        {
            return directory.FullName;
        }
    }

    return null;
}

/// <summary>Relays each chat message to everyone.</summary>
public sealed class ChatHub : Hub
{
    public Task Send(string name, string message) =>
        Clients.All.SendAsync("broadcastMessage", name, message);
}
