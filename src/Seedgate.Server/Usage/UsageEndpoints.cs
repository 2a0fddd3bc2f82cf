using System.Globalization;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Seedgate.Core.Accounts;
using Seedgate.Core.Generation;
using Seedgate.Server.Auth;
using Seedgate.Server.Dialects;
using static Seedgate.Server.Usage.AccountApi;

namespace Seedgate.Server.Usage;

/// <summary>
/// <c>GET /v1/usage?from=&amp;to=&amp;group_by=model|day|week</c>: the caller's usage from the ledger (see
/// <see cref="LedgerUsage"/>) — jobs by outcome, output seconds, cost, free-quota jobs and P50/P95 cost per paid
/// success, in total and per group, with the cost per job of every model and every ISO week alongside. The period is
/// [from, to) in UTC; by default the current calendar month up to now. Seedgate's own route, with the neutral error body.
/// </summary>
internal static class UsageEndpoints
{
    public const string Path = "/v1/usage";

    private const string MomentForms = "an ISO 8601 date (2026-12-01, its midnight UTC) or date-time (2026-12-01T09:30:00Z; UTC unless an offset is given)";

    public static IEndpointRouteBuilder MapUsage(this IEndpointRouteBuilder app)
    {
        app.MapGet(Path, GetAsync)
            .ForCallersAccount()
            .Produces<UsageBody>()
            .WithSummary("The caller's usage over [from, to) from the ledger, in total and by model, day or week.");
        return app;
    }

    private static async Task<IResult> GetAsync(HttpContext context, IAccountStore accounts, TimeProvider time)
    {
        var query = context.Request.Query;
        var groupBy = query["group_by"].ToString() switch
        {
            "" or "model" => UsageGrouping.Model,
            "day" => UsageGrouping.Day,
            "week" => UsageGrouping.Week,
            var other => throw Invalid("group_by", $"group_by must be model, day or week (got '{other}')."),
        };
        var to = Moment(query["to"].ToString(), "to") ?? time.GetUtcNow();
        var from = Moment(query["from"].ToString(), "from") ?? MonthOf(to);
        if (to <= from)
        {
            throw Invalid("to", string.Create(CultureInfo.InvariantCulture, $"to ({to:O}) must be later than from ({from:O})."));
        }

        if (to - from > LedgerUsage.MaxRange)
        {
            throw Invalid("to", string.Create(
                CultureInfo.InvariantCulture, $"from and to may be at most {LedgerUsage.MaxRange.TotalDays:0} days apart (got {(to - from).TotalDays:0.#})."));
        }

        var account = AccountFilter.AccountOf(context);
        var report = await accounts.GetUsageAsync(account, from, to, groupBy, context.RequestAborted);
        return Results.Json(
            new UsageBody(
                account,
                report.From,
                report.To,
                groupBy.ToString().ToLowerInvariant(),
                Figures(report.Total),
                [.. report.Groups.Select(Figures)],
                [.. report.ByModel.Select(Slope)],
                [.. report.ByWeek.Select(Slope)]),
            DialectJson.Options);
    }

    /// <summary>A date (its midnight UTC) or a date-time (UTC unless it says otherwise); null when not given.</summary>
    private static DateTimeOffset? Moment(string text, string param) =>
        text.Length == 0 ? null
        : LedgerUsage.TryParseMoment(text, out var at) ? at
        : throw Invalid(param, $"{param} must be {MomentForms} (got '{text}').");

    /// <summary>The start of the calendar month (UTC) of the period ending at <paramref name="to"/> (itself excluded).</summary>
    private static DateTimeOffset MonthOf(DateTimeOffset to)
    {
        var last = to.UtcDateTime.AddTicks(-1);
        return new DateTimeOffset(last.Year, last.Month, 1, 0, 0, 0, TimeSpan.Zero);
    }

    private static SeedgateException Invalid(string param, string message) => new(SeedgateError.Invalid(param, message));

    private static UsageFiguresBody Figures(UsageFigures figures) => new(
        figures.Key,
        new UsageJobsBody(
            figures.Jobs.Total, figures.Jobs.Succeeded, figures.Jobs.Failed, figures.Jobs.Cancelled, figures.Jobs.Expired, figures.Jobs.Open),
        figures.OutputMs / 1000m,
        figures.CostMicros,
        Usd(figures.CostMicros)!.Value,
        figures.FreeQuotaJobs,
        CostPerJob(figures.CostPerJob));

    private static CostSlopeBody Slope(CostSlope slope) => new(slope.Key, CostPerJob(slope.CostPerJob));

    private static CostPerJobBody CostPerJob(CostPercentiles p) => new(p.Jobs, p.P50Micros, Usd(p.P50Micros), p.P95Micros, Usd(p.P95Micros));
}

internal sealed record UsageBody(
    string AccountId,
    DateTimeOffset From,
    DateTimeOffset To,
    string GroupBy,
    UsageFiguresBody Total,
    IReadOnlyList<UsageFiguresBody> Groups,
    IReadOnlyList<CostSlopeBody> CostPerJobByModel,
    IReadOnlyList<CostSlopeBody> CostPerJobByWeek);

/// <param name="Key">The group (a model, a day, a week); absent in the total.</param>
internal sealed record UsageFiguresBody(
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Key,
    UsageJobsBody Jobs,
    decimal OutputSeconds,
    long CostMicros,
    decimal CostUsd,
    int FreeQuotaJobs,
    CostPerJobBody CostPerJob);

internal sealed record UsageJobsBody(int Total, int Succeeded, int Failed, int Cancelled, int Expired, int Open);

/// <param name="Jobs">The paid successes the percentiles are taken over (nearest rank; null when there are none).</param>
internal sealed record CostPerJobBody(int Jobs, long? P50Micros, decimal? P50Usd, long? P95Micros, decimal? P95Usd);

internal sealed record CostSlopeBody(string Key, CostPerJobBody CostPerJob);
