using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Seedgate.Client;
using Seedgate.Core.Telemetry;
using Seedgate.Server.Simulator;
using Seedgate.Server.Tests.Infrastructure;
using Seedgate.Server.Tests.Upstream;

namespace Seedgate.Server.Tests;

/// <summary>
/// The SDK against a real gateway and a real Ark-speaking simulator on loopback (issue 11): few requests per job thanks
/// to long-polls, the seeds' cadence where there are none, one trace from the SDK's span to the job's step, the per-job
/// log record, and cancelling a queued task.
/// </summary>
public sealed class SdkAgainstGatewayTests
{
    [Fact]
    public async Task Generate_takes_at_most_three_api_requests_joins_one_trace_and_logs_the_job()
    {
        var spans = new ConcurrentBag<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name is SeedgateTelemetry.Name or SeedgateClientTelemetry.SourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = spans.Add,
        };
        ActivitySource.AddActivityListener(listener);
        await using var gateway = await Gateway.StartAsync();
        var counted = new CountingHandler(new SocketsHttpHandler());
        using var http = new HttpClient(counted) { Timeout = TimeSpan.FromSeconds(100) };
        var log = new RecordingLogger();
        var client = new SeedgateClient(http, new SeedgateClientOptions { BaseAddress = gateway.BaseAddress, ApiKey = Gateway.Key, Logger = log });
        var path = Path.Combine(gateway.DataDirectory, "sdk-cat.mp4");

        var result = await client.GenerateAsync(
            new CreateTaskRequest
            {
                Model = "seedance-2.0-fast",
                Content = [ContentItem.FromText("An orange cat walking through cherry blossom rain")],
                Resolution = "480p",
                Ratio = "9:16",
                Duration = 4,
                GenerateAudio = true,
            },
            path);

        var probe = await Media.ProbeAsync(path);
        Assert.Equal((496, 864), (probe.Width, probe.Height)); // 9:16 at 480p, as the catalog sizes it
        Assert.Equal("aac", probe.AudioCodec);
        Assert.InRange(probe.Duration, 3.9, 4.2);

        // Create + long-polls: a 4 s job needs one or two holds of 30 s at most.
        var api = counted.Requests.Where(r => r.AbsolutePath.StartsWith("/api/v3/", StringComparison.Ordinal)).ToList();
        Assert.InRange(api.Count, 2, 3);
        Assert.All(api.Skip(1), r => Assert.Equal("?wait=30", r.Query));

        var generate = Assert.Single(spans, s => s.OperationName == "seedgate.client.generate" && (string?)s.GetTagItem("seedgate.task_id") == result.Task.Id);
        var submit = Assert.Single(spans, s => s.OperationName == "seedgate.submit" && (string?)s.GetTagItem(SeedgateTelemetry.JobIdTag) == result.Task.Id);
        var step = Assert.Single(spans, s => s.OperationName == "seedgate.job.step" && (string?)s.GetTagItem(SeedgateTelemetry.JobIdTag) == result.Task.Id);
        Assert.Equal((generate.TraceId, generate.TraceId), (submit.TraceId, step.TraceId)); // the SDK's trace, through the server's

        Assert.Equal(result.CorrelationId, result.Task.CorrelationId);
        var record = Assert.Single(log.Records);
        foreach (var field in new[] { result.Task.Id, result.CorrelationId, "succeeded", result.Task.Content!.VideoUrl!.AbsolutePath, result.Task.Cost!.ToString() })
        {
            Assert.Contains(field, record, StringComparison.Ordinal);
        }

        Assert.Matches("input [0-9a-f]{16}", record);

