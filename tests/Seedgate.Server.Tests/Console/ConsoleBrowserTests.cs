using System.Text.RegularExpressions;
using Deque.AxeCore.Playwright;
using Microsoft.Playwright;
using Seedgate.Server.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace Seedgate.Server.Tests.Console;

/// <summary>
/// The console in a real browser (issue 13 §5): Debian's Chromium, driven by Playwright, against a real gateway on
/// loopback with the sandbox engine. Each page's screenshot goes to SEEDGATE_SCREENSHOTS (default: a temp directory);
/// docs/console.md shows the ones taken with it set to docs/console.
/// </summary>
[Collection(InChromium.Name)]
public sealed class ConsoleBrowserTests(Chromium chromium)
{
    private const string Tasks = "/api/v3/contents/generations/tasks";

    private static readonly string Screenshots =
        Environment.GetEnvironmentVariable("SEEDGATE_SCREENSHOTS") is { Length: > 0 } dir ? dir : Path.Combine(Path.GetTempPath(), "seedgate-console-screenshots");

    [Fact]
    public async Task A_user_signs_in_makes_a_video_from_the_form_watches_it_play_and_sees_its_cost()
    {
        // No free quota, so the job costs what the catalog says: 4 s of Fast at 480p is $0.04.
        await using var gateway = await Gateway.StartAsync("--Seedgate:Plans:default:FreeFastPerMonth=0");
        var page = await chromium.NewPageAsync();
        await SignInAsync(page, gateway, Gateway.Key);
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Jobs" })).ToBeVisibleAsync();

        await page.GetByRole(AriaRole.Link, new() { Name = "New video" }).ClickAsync();
        await page.GetByLabel("Prompt", new() { Exact = true }).FillAsync("A paper boat drifting down a rainy street");
        await page.GetByLabel("Resolution").SelectOptionAsync("480p");
        await page.GetByLabel("Duration (seconds)").FillAsync("4");
        await page.GetByLabel("Generate audio").UncheckAsync();
        await Expect(page.Locator("#estimate-amount")).ToHaveTextAsync("$0.04"); // the live estimate: $0.010/s × 4 s
        await ShotAsync(page, "new-video");
        await page.GetByRole(AriaRole.Button, new() { Name = "Make the video" }).ClickAsync();

        // The job page follows the job to its end without a reload.
        await Expect(page).ToHaveURLAsync(new Regex("#/jobs/cgt-"));
        var reloads = 0;
        page.Load += (_, _) => reloads++;
        await Expect(page.Locator("h1 .status")).ToHaveTextAsync("succeeded", new() { Timeout = 60_000 });
        Assert.Equal(0, reloads);

        // The player plays (frames decoded, time advancing) and seeks (Range requests to the signed link).
        var video = page.Locator("#player");
        await video.EvaluateAsync("v => { v.muted = true; return v.play(); }");
        await page.WaitForFunctionAsync("() => { const v = document.querySelector('#player'); return v.readyState >= 2 && v.currentTime > 0.3; }");
        await video.EvaluateAsync("v => v.pause()");
        await video.EvaluateAsync("v => { v.currentTime = 3; }");
        await page.WaitForFunctionAsync("() => { const v = document.querySelector('#player'); return !v.seeking && Math.abs(v.currentTime - 3) < 0.1 && v.readyState >= 2; }");
        await Expect(page.GetByText("$0.04").First).ToBeVisibleAsync(); // the final cost on the job page
        await ShotAsync(page, "job");

        await page.GetByRole(AriaRole.Link, new() { Name = "Usage" }).ClickAsync();
        await Expect(page.Locator("#usage-total")).ToHaveTextAsync("$0.04");
        await Expect(page.Locator("#usage-by-model")).ToContainTextAsync("seedance-2.0-fast");
        await Expect(page.Locator("#usage-by-model")).ToContainTextAsync("$0.04");
        await Expect(page.Locator("#usage-percentiles")).ToContainTextAsync("$0.04"); // one paid job: P50 = P95
        await Expect(page.Locator("svg.chart").First).ToBeVisibleAsync();
        await ShotAsync(page, "usage");

        await page.GetByRole(AriaRole.Link, new() { Name = "Jobs" }).ClickAsync();
        await Expect(page.Locator("tbody tr").First).ToContainTextAsync("A paper boat drifting");
        await ShotAsync(page, "jobs");

        // Signing out ends the session: the pages ask for a key again.
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();
        await Expect(page.GetByLabel("API key")).ToBeVisibleAsync();
        await page.GotoAsync(gateway.BaseAddress + "console#/usage");
        await Expect(page.GetByLabel("API key")).ToBeVisibleAsync();
    }

