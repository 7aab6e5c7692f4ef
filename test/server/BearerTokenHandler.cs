using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace Hubwire.TestServer;

/// <summary>
/// Toy bearer authentication for tests. A token is valid when it looks like
/// <c>valid-token-&lt;user&gt;</c> (non-empty user); the user name is the suffix.
/// The token is read from <c>Authorization: Bearer &lt;token&gt;</c>, or, for requests under
/// /authhub only, from the <c>access_token</c> query parameter (browsers cannot put headers on
/// WebSocket or EventSource requests).
/// </summary>
public sealed class BearerTokenHandler : AuthenticationHandler<AuthenticationSchemeOptions>
{
    public const string SchemeName = "Bearer";
    public const string TokenPrefix = "valid-token-";

    public BearerTokenHandler(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder)
        : base(options, logger, encoder)
    {
    }

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var token = ReadToken();
        if (token is null)
        {
            return Task.FromResult(AuthenticateResult.NoResult());
        }

        if (!token.StartsWith(TokenPrefix, StringComparison.Ordinal) || token.Length == TokenPrefix.Length)
        {
            return Task.FromResult(AuthenticateResult.Fail("invalid token"));
        }

        var user = token[TokenPrefix.Length..];
        var identity = new ClaimsIdentity(
            new[] { new Claim(ClaimTypes.Name, user), new Claim(ClaimTypes.NameIdentifier, user) },
            SchemeName);
        var ticket = new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName);
        return Task.FromResult(AuthenticateResult.Success(ticket));
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.StatusCode = StatusCodes.Status401Unauthorized;
        Response.Headers.WWWAuthenticate = SchemeName;
        return Task.CompletedTask;
    }

    private string? ReadToken()
    {
        string authorization = Request.Headers.Authorization.ToString();
        if (authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            var fromHeader = authorization["Bearer ".Length..].Trim();
            return fromHeader.Length > 0 ? fromHeader : null;
        }

        if (Request.Path.StartsWithSegments("/authhub"))
        {
            var fromQuery = Request.Query["access_token"].ToString();
            return fromQuery.Length > 0 ? fromQuery : null;
        }

        return null;
    }
}
