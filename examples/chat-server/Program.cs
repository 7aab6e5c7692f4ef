// The chat demo's server: one ChatHub at /chat. Every Send(name, message)
// is broadcast to all connected clients as broadcastMessage(name, message).
// Run: dotnet run --project examples/chat-server -- --urls http://127.0.0.1:5000
using Microsoft.AspNetCore.SignalR;

var builder = WebApplication.CreateBuilder(args);
builder.Logging.SetMinimumLevel(LogLevel.Warning);
builder.Services.AddSignalR();

var app = builder.Build();
app.MapHub<ChatHub>("/chat");
app.MapGet("/health", () => "ok");
app.Run();

/// <summary>Relays each chat message to everyone.</summary>
public sealed class ChatHub : Hub
{
    public Task Send(string name, string message) =>
        Clients.All.SendAsync("broadcastMessage", name, message);
}