    [Fact]
    public async Task The_servers_field_error_appears_next_to_the_field_it_names()
    {
        await using var gateway = await Gateway.StartInstantAsync();
        var page = await chromium.NewPageAsync();
        await SignInAsync(page, gateway, Gateway.Key);
        await page.GotoAsync(gateway.BaseAddress + "console#/new");
        await page.GetByLabel("Prompt", new() { Exact = true }).FillAsync("too long a take");
        await page.GetByLabel("Duration (seconds)").FillAsync("99");
        await page.GetByRole(AriaRole.Button, new() { Name = "Make the video" }).ClickAsync();

        var error = page.Locator("#duration-error");
        await Expect(error).ToContainTextAsync("duration must be 4–15 seconds");
        await Expect(page.GetByLabel("Duration (seconds)")).ToHaveAttributeAsync("aria-invalid", "true");
        await Expect(page.GetByLabel("Duration (seconds)")).ToBeFocusedAsync();
        await Expect(page).ToHaveURLAsync(new Regex("#/new$")); // nothing was created
        await ShotAsync(page, "new-video-field-error");

        // A bad reference URL: the error sits by that reference's URL field (content[1] is the first reference).
        await page.GetByLabel("Duration (seconds)").FillAsync("5");
        await page.GetByRole(AriaRole.Button, new() { Name = "Add a reference" }).ClickAsync();
        await page.Locator("#ref-0-url").FillAsync("ftp://example.com/cat.png");
        await page.GetByRole(AriaRole.Button, new() { Name = "Make the video" }).ClickAsync();
        await Expect(page.Locator("#ref-0-url-error")).ToContainTextAsync("http");
    }

    [Fact]
    public async Task An_uploaded_reference_shows_as_a_thumbnail_and_make_another_sends_it_again()
    {
        await using var gateway = await Gateway.StartInstantAsync();
        var page = await chromium.NewPageAsync();
        await SignInAsync(page, gateway, Gateway.Key);
        await page.GotoAsync(gateway.BaseAddress + "console#/new");
        await page.GetByLabel("Prompt", new() { Exact = true }).FillAsync("a harbour from this picture");
        await page.GetByRole(AriaRole.Button, new() { Name = "Add a reference" }).ClickAsync();
        await page.Locator("#ref-0-file").SetInputFilesAsync(new FilePayload { Name = "harbour.png", MimeType = "image/png", Buffer = await Infrastructure.Media.PngAsync(960, 540) });
        await page.GetByRole(AriaRole.Button, new() { Name = "Make the video" }).ClickAsync();
        await Expect(page.Locator("h1 .status")).ToHaveTextAsync("succeeded");
        var first = page.Url;
        var thumbnail = page.Locator(".thumbs img");
        await Expect(thumbnail).ToHaveAttributeAsync("alt", "reference_image reference");
        await page.WaitForFunctionAsync("() => document.querySelector('.thumbs img').naturalWidth === 960");

        await page.GetByRole(AriaRole.Link, new() { Name = "Make another like this" }).ClickAsync();
        await Expect(page.GetByLabel("Prompt", new() { Exact = true })).ToHaveValueAsync("a harbour from this picture");
        await Expect(page.Locator("#ref-0-url-hint")).ToContainTextAsync("sent again");
        await page.GetByRole(AriaRole.Button, new() { Name = "Make the video" }).ClickAsync();
        await Expect(page.Locator("h1 .status")).ToHaveTextAsync("succeeded");
        Assert.NotEqual(first, page.Url);
        await page.WaitForFunctionAsync("() => document.querySelector('.thumbs img').naturalWidth === 960"); // its own copy of the upload
        await Expect(page.Locator("#prompt-text")).ToHaveTextAsync("a harbour from this picture");
    }

