using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Seedgate.Server.Tests.Infrastructure;

/// <summary>A real gateway on 127.0.0.1 (free port) over a fresh data directory, and an HTTP client with a key.</summary>
public sealed class Gateway : IAsyncDisposable
{
    public const string Key = "sg-test-0123456789abcdefghijklmnopqrstuvwxyz";

    /// <summary>The admin key of test gateways (SEEDGATE_ADMIN_KEY).</summary>
    public const string AdminKey = "sg-admin-test-0123456789abcdefghijklmnop";

    private readonly WebApplication _app;
    private readonly bool _ownsDataDirectory;

    private Gateway(WebApplication app, string dataDirectory, bool ownsDataDirectory)
    {
        _app = app;
        _ownsDataDirectory = ownsDataDirectory;
        DataDirectory = dataDirectory;
        BaseAddress = new Uri(app.Urls.First(u => u.StartsWith("http://", StringComparison.Ordinal)));
        Http = Client(Key);
        Admin = Client(AdminKey);
    }

    public Uri BaseAddress { get; }
    public HttpClient Http { get; }

    /// <summary>A client that sends the admin key.</summary>
    public HttpClient Admin { get; }
    public string DataDirectory { get; }
    public IServiceProvider Services => _app.Services;

    /// <summary>A client of this gateway that sends <paramref name="key"/> (none when null); the caller disposes it.</summary>
    public HttpClient Client(string? key)
    {
        var http = new HttpClient(new SocketsHttpHandler()) { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(120) };
        if (key is not null)
        {
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        }

        return http;
    }

    /// <summary>A new account with one API key, and a client that sends it (for tests about a second tenant).</summary>
    public async Task<HttpClient> AddTenantAsync(string accountId)
    {
        var accounts = Services.GetRequiredService<Seedgate.Core.Accounts.IAccountStore>();
        await accounts.EnsureAccountAsync(accountId, accountId, DateTimeOffset.UnixEpoch, default);
        var (key, record) = Seedgate.Core.Accounts.ApiKeys.Create(accountId, "test", DateTimeOffset.UnixEpoch);
        await accounts.AddApiKeyAsync(record, default);
        return Client(key);
    }

    /// <summary>
    /// The default plan of test gateways: limits no test meets unless it is about them (it then sets its own, after
    /// these). The shipped defaults (2 creates/s, 3 in progress) are tested where they matter.
    /// </summary>
    public static readonly string[] GenerousPlan =
    [
        "--Seedgate:Plans:default:Qps=100000", "--Seedgate:Plans:default:PollQps=100000", "--Seedgate:Plans:default:MaxInProgress=1000",
        "--Seedgate:Plans:default:MaxQueued=100000", "--Seedgate:Plans:default:MaxPriority=9",
    ];

    /// <summary>Starts a gateway over a fresh data directory; extra configuration as --Section:Key=value.</summary>
    public static Task<Gateway> StartAsync(params string[] configuration) =>
        StartAsync(Path.Combine(Path.GetTempPath(), "seedgate-tests", Guid.NewGuid().ToString("n")), ownsDataDirectory: true, configuration);

    /// <summary>
    /// Starts a gateway on a port known before it starts, given to <paramref name="configuration"/> (for configuration
    /// that names the gateway's own URL, such as Seedgate:PublicBaseUrl).
    /// </summary>
    public static Task<Gateway> StartAsync(Func<Uri, string[]> configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var url = new Uri($"http://127.0.0.1:{((System.Net.IPEndPoint)listener.LocalEndpoint).Port}");
        listener.Stop();
        return StartAsync(Path.Combine(Path.GetTempPath(), "seedgate-tests", Guid.NewGuid().ToString("n")), ownsDataDirectory: true, configuration(url), url);
    }

    /// <summary>
    /// Starts another node on this gateway's data directory (its SQLite file), as a second process on the machine
    /// would: API-only, with its own node id. The directory stays this gateway's.
    /// </summary>
    public Task<Gateway> StartSiblingAsync(params string[] configuration) =>
        StartAsync(DataDirectory, ownsDataDirectory: false, ["--Seedgate:NodeId=sibling-" + Guid.NewGuid().ToString("n")[..8], "--Seedgate:Dispatch:Enabled=false", .. configuration]);

