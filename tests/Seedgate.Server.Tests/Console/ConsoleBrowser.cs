using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Seedgate.Server.Tests.Infrastructure;

namespace Seedgate.Server.Tests.Console;

/// <summary>What a browser does with the console's cookie, by hand: keeps it, sends it, and echoes the session's token.</summary>
internal sealed class ConsoleBrowser(Gateway gateway) : IDisposable
{
    // Cookies by hand (UseCookies off), so a test can hold, change and drop them.
    private readonly HttpClient _http = new(new SocketsHttpHandler { UseCookies = false }) { BaseAddress = gateway.BaseAddress };
    private string? _csrf;

    /// <summary>The session cookie's value, as the browser holds it (null before a sign-in).</summary>
    public string? Cookie { get; set; }

    public string? LastSetCookie { get; private set; }

    /// <summary>The account an admin session looks at (sent as X-Seedgate-Account), or null.</summary>
    public string? Account { get; set; }

    public async Task<(int Status, JsonNode Body)> SignInAsync(string key)
    {
        var (status, body) = await SendAsync(HttpMethod.Post, "/console/session", csrf: null, JsonContent.Create(new { key }));
        if (status == 200)
        {
            _csrf = (string?)body["csrf"];
        }

        return (status, body);
    }

    public Task<(int Status, JsonNode Body)> GetAsync(string path, string? csrf = "session") => SendAsync(HttpMethod.Get, path, csrf);

    /// <param name="csrf">"session" echoes the session's token; null sends none; anything else is sent as it is.</param>
    public async Task<(int Status, JsonNode Body)> SendAsync(HttpMethod method, string path, string? csrf = "session", HttpContent? content = null)
    {
        using var request = new HttpRequestMessage(method, path) { Content = content };
        if (Cookie is not null)
        {
            request.Headers.Add("Cookie", $"{Seedgate.Server.WebConsole.ConsoleSessions.CookieName}={Cookie}");
        }

        if ((csrf == "session" ? _csrf : csrf) is { } token)
        {
            request.Headers.Add(Seedgate.Server.WebConsole.ConsoleSessions.CsrfHeader, token);
        }

        if (Account is not null)
        {
            request.Headers.Add(Seedgate.Server.Auth.AccountFilter.AccountHeader, Account);
        }

        using var response = await _http.SendAsync(request);
        if (response.Headers.TryGetValues("Set-Cookie", out var cookies))
        {
            LastSetCookie = cookies.Single();
            var value = LastSetCookie.Split(';')[0].Split('=', 2)[1];
            Cookie = value.Length == 0 ? null : value;
        }

        var text = await response.Content.ReadAsStringAsync();
        return ((int)response.StatusCode, text.Length == 0 ? new JsonObject() : JsonNode.Parse(text)!);
    }

    public void Dispose() => _http.Dispose();
}