    [Fact]
    public async Task A_queued_job_is_cancelled_and_a_finished_one_deleted_from_the_list()
    {
        // No dispatcher: what is queued stays queued until cancelled.
        await using var gateway = await Gateway.StartInstantAsync("--Seedgate:Dispatch:Enabled=false");
        var (_, queued) = await gateway.PostAsync(Tasks, new { model = "seedance-2.0-fast", content = new object[] { new { type = "text", text = "waiting in line" } } });
        var id = (string)queued["id"]!;
        var page = await chromium.NewPageAsync();
        page.Dialog += (_, dialog) => dialog.AcceptAsync();
        await SignInAsync(page, gateway, Gateway.Key);
        var row = page.Locator($"tr[data-job='{id}']");
        await Expect(row.Locator(".status")).ToHaveTextAsync("queued");

        await row.GetByRole(AriaRole.Button, new() { Name = "Cancel " + id }).ClickAsync();
        await Expect(row.Locator(".status")).ToHaveTextAsync("cancelled");
        Assert.Equal("cancelled", (string?)(await gateway.GetAsync($"{Tasks}/{id}")).Body["status"]);
        await Expect(row.GetByRole(AriaRole.Button)).ToHaveCountAsync(0); // a cancelled task is neither cancelled nor deleted again

        await using var working = await Gateway.StartInstantAsync();
        var (_, done) = await working.PostAsync(Tasks, new { model = "seedance-2.0-fast", content = new object[] { new { type = "text", text = "finished" } } });
        var doneId = (string)done["id"]!;
        await working.WaitArkAsync(doneId);
        var other = await chromium.NewPageAsync();
        other.Dialog += (_, dialog) => dialog.AcceptAsync();
        await SignInAsync(other, working, Gateway.Key);
        await other.GetByRole(AriaRole.Button, new() { Name = "Delete " + doneId }).ClickAsync();
        await Expect(other.Locator($"tr[data-job='{doneId}']")).ToHaveCountAsync(0);
        Assert.Equal(404, (await working.GetAsync($"{Tasks}/{doneId}")).Status);
    }

    [Fact]
    public async Task A_key_made_in_the_console_works_until_it_is_revoked_there()
    {
        await using var gateway = await Gateway.StartInstantAsync();
        var page = await chromium.NewPageAsync();
        await SignInAsync(page, gateway, Gateway.Key);
        await page.GetByRole(AriaRole.Link, new() { Name = "Keys" }).ClickAsync();
        await page.GetByLabel("New key's name").FillAsync("render farm");
        await page.GetByRole(AriaRole.Button, new() { Name = "Create key" }).ClickAsync();
        var key = await page.Locator("#new-key").TextContentAsync();
        Assert.StartsWith("sg-", key, StringComparison.Ordinal);
        await Expect(page.Locator("tbody")).ToContainTextAsync("render farm");
        await Expect(page.Locator("tbody")).Not.ToContainTextAsync(key!); // listed by prefix only
        await ShotAsync(page, "keys");

        using var api = gateway.Client(key);
        Assert.Equal(200, (int)(await api.GetAsync("/v1/balance")).StatusCode);

        page.Dialog += (_, dialog) => dialog.AcceptAsync();
        await page.GetByRole(AriaRole.Button, new() { NameRegex = new Regex("^Revoke render farm") }).ClickAsync();
        await Expect(page.Locator("tbody")).ToContainTextAsync("revoked");
        Assert.Equal(401, (int)(await api.GetAsync("/v1/balance")).StatusCode);
        await page.ReloadAsync();
        await Expect(page.Locator("#new-key")).ToHaveCountAsync(0); // never shown again
    }