    private static async Task<Gateway> StartAsync(string dataDirectory, bool ownsDataDirectory, string[] configuration, Uri? url = null)
    {
        var app = SeedgateServer.Build(
            new ServeOptions(
                [url?.AbsoluteUri.TrimEnd('/') ?? "http://127.0.0.1:0"],
                dataDirectory,
                [$"--{SeedgateServer.ApiKeyVariable}={Key}", $"--{SeedgateServer.AdminKeyVariable}={AdminKey}",
                    "--Seedgate:Fetch:AllowedNetworks:0=127.0.0.1/32", "--Logging:LogLevel:Default=Warning", .. GenerousPlan, .. configuration]));
        await app.StartAsync();
        return new Gateway(app, dataDirectory, ownsDataDirectory);
    }

    /// <summary>
    /// Starts a gateway whose Fast and Standard models are made by the instant test engine: no rendering, a placeholder
    /// output of exactly the requested length, so its cost is known. Image- and video-to-video models still render
    /// (and fetch their references).
    /// </summary>
    public static async Task<Gateway> StartInstantAsync(params string[] configuration)
    {
        var catalog = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(AppContext.BaseDirectory, "catalog.json")))!;
        foreach (var model in catalog["models"]!.AsArray())
        {
            if ((string?)model!["id"] is "seedance-2.0-fast" or "seedance-2.0")
            {
                model["route"]!["engine"] = "instant-test";
            }
        }

        var path = Path.Combine(Path.GetTempPath(), "seedgate-tests", $"catalog-{Guid.NewGuid():n}.json");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        await File.WriteAllTextAsync(path, catalog.ToJsonString());
        return await StartAsync([$"--Seedgate:CatalogPath={path}", "--Seedgate:Engines:InstantTest:Enabled=true", .. configuration]);
    }

    public async Task<(int Status, JsonObject Body)> PostAsync(string path, object body, HttpClient? client = null)
    {
        using var response = await (client ?? Http).PostAsJsonAsync(path, body);
        return ((int)response.StatusCode, await ReadObjectAsync(response));
    }

    /// <summary>Any method, with a JSON body when one is given.</summary>
    public async Task<(int Status, JsonObject Body)> SendAsync(HttpMethod method, string path, object? body = null, HttpClient? client = null)
    {
        using var request = new HttpRequestMessage(method, path) { Content = body is null ? null : JsonContent.Create(body) };
        using var response = await (client ?? Http).SendAsync(request);
        return ((int)response.StatusCode, await ReadObjectAsync(response));
    }

    public async Task<(int Status, JsonObject Body)> GetAsync(string path, HttpClient? client = null)
    {
        using var response = await (client ?? Http).GetAsync(path);
        return ((int)response.StatusCode, await ReadObjectAsync(response));
    }

    /// <summary>
    /// Long-polls an Ark task until it is terminal (bounded: fails the test after two minutes), as the client's account
    /// (by default the test key's).
    /// </summary>
    public async Task<JsonObject> WaitArkAsync(string id, HttpClient? client = null)
    {
        for (var i = 0; i < 4; i++)
        {
            var (status, task) = await GetAsync($"/api/v3/contents/generations/tasks/{id}?wait=30", client);
            Assert.Equal(200, status);
            if ((string?)task["status"] is "succeeded" or "failed" or "cancelled" or "expired")
            {
                return task;
            }
        }

        throw new TimeoutException($"Task {id} did not finish in time.");
    }

    /// <summary>Downloads a URL (no auth: links are signed) into a temp file and returns its path.</summary>
    public async Task<string> DownloadAsync(string url, string extension = ".mp4")
    {
        using var anonymous = new HttpClient(new SocketsHttpHandler());
        var path = Path.Combine(DataDirectory, "downloads", Guid.NewGuid().ToString("n") + extension);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        await using var file = File.Create(path);
        using var response = await anonymous.GetAsync(url);
        Assert.Equal(200, (int)response.StatusCode);
        await response.Content.CopyToAsync(file);
        return path;
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        Admin.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
        if (!_ownsDataDirectory)
        {
            return;
        }

        try
        {
            Directory.Delete(DataDirectory, recursive: true);
        }
        catch (IOException)
        {
            // A file still open by a dying process; the temp folder is cleaned by the OS later.
        }
    }

    private static async Task<JsonObject> ReadObjectAsync(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        return text.Length == 0 ? [] : JsonNode.Parse(text) as JsonObject ?? throw new JsonException($"Not a JSON object: {text}");
    }
}
