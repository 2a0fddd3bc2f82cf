using System.Globalization;
using Seedgate.Core.Accounts;

namespace Seedgate.Core.Tests.Accounts;

/// <summary>The arithmetic of usage reports: percentiles, weeks and days (the reports themselves: LedgerCompliance).</summary>
public sealed class UsageTests
{
    [Theory]
    [InlineData(new long[] { }, 50, null)]
    [InlineData(new long[] { 7 }, 95, 7L)]
    [InlineData(new long[] { 10, 20, 30, 40 }, 50, 20L)]
    [InlineData(new long[] { 10, 20, 30, 40 }, 95, 40L)]
    [InlineData(new long[] { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20 }, 95, 19L)]
    [InlineData(new long[] { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21 }, 95, 20L)]
    public void Percentiles_are_nearest_rank(long[] sorted, int percent, long? expected) =>
        Assert.Equal(expected, LedgerUsage.NearestRank(sorted, percent));

    [Theory]
    [InlineData("2026-12-01T00:00:00Z", "2026-W49", "2026-12-01")]
    [InlineData("2027-01-01T23:59:59Z", "2026-W53", "2027-01-01")] // ISO week years cross New Year
    [InlineData("2025-12-29T00:00:00Z", "2026-W01", "2025-12-29")]
    [InlineData("2026-03-01T23:30:00-02:00", "2026-W10", "2026-03-02")] // UTC decides
    public void Weeks_are_ISO_and_days_UTC(string at, string week, string day)
    {
        var moment = DateTimeOffset.Parse(at, CultureInfo.InvariantCulture);
        Assert.Equal((week, day), (LedgerUsage.WeekOf(moment), LedgerUsage.DayOf(moment)));
    }
}