    [Fact]
    public async Task A_script_in_a_prompt_stays_text_and_another_accounts_job_is_not_found()
    {
        await using var gateway = await Gateway.StartInstantAsync();
        const string Hostile = "<script>window.__owned = 1</script><img src=x onerror=\"window.__owned = 2\"> a lighthouse";
        var (_, mine) = await gateway.PostAsync(Tasks, new { model = "seedance-2.0-fast", content = new object[] { new { type = "text", text = Hostile } } });
        await gateway.WaitArkAsync((string)mine["id"]!);
        using var other = await gateway.AddTenantAsync("other-" + Guid.NewGuid().ToString("n")[..6]);
        var (_, theirs) = await gateway.PostAsync(Tasks, new { model = "seedance-2.0-fast", content = new object[] { new { type = "text", text = "not yours" } } }, other);

        var page = await chromium.NewPageAsync();
        await SignInAsync(page, gateway, Gateway.Key);
        await Expect(page.Locator("td.prompt").First).ToHaveTextAsync(Hostile);
        await page.GotoAsync(gateway.BaseAddress + "console#/jobs/" + (string)mine["id"]!);
        await Expect(page.Locator("#prompt-text")).ToHaveTextAsync(Hostile);
        Assert.Equal("undefined", await page.EvaluateAsync<string>("() => typeof window.__owned"));
        Assert.Equal(0, await page.Locator("main script, main img[src='x']").CountAsync());

        await page.GotoAsync(gateway.BaseAddress + "console#/jobs/" + (string)theirs["id"]!);
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Task not found" })).ToBeVisibleAsync();
        await Expect(page.Locator("main")).Not.ToContainTextAsync("not yours");
    }

    [Fact]
    public async Task The_pages_read_at_a_phones_width_in_both_themes_and_the_operator_sees_every_account()
    {
        await using var gateway = await Gateway.StartInstantAsync();
        var (_, job) = await gateway.PostAsync(Tasks, new { model = "seedance-2.0-fast", content = new object[] { new { type = "text", text = "a narrow screen" } } });
        await gateway.WaitArkAsync((string)job["id"]!);
        using var hooks = await gateway.AddTenantAsync("hooks-" + Guid.NewGuid().ToString("n")[..6]);
        await gateway.PostAsync("/v1/webhooks", new { url = "http://127.0.0.1:9/hooks" });

        var phone = await chromium.NewPageAsync(width: 390, height: 844);
        await SignInAsync(phone, gateway, Gateway.Key);
        await Expect(phone.Locator("td.prompt").First).ToHaveTextAsync("a narrow screen");
        Assert.True(await phone.EvaluateAsync<bool>("() => document.documentElement.scrollWidth <= window.innerWidth + 1"), "no sideways scrolling of the page");
        await ShotAsync(phone, "jobs-phone");
        await phone.GotoAsync(gateway.BaseAddress + "console#/webhooks");
        await Expect(phone.GetByRole(AriaRole.Heading, new() { Name = "http://127.0.0.1:9/hooks" })).ToBeVisibleAsync();
        Assert.True(await phone.EvaluateAsync<bool>("() => document.documentElement.scrollWidth <= window.innerWidth + 1"), "the form fits too");
        await ShotAsync(phone, "webhooks");

        var page = await chromium.NewPageAsync(scheme: ColorScheme.Dark);
        await SignInAsync(page, gateway, Gateway.AdminKey);
        Assert.Equal("rgb(15, 20, 25)", await page.EvaluateAsync<string>("() => getComputedStyle(document.body).backgroundColor")); // the dark theme
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Operator" })).ToBeVisibleAsync();
        await Expect(page.Locator("main")).ToContainTextAsync("ready");
        await Expect(page.Locator("main")).ToContainTextAsync("hooks-");
        await ShotAsync(page, "operator");
        await page.GetByRole(AriaRole.Button, new() { Name = "View jobs of default" }).ClickAsync();
        await Expect(page.Locator("td.prompt").First).ToHaveTextAsync("a narrow screen");
        await page.GetByRole(AriaRole.Link, new() { Name = "Webhooks" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "http://127.0.0.1:9/hooks" })).ToBeVisibleAsync(); // the account's, read-only
        await Expect(page.GetByLabel("New endpoint URL")).ToHaveCountAsync(0);
        await page.GetByRole(AriaRole.Link, new() { Name = "Jobs" }).ClickAsync();
        await Expect(page.Locator("td.prompt").First).ToHaveTextAsync("a narrow screen");
        await Expect(page.Locator("#view")).ToBeFocusedAsync();

