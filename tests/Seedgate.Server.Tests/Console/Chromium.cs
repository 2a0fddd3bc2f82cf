using Microsoft.Playwright;

namespace Seedgate.Server.Tests.Console;

/// <summary>
/// One headless Chromium for the browser tests: Debian's /usr/bin/chromium (test.sh installs it; CHROMIUM_PATH
/// overrides), driven by Playwright without any browser download. Each test opens its own context (cookies, storage).
/// </summary>
public sealed class Chromium : IAsyncLifetime
{
    private IPlaywright? _playwright;
    private IBrowser? _browser;

    public async Task InitializeAsync()
    {
        var executable = Environment.GetEnvironmentVariable("CHROMIUM_PATH") is { Length: > 0 } path ? path : "/usr/bin/chromium";
        if (!File.Exists(executable))
        {
            throw new InvalidOperationException($"Chromium is not at {executable}: apt-get install -y chromium (test.sh does), or set CHROMIUM_PATH.");
        }

        _playwright = await Playwright.CreateAsync();
        _browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = executable,
            Headless = true, // as root, Playwright adds --no-sandbox itself
            Timeout = 60_000,
        });
    }

    /// <summary>A fresh browser context at a laptop's 1280×800 (or a phone's size), in the system's light or dark theme.</summary>
    public async Task<IPage> NewPageAsync(int width = 1280, int height = 800, ColorScheme scheme = ColorScheme.Light)
    {
        var context = await _browser!.NewContextAsync(new BrowserNewContextOptions
        {
            ViewportSize = new ViewportSize { Width = width, Height = height },
            ColorScheme = scheme,
        });
        context.SetDefaultTimeout(30_000);
        return await context.NewPageAsync();
    }

    public async Task DisposeAsync()
    {
        if (_browser is not null)
        {
            await _browser.CloseAsync();
        }

        _playwright?.Dispose();
    }
}

[CollectionDefinition(Name)]
public sealed class InChromium : ICollectionFixture<Chromium>
{
    public const string Name = "chromium";
}
