using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Seedgate.Core.Generation;
using Seedgate.Core.Media;

namespace Seedgate.Core.Tests.Fetch;

public sealed class ReferenceFetcherTests(FetchTestServer server) : IClassFixture<FetchTestServer>, IDisposable
{
    private const string Param = "content[1].image_url.url";
    private const long Limit = FetchTestServer.BodySize;

    private readonly string _dir = Directory.CreateTempSubdirectory("seedgate-fetch-").FullName;

    private string Destination => Path.Combine(_dir, "ref.bin");

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task Fetches_a_loopback_url_when_its_network_is_allowed()
    {
        await using var services = Build();
        var fetcher = services.GetRequiredService<ReferenceFetcher>();

        var result = await fetcher.FetchToFileAsync(server.Url("/ok"), Destination, Limit, Param, default);

        Assert.Equal(FetchTestServer.BodySize, result.Bytes);
        Assert.Equal("image/png", result.MediaType);
        Assert.Equal(FetchTestServer.Body, await File.ReadAllBytesAsync(Destination));
        Assert.Equal(new[] { Destination }, Directory.GetFiles(_dir));
    }

    [Fact]
    public async Task Refuses_a_loopback_url_by_default_without_connecting()
    {
        await using var services = Build(allowLoopback: false);
        var fetcher = services.GetRequiredService<ReferenceFetcher>();
        var connectionsBefore = server.Connections;

        var error = await FailsAsync(fetcher, server.Url("/ok"));

        AssertBlocked(error);
        Assert.Equal(connectionsBefore, server.Connections);
        Assert.False(File.Exists(Destination));
    }

    [Fact]
    public async Task Refuses_a_host_name_that_resolves_to_loopback_at_connect_time()
    {
        // The name passes the cheap submit-time check; only the ConnectCallback, which sees the resolved
        // address, can refuse it. The server is really there, and still sees no connection.
        await using var services = Build(allowLoopback: false);
        var fetcher = services.GetRequiredService<ReferenceFetcher>();
        Assert.Null(fetcher.CheckUrl($"http://loopback.test:{server.Port}/ok", Param));
        var connectionsBefore = server.Connections;

        var error = await FailsAsync(fetcher, new Uri($"http://loopback.test:{server.Port}/ok"));

        AssertBlocked(error);
        Assert.Contains("loopback.test", error.Message);
        Assert.Equal(connectionsBefore, server.Connections);
    }

    [Fact]
    public async Task Connects_only_to_the_allowed_one_of_several_resolved_addresses()
    {
        await using var services = Build();
        var fetcher = services.GetRequiredService<ReferenceFetcher>();

        var result = await fetcher.FetchToFileAsync(
            new Uri($"http://mixed.test:{server.Port}/ok"), Destination, Limit, Param, default);

        Assert.Equal(FetchTestServer.BodySize, result.Bytes);
    }

    [Theory]
    [InlineData("http://169.254.169.254/latest/meta-data/")]
    [InlineData("http://metadata.test/latest/meta-data/")]
    [InlineData("http://10.0.0.1/")]
    [InlineData("http://127.0.0.2/")]
    public async Task Refuses_a_redirect_from_an_allowed_host_to_a_refused_address(string target)
    {
        await using var services = Build();
        var fetcher = services.GetRequiredService<ReferenceFetcher>();
        var marker = Guid.NewGuid().ToString("N");

        var error = await FailsAsync(fetcher, server.Url($"/redirect?to={Uri.EscapeDataString(target)}&m={marker}"));

        AssertBlocked(error);
        Assert.Single(server.Requests, r => r.Contains(marker, StringComparison.Ordinal));
        Assert.Empty(Directory.GetFiles(_dir));
    }