        // Keyboard only: a new page puts the focus on its content; Tab reaches its controls, Shift+Tab the header's.
        await page.Keyboard.PressAsync("Tab");
        await Expect(page.GetByLabel("Status")).ToBeFocusedAsync();
        await page.Keyboard.PressAsync("Shift+Tab");
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Sign out" })).ToBeFocusedAsync();
        await page.Keyboard.PressAsync("Shift+Tab");
        await Expect(page.GetByRole(AriaRole.Link, new() { Name = "Webhooks" })).ToBeFocusedAsync();
        await page.Keyboard.PressAsync("Enter");
        await Expect(page).ToHaveURLAsync(new Regex("#/webhooks$"));
    }

    [Theory]
    [InlineData(ColorScheme.Light)]
    [InlineData(ColorScheme.Dark)]
    public async Task Every_page_passes_the_axe_accessibility_rules(ColorScheme scheme)
    {
        await using var gateway = await Gateway.StartInstantAsync();
        var (_, job) = await gateway.PostAsync(Tasks, new { model = "seedance-2.0-fast", content = new object[] { new { type = "text", text = "an accessible harbour" } } });
        var id = (string)job["id"]!;
        await gateway.WaitArkAsync(id);
        await gateway.PostAsync("/v1/webhooks", new { url = "http://127.0.0.1:9/hooks" });
        await gateway.PostAsync("/v1/keys", new { name = "ci" });

        var page = await chromium.NewPageAsync(scheme: scheme);
        var violations = new List<string>();
        async Task CheckAsync(string route, string ready)
        {
            await page.GotoAsync(gateway.BaseAddress + "console" + route);
            await Expect(page.Locator(ready).First).ToBeVisibleAsync();
            var result = await page.RunAxe();
            violations.AddRange(result.Violations.Select(v => $"{route}: {v.Id} ({v.Impact}) {v.Help} — {string.Join(" | ", v.Nodes.Select(n => n.Html))}"));
        }

        await CheckAsync("#/signin", "#key");
        await SignInAsync(page, gateway, Gateway.Key);
        await CheckAsync("#/jobs", "td.prompt");
        await CheckAsync("#/jobs/" + id, "#prompt-text");
        await CheckAsync("#/new", "#estimate-amount");
        await CheckAsync("#/usage", "#usage-total");
        await CheckAsync("#/keys", "tbody tr");
        await CheckAsync("#/webhooks", "h2");
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();
        await SignInAsync(page, gateway, Gateway.AdminKey);
        await CheckAsync("#/operator", "tbody tr");
        Assert.True(violations.Count == 0, string.Join("\n", violations));
    }

    private static async Task SignInAsync(IPage page, Gateway gateway, string key)
    {
        await page.GotoAsync(gateway.BaseAddress + "console");
        await Expect(page.GetByLabel("API key")).ToBeVisibleAsync();
        if (!File.Exists(Path.Combine(Screenshots, "sign-in.png")))
        {
            await ShotAsync(page, "sign-in");
        }

        await page.GetByLabel("API key").FillAsync(key);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Sign out" })).ToBeVisibleAsync();
        Assert.DoesNotContain(key, page.Url, StringComparison.Ordinal);
        var cookie = (await page.Context.CookiesAsync()).Single(c => c.Name == Seedgate.Server.WebConsole.ConsoleSessions.CookieName);
        Assert.True(cookie.HttpOnly);
        Assert.Equal(SameSiteAttribute.Strict, cookie.SameSite);
        Assert.Equal("undefined", await page.EvaluateAsync<string>("() => typeof document.cookie.split('; ').find(c => c.startsWith('seedgate_console='))"));
    }

    private static async Task ShotAsync(IPage page, string name)
    {
        Directory.CreateDirectory(Screenshots);
        await page.ScreenshotAsync(new() { Path = Path.Combine(Screenshots, name + ".png"), FullPage = true });
    }
}