        // A download cut off in an earlier run resumes from its .part against the gateway's signed link (Range, If-Range).
        var bytes = await File.ReadAllBytesAsync(path);
        var again = Path.Combine(gateway.DataDirectory, "sdk-cat-again.mp4");
        await File.WriteAllBytesAsync(again + ".part", bytes[..1000]);
        Assert.Equal(bytes.Length, await client.DownloadToFileAsync(result.Task.Content.VideoUrl, again));
        Assert.Equal(bytes, await File.ReadAllBytesAsync(again));
        Assert.Equal("bytes=1000-", counted.Ranges.Last());
    }

    [Fact]
    public async Task Against_the_Ark_simulator_which_answers_at_once_the_wait_polls_on_the_cadence()
    {
        await using var simulator = await UpstreamSimulator.StartAsync(
            new SimulatorOptions { Urls = ["http://127.0.0.1:0"], ApiKey = UpstreamRig.UpstreamKey, LatencyMs = 1500, LogLevel = LogLevel.Warning },
            CancellationToken.None);
        var counted = new CountingHandler(new SocketsHttpHandler());
        using var http = new HttpClient(counted) { Timeout = TimeSpan.FromSeconds(100) };
        var client = new SeedgateClient(http, new SeedgateClientOptions
        {
            BaseAddress = simulator.BaseUrl,
            ApiKey = UpstreamRig.UpstreamKey,
            PollInterval = TimeSpan.FromMilliseconds(200),
            MaxPollInterval = TimeSpan.FromMilliseconds(400),
        });

        var id = await client.CreateTaskAsync(new CreateTaskRequest
        {
            Model = "dreamina-seedance-2-0-fast-260128", Content = [ContentItem.FromText("a cadence")], Resolution = "480p", Duration = 4,
        });
        var clock = Stopwatch.StartNew();
        var task = await client.WaitAsync(id, timeout: TimeSpan.FromSeconds(60));
        var waited = clock.Elapsed;

        Assert.Equal("succeeded", task.Status);
        var polls = counted.Requests.Count(r => r.AbsolutePath.EndsWith(id, StringComparison.Ordinal));
        // ≥ 1.5 s of rendering at pauses of 200, 300, 400, 400… ms (less 20 % jitter): a handful of checks, never a tight loop.
        Assert.InRange(polls, 3, 2 + (int)(waited.TotalMilliseconds / 160));
    }

    [Fact]
    public async Task Cancel_stops_a_queued_task_and_leaves_a_finished_one_as_it_is()
    {
        await using var gateway = await Gateway.StartAsync("--Seedgate:Dispatch:Enabled=false");
        using var http = new HttpClient(new SocketsHttpHandler());
        var client = new SeedgateClient(http, new SeedgateClientOptions { BaseAddress = gateway.BaseAddress, ApiKey = Gateway.Key });
        var id = await client.CreateTaskAsync(new CreateTaskRequest { Model = "seedance-2.0-fast", Content = [ContentItem.FromText("never made")] });

        var cancelled = await client.CancelAsync(id);
        var again = await client.CancelAsync(id);

        Assert.Equal((TaskStatuses.Cancelled, TaskStatuses.Cancelled), (cancelled.Status, again.Status));
        await Assert.ThrowsAsync<TaskNotFoundException>(() => client.CancelAsync("cgt-20260101000000-nope"));
    }

    [Fact]
    public async Task The_README_quick_start_is_the_sample_and_it_makes_a_720x1280_5_s_video_with_sound()
    {
        var root = RepositoryRoot();
        var readme = await File.ReadAllTextAsync(Path.Combine(root, "README.md"));
        var sample = await File.ReadAllTextAsync(Path.Combine(root, "samples", "QuickStart", "Program.cs"));
        var start = readme.IndexOf("<!-- quickstart -->\n```csharp\n", StringComparison.Ordinal);
        var end = readme.IndexOf("```\n<!-- /quickstart -->", StringComparison.Ordinal);
        Assert.True(start >= 0 && end > start, "the README marks its quick start");
        Assert.Equal(sample, readme[(start + "<!-- quickstart -->\n```csharp\n".Length)..end]);

        await using var gateway = await Gateway.StartAsync();
        var work = Path.Combine(gateway.DataDirectory, "quickstart");
        Directory.CreateDirectory(work);
        var configuration = new DirectoryInfo(Path.TrimEndingDirectorySeparator(AppContext.BaseDirectory)).Parent!.Name; // bin/<configuration>/net10.0
        var run = new ProcessStartInfo("dotnet") { WorkingDirectory = work, RedirectStandardOutput = true, RedirectStandardError = true };
        run.ArgumentList.Add(Path.Combine(root, "samples", "QuickStart", "bin", configuration, "net10.0", "QuickStart.dll"));
        run.Environment["SEEDGATE_URL"] = gateway.BaseAddress.ToString();
        run.Environment["SEEDGATE_API_KEY"] = Gateway.Key;
        using var process = Process.Start(run)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(timeout.Token);

        Assert.True(process.ExitCode == 0, await errors);
        Assert.StartsWith("Video generation complete: http", await output, StringComparison.Ordinal);
        var probe = await Media.ProbeAsync(Path.Combine(work, "cat.mp4"));
        Assert.Equal((720, 1280, "aac"), (probe.Width, probe.Height, probe.AudioCodec));
        Assert.InRange(probe.Duration, 4.9, 5.2);

        var metrics = await gateway.Admin.GetStringAsync("/metrics");
        Assert.Contains(
            metrics.Split('\n'),
            l => l.StartsWith("seedgate_jobs_finished_total{", StringComparison.Ordinal) && l.Contains("seedgate_status=\"succeeded\"", StringComparison.Ordinal));
    }

    private static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Seedgate.slnx")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("The repository root (Seedgate.slnx) is not above " + AppContext.BaseDirectory);
    }

    private sealed class CountingHandler(HttpMessageHandler inner) : DelegatingHandler(inner)
    {
        public ConcurrentQueue<Uri> Requests { get; } = new();

        public ConcurrentQueue<string> Ranges { get; } = new();

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Requests.Enqueue(request.RequestUri!);
            if (request.Headers.Range is { } range)
            {
                Ranges.Enqueue(range.ToString());
            }

            return base.SendAsync(request, cancellationToken);
        }
    }

    private sealed class RecordingLogger : ILogger
    {
        public ConcurrentQueue<string> Records { get; } = new();

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            Records.Enqueue(formatter(state, exception));
    }
}
