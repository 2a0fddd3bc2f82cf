using System.Globalization;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Seedgate.Core.Catalog;
using Seedgate.Core.Media;
using Seedgate.Core.Sandbox;

namespace Seedgate.Server.Simulator;

/// <summary>
/// A stand-in for the BytePlus ModelArk / Volcano Ark Seedance service: the Ark task API (create, get, list, cancel or
/// delete) with real MP4s rendered by the sandbox renderer, and the limits, faults, delays, expiring links, callbacks
/// and odd answers of the real one, each configurable (<see cref="SimulatorOptions"/>). For tests, benchmarks and
/// rehearsing a pipeline offline. All state is in memory; only rendered files go to disk.
/// </summary>
/// <example>
/// <code>
/// await using var upstream = await UpstreamSimulator.StartAsync(new SimulatorOptions { Urls = ["http://127.0.0.1:0"], LatencyMs = 200 }, ct);
/// // POST {upstream.BaseUrl}contents/generations/tasks with "Authorization: Bearer any-key" …
/// var stats = upstream.Stats();
/// </code>
/// </example>
public sealed class UpstreamSimulator : IAsyncDisposable
{
    /// <summary>The frame rate of every simulated output (as Seedance's).</summary>
    public const int FramesPerSecond = 24;

    private static readonly TimeSpan DrainLimit = TimeSpan.FromSeconds(10);

    private readonly WebApplication _app;
    private readonly SimulatedTasks _tasks;
    private readonly BackgroundWork _background;
    private readonly CancellationTokenSource _stopping;
    private readonly TimeProvider _time;
    private readonly string? _ownedDataDirectory;
    private int _disposed;

    private UpstreamSimulator(
        WebApplication app, SimulatedTasks tasks, BackgroundWork background, CancellationTokenSource stopping, TimeProvider time,
        string dataDirectory, string? ownedDataDirectory, Uri root)
    {
        _app = app;
        _tasks = tasks;
        _background = background;
        _stopping = stopping;
        _time = time;
        _ownedDataDirectory = ownedDataDirectory;
        DataDirectory = dataDirectory;
        RootUrl = root;
        BaseUrl = new Uri(root, SimulatorEndpoints.ApiRoot.TrimStart('/') + "/");
    }

    /// <summary>The Ark API base, e.g. <c>http://127.0.0.1:9090/api/v3/</c> (the bound port when 0 was asked for).</summary>
    public Uri BaseUrl { get; }

    /// <summary>The server root, e.g. <c>http://127.0.0.1:9090/</c>: <c>_sim/stats</c>, <c>_sim/reset</c> and <c>_sim/files/…</c> are under it.</summary>
    public Uri RootUrl { get; }

    /// <summary>Where rendered files are written.</summary>
    public string DataDirectory { get; }

    /// <summary>Starts a simulator; it listens until disposed.</summary>
    /// <exception cref="ArgumentException">The options are not usable (<see cref="SimulatorOptions.Problem"/>).</exception>
    /// <exception cref="IOException">An address cannot be bound (e.g. already in use).</exception>
    public static async Task<UpstreamSimulator> StartAsync(SimulatorOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Problem() is { } problem)
        {
            throw new ArgumentException(problem, nameof(options));
        }