    [Fact]
    public async Task Refuses_a_redirect_to_a_scheme_other_than_http()
    {
        await using var services = Build();
        var fetcher = services.GetRequiredService<ReferenceFetcher>();

        var error = await FailsAsync(fetcher, server.Url($"/redirect?to={Uri.EscapeDataString("file:///etc/passwd")}"));

        Assert.Equal(ErrorCodes.InvalidParameter, error.Code);
        Assert.Equal(FailureClass.Permanent, error.Class);
        Assert.Contains("'file'", error.Message);
    }

    [Fact]
    public async Task Follows_redirects_up_to_the_limit_and_resolves_relative_locations()
    {
        await using var services = Build();
        var fetcher = services.GetRequiredService<ReferenceFetcher>();

        var result = await fetcher.FetchToFileAsync(server.Url("/chain/0?stop=3"), Destination, Limit, Param, default);

        Assert.Equal(server.Url("/chain/3?stop=3"), result.FinalUrl);
        Assert.Equal(FetchTestServer.Body, await File.ReadAllBytesAsync(Destination));
    }

    [Fact]
    public async Task Refuses_a_redirect_chain_longer_than_the_limit()
    {
        await using var services = Build();
        var fetcher = services.GetRequiredService<ReferenceFetcher>();

        var error = await FailsAsync(fetcher, server.Url("/chain/0?stop=4"));

        Assert.Equal(ErrorCodes.InvalidParameter, error.Code);
        Assert.Equal(FailureClass.Permanent, error.Class);
        Assert.Contains("too many redirects", error.Message);
        Assert.DoesNotContain(server.Requests, r => r.StartsWith("/chain/4?stop=4", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("/big-length")]
    [InlineData("/big-chunked")]
    public async Task Refuses_a_body_over_the_limit_and_leaves_no_file(string path)
    {
        await using var services = Build();
        var fetcher = services.GetRequiredService<ReferenceFetcher>();

        var error = await FailsAsync(fetcher, server.Url(path));

        Assert.Equal(ErrorCodes.InvalidParameter, error.Code);
        Assert.Equal(FailureClass.Permanent, error.Class);
        Assert.Contains($"limit of {Limit} bytes", error.Message);
        Assert.Empty(Directory.GetFileSystemEntries(_dir));
    }

    [Theory]
    [InlineData(404)]
    [InlineData(403)]
    [InlineData(410)]
    public async Task Client_errors_are_permanent(int status)
    {
        await using var services = Build();
        var fetcher = services.GetRequiredService<ReferenceFetcher>();

        var error = await FailsAsync(fetcher, server.Url($"/status/{status}"));

        Assert.Equal(ErrorCodes.InvalidParameter, error.Code);
        Assert.Equal(FailureClass.Permanent, error.Class);
        Assert.Contains($"HTTP {status}", error.Message);
    }

    [Theory]
    [InlineData(500)]
    [InlineData(503)]
    [InlineData(429)]
    public async Task Server_errors_and_rate_limits_are_transient(int status)
    {
        await using var services = Build();
        var fetcher = services.GetRequiredService<ReferenceFetcher>();

        var error = await FailsAsync(fetcher, server.Url($"/status/{status}"));

        Assert.Equal(FailureClass.Transient, error.Class);
        Assert.Equal(ErrorCodes.ServiceUnavailable, error.Code);
        Assert.Contains($"HTTP {status}", error.Message);
    }

    [Theory]
    [InlineData("/slow-headers")]
    [InlineData("/slow-body")]
    public async Task A_slow_server_is_a_transient_timeout(string path)
    {
        await using var services = Build(timeout: "00:00:00.300");
        var fetcher = services.GetRequiredService<ReferenceFetcher>();
        var clock = Stopwatch.StartNew();

        var error = await FailsAsync(fetcher, server.Url(path));

        Assert.Equal(ErrorCodes.Timeout, error.Code);
        Assert.Equal(FailureClass.Transient, error.Class);
        Assert.InRange(clock.Elapsed, TimeSpan.FromMilliseconds(250), TimeSpan.FromSeconds(5));
        Assert.Empty(Directory.GetFileSystemEntries(_dir));
    }

    [Fact]
    public async Task The_callers_cancellation_is_not_reported_as_a_timeout()
    {
        await using var services = Build();
        var fetcher = services.GetRequiredService<ReferenceFetcher>();
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(
            () => fetcher.FetchToFileAsync(server.Url("/slow-headers"), Destination, Limit, Param, cancel.Token));
    }

    [Fact]
    public async Task A_refused_connection_is_transient()
    {
        await using var services = Build();
        var fetcher = services.GetRequiredService<ReferenceFetcher>();

        var error = await FailsAsync(fetcher, new Uri($"http://127.0.0.1:{ClosedPort()}/ok"));

        Assert.Equal(ErrorCodes.ServiceUnavailable, error.Code);
        Assert.Equal(FailureClass.Transient, error.Class);
    }

    [Fact]
    public async Task A_malformed_allow_list_entry_stops_start_up_with_its_position()
    {
        await using var services = Build(extra: new() { ["Seedgate:Fetch:AllowedNetworks:1"] = "10.0.0.1/8" });

        var ex = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<ReferenceFetcher>());

        Assert.Contains("Seedgate:Fetch:AllowedNetworks[1]", ex.Message);
        Assert.Contains("10.0.0.1/8", ex.Message);
    }

    [Fact]
    public async Task Options_are_bound_from_configuration()
    {
        await using var services = Build(extra: new()
        {
            ["Seedgate:Fetch:MaxVideoBytes"] = "123",
            ["Seedgate:Fetch:MaxRedirects"] = "1",
            ["Seedgate:Fetch:UserAgent"] = "test-agent",
        });

        var options = services.GetRequiredService<ReferenceFetcher>().Options;

        Assert.Equal(123, options.MaxBytesFor(ReferenceKind.Video));
        Assert.Equal(30L * 1024 * 1024, options.MaxBytesFor(ReferenceKind.Image));
        Assert.Equal(1, options.MaxRedirects);
        Assert.Equal("test-agent", options.UserAgent);
        Assert.Equal(new[] { "127.0.0.1/32" }, options.AllowedNetworks);
    }

    [Fact]
    public async Task A_host_that_does_not_resolve_fails_permanently_at_once()
    {
        await using var services = Build();
        var error = await FailsAsync(services.GetRequiredService<ReferenceFetcher>(), new Uri("http://no-such-host.test/a.png"));

        Assert.Equal((ErrorCodes.InvalidParameter, FailureClass.Permanent), (error.Code, error.Class));
        Assert.Contains("does not resolve", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Registering_twice_binds_the_options_once()
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["Seedgate:Fetch:AllowedNetworks:0"] = "127.0.0.1/32" })
            .Build();
        using var services = new ServiceCollection().AddReferenceFetcher(configuration).AddReferenceFetcher(configuration).BuildServiceProvider();

        Assert.Single(services.GetRequiredService<NetworkPolicy>().AllowedNetworks);
    }

    private async Task<SeedgateError> FailsAsync(ReferenceFetcher fetcher, Uri url)
    {
        var ex = await Assert.ThrowsAsync<SeedgateException>(
            () => fetcher.FetchToFileAsync(url, Destination, Limit, Param, default));
        Assert.Equal(Param, ex.Error.Param);
        Assert.False(File.Exists(Destination));
        return ex.Error;
    }

    private static void AssertBlocked(SeedgateError error)
    {
        Assert.Equal(ErrorCodes.InvalidParameter, error.Code);
        Assert.Equal(FailureClass.Permanent, error.Class);
        Assert.Contains("private or loopback address", error.Message);
        Assert.Contains("Seedgate:Fetch:AllowedNetworks", error.Message);
    }

    private static ServiceProvider Build(
        bool allowLoopback = true, string timeout = "00:00:05", Dictionary<string, string?>? extra = null)
    {
        var settings = new Dictionary<string, string?> { ["Seedgate:Fetch:Timeout"] = timeout };
        if (allowLoopback)
        {
            settings["Seedgate:Fetch:AllowedNetworks:0"] = "127.0.0.1/32";
        }

        foreach (var (key, value) in extra ?? [])
        {
            settings[key] = value;
        }

        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection();

        // Names that resolve where a test needs them to, without touching real DNS.
        services.AddSingleton(new ReferenceHostResolver((host, _) => Task.FromResult(host switch
        {
            "loopback.test" => [IPAddress.Loopback],
            "metadata.test" => [IPAddress.Parse("169.254.169.254")],
            "mixed.test" => new[] { IPAddress.Parse("10.0.0.1"), IPAddress.Parse("::1"), IPAddress.Loopback },
            _ => throw new SocketException((int)SocketError.HostNotFound),
        })));
        services.AddReferenceFetcher(configuration);
        return services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
    }

    private static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
