using Seedgate.Bench;

// Usage: dotnet run --project bench/Seedgate.Bench -c Release -- <mode> [options]
// Modes: render (sandbox renderer vs bare ffmpeg), http (GET task vs a bare endpoint, with wrk),
// lifecycle (submit → succeeded throughput with the instant test engine; SQLite, and PostgreSQL when configured),
// limits (submit throughput and read latency with plans, limits and the ledger on vs off),
// upstream (60 jobs of 6 accounts through Seedgate to an upstream simulator at the seeds' limits, vs naive clients),
// longtake (a 60 s long take's seams vs cuts), webhooks (requests per job and delivery latency: webhook vs long-poll vs the seeds' polling).
var mode = args.Length > 0 ? args[0] : "render";
var rest = args.Length > 1 ? args[1..] : [];
return mode switch
{
    "render" => await RenderBenchmark.RunAsync(rest),
    "http" => await HttpBenchmark.RunAsync(rest),
    "lifecycle" => await LifecycleBenchmark.RunAsync(rest),
    "limits" => await LimitsBenchmark.RunAsync(rest),
    "upstream" => await UpstreamBenchmark.RunAsync(rest),
    "longtake" => await LongTakeBenchmark.RunAsync(rest),
    "webhooks" => await WebhookBenchmark.RunAsync(rest),
    _ => Usage(mode),
};

static int Usage(string mode)
{
    Console.Error.WriteLine($"Unknown mode '{mode}'. Modes: render, http, lifecycle, limits, upstream, longtake, webhooks");
    return 2;
}