        var time = options.TimeProvider ?? TimeProvider.System;
        var owned = options.DataDirectory is null ? Path.Combine(Path.GetTempPath(), "seedgate-simulator-" + Guid.NewGuid().ToString("n")) : null;
        var dataDirectory = Path.GetFullPath(options.DataDirectory ?? owned!);
        Directory.CreateDirectory(dataDirectory);

        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = ["--hostBuilder:reloadConfigOnChange=false"] });
        builder.WebHost.UseUrls([.. options.Urls]);
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Limits.MaxRequestBodySize = 64L * 1024 * 1024); // Ark's body limit
        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole(o =>
        {
            o.SingleLine = true;
            o.TimestampFormat = "HH:mm:ss ";
        });
        builder.Logging.SetMinimumLevel(options.LogLevel);
        builder.Logging.AddFilter("Microsoft", level => level >= LogLevel.Warning && level >= options.LogLevel);
        builder.Logging.AddFilter("System.Net.Http", level => level >= LogLevel.Warning && level >= options.LogLevel);
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(5));
        builder.Services.TryAddSingleton(time);
        builder.Services.TryAddSingleton(new FfmpegOptions());
        builder.Services.TryAddSingleton(sp => new Ffmpeg(
            sp.GetRequiredService<FfmpegOptions>(), sp.GetRequiredService<ILogger<Ffmpeg>>(), sp.GetRequiredService<TimeProvider>()));
        builder.Services.TryAddSingleton<SandboxRenderer>();
        builder.Services.AddHttpClient(CallbackSender.HttpClientName);

        var app = builder.Build();
        var stopping = new CancellationTokenSource();
        try
        {
            var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Seedgate.Simulator");
            var counters = new SimulatorCounters();
            var background = new BackgroundWork(logger);
            var callbacks = new CallbackSender(
                app.Services.GetRequiredService<IHttpClientFactory>(), counters, background, time, options.CallbackTimeout, logger, stopping.Token);
            var renderer = new TaskRenderer(app.Services.GetRequiredService<SandboxRenderer>(), ModelCatalog.LoadDefault(), dataDirectory, options.ReuseRenders, logger);
            var tasks = new SimulatedTasks(options, time, counters, renderer, callbacks, background, logger, stopping.Token);
            var bucket = options.Qps is { } qps ? new TokenBucket(qps, time) : null;
            new SimulatorEndpoints(tasks, counters, options, bucket, time, logger, stopping.Token).Map(app);
            app.Lifetime.ApplicationStopping.Register(stopping.Cancel);

            await app.StartAsync(cancellationToken);
            var simulator = new UpstreamSimulator(app, tasks, background, stopping, time, dataDirectory, owned, RootOf(app));
            logger.SimulatorStarted(simulator.BaseUrl, dataDirectory);
            return simulator;
        }
        catch
        {
            await stopping.CancelAsync();
            stopping.Dispose();
            await app.DisposeAsync();
            TryDelete(owned);
            throw;
        }
    }

    /// <summary>
    /// <c>seedgate simulate</c>: checks ffmpeg, starts, writes the base URL as a line to <paramref name="output"/> (a summary
    /// to <paramref name="error"/>) and runs until the token is cancelled (Ctrl+C). Returns an exit code.
    /// </summary>
    public static async Task<int> RunAsync(SimulatorOptions options, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);
        if (await Ffmpeg.CheckToolsAsync(new FfmpegOptions(), cancellationToken) is { } ffmpegProblem)
        {
            await error.WriteLineAsync($"seedgate simulate: cannot start: {ffmpegProblem}");
            return 1;
        }

        UpstreamSimulator simulator;
        try
        {
            simulator = await StartAsync(options, cancellationToken);
        }
        catch (IOException e)
        {
            await error.WriteLineAsync($"seedgate simulate: cannot listen: {e.Message}");
            return 1;
        }

        await using (simulator)
        {
            await output.WriteLineAsync(simulator.BaseUrl.ToString());
            await output.FlushAsync(cancellationToken);
            await error.WriteLineAsync(string.Create(
                CultureInfo.InvariantCulture,
                $"seedgate simulate: an Ark upstream at {simulator.BaseUrl} (stats: {simulator.RootUrl}_sim/stats); Ctrl+C stops it."));
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, simulator._app.Lifetime.ApplicationStopping);
            try
            {
                await Task.Delay(Timeout.InfiniteTimeSpan, simulator._time, stop.Token);
            }
            catch (OperationCanceledException)
            {
                // Ctrl+C, or the host was asked to stop (SIGTERM): both are how a simulator is meant to end.
            }
        }

        return 0;
    }

    /// <summary>What the simulator has seen since it started or <see cref="ResetStats"/> was last called.</summary>
    public SimulatorStats Stats() => _tasks.Stats();

    /// <summary>Clears the counters (not the tasks), as <c>POST /_sim/reset</c> does.</summary>
    public void ResetStats() => _tasks.ResetStats();

    /// <summary>Stops listening, ends hung requests, task runs and callback deliveries, and removes a temporary data directory.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _tasks.Stop();
        await _stopping.CancelAsync();
        await _app.StopAsync(CancellationToken.None);
        await _background.DrainAsync(DrainLimit, _time);
        await _app.DisposeAsync();
        _stopping.Dispose();
        TryDelete(_ownedDataDirectory);
    }

    /// <summary>The first bound address, with a wildcard host made one a client can reach.</summary>
    private static Uri RootOf(WebApplication app)
    {
        var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses ?? app.Urls;
        var first = addresses.OrderBy(a => a.StartsWith("https:", StringComparison.Ordinal) ? 1 : 0).First();
        var uri = new UriBuilder(first.Replace("://+:", "://localhost:", StringComparison.Ordinal).Replace("://*:", "://localhost:", StringComparison.Ordinal));
        uri.Host = uri.Host switch
        {
            "0.0.0.0" => "127.0.0.1",
            "[::]" or "::" => "[::1]",
            var host => host,
        };
        uri.Path = "/";
        return uri.Uri;
    }

    private static void TryDelete(string? directory)
    {
        try
        {
            if (directory is not null && Directory.Exists(directory))
            {
                Directory.Delete(directory, recursive: true);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Best effort: a temporary directory left behind is the system's to clean.
        }
    }
}
