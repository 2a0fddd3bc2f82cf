using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Seedgate.Server.Tests.Infrastructure;
using Seedgate.Server.WebConsole;

namespace Seedgate.Server.Tests.Console;

/// <summary>
/// The console's session (issue 13, ADR 0018) over real HTTP: sign-in with a key sets an HttpOnly, SameSite=Strict cookie
/// holding it sealed; the API accepts the cookie only with the session's anti-forgery token; sign-out, tampering,
/// expiry and revocation end it; the page is served with a strict CSP.
/// </summary>
public sealed class ConsoleSessionTests
{
    private const string Tasks = "/api/v3/contents/generations/tasks";

    [Fact]
    public async Task A_session_authenticates_the_api_only_with_its_anti_forgery_token()
    {
        await using var gateway = await Gateway.StartInstantAsync();
        using var browser = new ConsoleBrowser(gateway);

        var (status, refused) = await browser.SignInAsync("sg-not-a-key");
        Assert.Equal((401, "key"), (status, (string?)refused["error"]!["param"]));
        Assert.Null(browser.Cookie);

        var (signedIn, session) = await browser.SignInAsync(Gateway.Key);
        Assert.Equal(200, signedIn);
        Assert.Equal(("account", "default"), ((string?)session["role"], (string?)session["account_id"]));
        var setCookie = browser.LastSetCookie!;
        Assert.Contains("httponly", setCookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=strict", setCookie, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(Gateway.Key, setCookie, StringComparison.Ordinal); // sealed, not the key in clear
        var expires = DateTimeOffset.Parse((string)session["expires_at"]!, System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(expires - TimeProvider.System.GetUtcNow(), TimeSpan.FromHours(11.9), TimeSpan.FromHours(12.1));

        Assert.Equal(401, (await browser.GetAsync("/v1/balance", csrf: null)).Status); // a cookie alone: another site's page could send it
        Assert.Equal(401, (await browser.GetAsync("/v1/balance", csrf: "0123456789abcdef0123456789abcdef")).Status);
        Assert.Equal(200, (await browser.GetAsync("/v1/balance")).Status);
        Assert.Equal(200, (await browser.GetAsync("/console/session", csrf: null)).Status); // how the page learns its token

        // Tampered with (one character of the sealed value): not a session.
        var cookie = browser.Cookie!;
        browser.Cookie = cookie[..^2] + (cookie[^2] == 'A' ? 'B' : 'A') + cookie[^1];
        Assert.Equal(401, (await browser.GetAsync("/console/session", csrf: null)).Status);
        Assert.Equal(401, (await browser.GetAsync("/v1/balance")).Status);
        browser.Cookie = cookie;

        Assert.Equal(403, (await browser.SendAsync(HttpMethod.Delete, "/console/session", csrf: "wrong")).Status);
        Assert.Equal(204, (await browser.SendAsync(HttpMethod.Delete, "/console/session")).Status);
        Assert.Contains("expires=Thu, 01 Jan 1970", browser.LastSetCookie!, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Sign_in_takes_json_only_so_another_sites_form_cannot_sign_a_visitor_in()
    {
        await using var gateway = await Gateway.StartInstantAsync();
        using var http = gateway.Client(null);
        using var form = new FormUrlEncodedContent([new("key", Gateway.Key)]);
        using var response = await http.PostAsync("/console/session", form);
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
        Assert.False(response.Headers.Contains("Set-Cookie"));
    }

    [Fact]
    public async Task A_revoked_key_ends_its_console_session()
    {
        await using var gateway = await Gateway.StartInstantAsync();
        using var tenant = await gateway.AddTenantAsync("revoked-" + Guid.NewGuid().ToString("n")[..6]);
        using var created = await tenant.PostAsJsonAsync("/v1/keys", new { name = "console" });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var key = JsonNode.Parse(await created.Content.ReadAsStringAsync())!;
        using var browser = new ConsoleBrowser(gateway);
        Assert.Equal(200, (await browser.SignInAsync((string)key["key"]!)).Status);
        Assert.Equal(200, (await browser.GetAsync("/console/api/jobs")).Status);

        using var revoked = await tenant.DeleteAsync($"/v1/keys/{(string)key["id"]!}");
        Assert.Equal(HttpStatusCode.OK, revoked.StatusCode);
        Assert.Equal(401, (await browser.GetAsync("/console/api/jobs")).Status);
        Assert.Equal(401, (await browser.GetAsync("/console/session", csrf: null)).Status);
    }

    [Fact]
    public void A_session_past_its_expiry_or_sealed_under_another_secret_is_none()
    {
        var clock = new MovableClock(TimeProvider.System.GetUtcNow());
        var secret = new byte[32];
        var sessions = new ConsoleSessions(() => secret, clock);
        var response = new DefaultHttpContext();
        var session = sessions.SignIn(response, Gateway.Key, admin: false);
        var cookie = response.Response.Headers.SetCookie.ToString().Split(';')[0];

        HttpRequest Request()
        {
            var context = new DefaultHttpContext();
            context.Request.Headers.Cookie = cookie;
            return context.Request;
        }

        Assert.Equal(session, sessions.Read(Request()));
        clock.Now += ConsoleSessions.Lifetime - TimeSpan.FromSeconds(1);
        Assert.NotNull(sessions.Read(Request()));
        clock.Now += TimeSpan.FromSeconds(2);
        Assert.Null(sessions.Read(Request()));

        clock.Now -= TimeSpan.FromHours(1);
        Assert.Null(new ConsoleSessions(() => new byte[32].Select(_ => (byte)7).ToArray(), clock).Read(Request())); // another store's cookie
    }

    [Fact]
    public async Task The_page_is_served_with_a_strict_content_security_policy()
    {
        await using var gateway = await Gateway.StartInstantAsync();
        using var http = gateway.Client(null);
        using var page = await http.GetAsync("/console");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
        var csp = page.Headers.GetValues("Content-Security-Policy").Single();
        Assert.Contains("default-src 'none'", csp, StringComparison.Ordinal);
        Assert.Contains("script-src 'self';", csp, StringComparison.Ordinal); // no inline script, no eval
        Assert.Contains("frame-ancestors 'none'", csp, StringComparison.Ordinal);
        Assert.DoesNotContain("unsafe", csp, StringComparison.Ordinal);
        Assert.Equal("nosniff", page.Headers.GetValues("X-Content-Type-Options").Single());

        using var script = await http.GetAsync("/console/assets/console.js");
        Assert.Equal("text/javascript", script.Content.Headers.ContentType?.MediaType);
        Assert.DoesNotContain("innerHTML", await script.Content.ReadAsStringAsync(), StringComparison.Ordinal); // output as text only
        using var missing = await http.GetAsync("/console/assets/nothing.js");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
    }

    [Fact]
    public async Task Console_reads_are_the_callers_own_and_the_admin_names_the_account_it_looks_at()
    {
        await using var gateway = await Gateway.StartInstantAsync();
        var other = "other-" + Guid.NewGuid().ToString("n")[..6];
        using var tenant = await gateway.AddTenantAsync(other);
        var (_, created) = await gateway.PostAsync(Tasks, new
        {
            model = "seedance-2.0-fast",
            content = new object[] { new { type = "text", text = "another account's lighthouse" } },
        }, tenant);
        var theirs = (string)created["id"]!;
        await gateway.WaitArkAsync(theirs, tenant);

        using var browser = new ConsoleBrowser(gateway);
        await browser.SignInAsync(Gateway.Key);
        var (status, body) = await browser.GetAsync("/console/api/jobs/" + theirs);
        Assert.Equal((404, "NotFound"), (status, (string?)body["error"]!["code"]));
        Assert.Equal(0, (int)(await browser.GetAsync("/console/api/jobs?q=lighthouse")).Body["total"]!);
        Assert.Equal(403, (await browser.GetAsync("/console/api/operator")).Status);

        using var admin = new ConsoleBrowser(gateway);
        var (_, session) = await admin.SignInAsync(Gateway.AdminKey);
        Assert.Equal("admin", (string?)session["role"]);
        admin.Account = other;
        var (found, detail) = await admin.GetAsync($"/console/api/jobs/{theirs}");
        Assert.Equal(200, found);
        Assert.Equal("another account's lighthouse", (string?)detail["job"]!["prompt"]);
        Assert.Equal("succeeded", (string?)detail["job"]!["status"]);
        Assert.Equal(other, (string?)detail["job"]!["account_id"]);
        Assert.Equal("seedance-2.0-fast", (string?)detail["request"]!["model"]);
        Assert.Equal(1, (int)detail["attempts"]!);
        Assert.StartsWith(gateway.BaseAddress.AbsoluteUri.TrimEnd('/') + "/files/", (string?)detail["outputs"]!["video_url"], StringComparison.Ordinal);
        // The admin key reads the account's public routes too (its usage, its task), and changes nothing there.
        var (usageStatus, usage) = await admin.GetAsync("/v1/usage");
        Assert.Equal((200, other), (usageStatus, (string?)usage["account_id"]));
        Assert.Equal(200, (await admin.GetAsync($"{Tasks}/{theirs}")).Status);
        var (deleteStatus, refused) = await admin.SendAsync(HttpMethod.Delete, $"{Tasks}/{theirs}");
        Assert.Equal((403, "AccessDenied"), (deleteStatus, (string?)refused["error"]!["code"]));
        Assert.Equal("succeeded", (string?)(await gateway.GetAsync($"{Tasks}/{theirs}", tenant)).Body["status"]);

        // An account's key naming another account is still its own account.
        browser.Account = other;
        Assert.Equal(404, (await browser.GetAsync($"{Tasks}/{theirs}")).Status);
        Assert.Equal("default", (string?)(await browser.GetAsync("/v1/usage")).Body["account_id"]);

        var (_, operatorPage) = await admin.GetAsync("/console/api/operator");
        var row = operatorPage["accounts"]!.AsArray().Single(a => (string?)a!["account"]!["id"] == other)!;
        Assert.Equal(0, (int)row["queued"]!);
        Assert.Equal("ready", (string?)operatorPage["health"]!["status"]);
    }
}
