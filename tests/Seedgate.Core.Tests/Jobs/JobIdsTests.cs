using System.Text.RegularExpressions;
using Seedgate.Core.Jobs;

namespace Seedgate.Core.Tests.Jobs;

public sealed partial class JobIdsTests
{
    [GeneratedRegex("^cgt-[0-9]{14}-[0-9a-z]{8}$")]
    private static partial Regex Shape();

    [Fact]
    public void New_ids_have_the_ark_shape_with_the_utc_time()
    {
        var now = new DateTimeOffset(2026, 3, 4, 23, 30, 15, TimeSpan.FromHours(-5));
        var id = JobIds.New(now);
        Assert.Matches(Shape(), id);
        Assert.StartsWith("cgt-20260305043015-", id);
        Assert.True(JobIds.LooksValid(id));
    }

    [Fact]
    public void New_ids_are_unique_even_within_one_second()
    {
        var now = new DateTimeOffset(2026, 3, 4, 5, 6, 7, TimeSpan.Zero);
        var ids = Enumerable.Range(0, 5000).Select(_ => JobIds.New(now)).ToList();
        Assert.Equal(ids.Count, ids.Distinct(StringComparer.Ordinal).Count());
        Assert.All(ids, id => Assert.Matches(Shape(), id));
    }

    [Fact]
    public void Ids_sort_by_creation_time()
    {
        var earlier = JobIds.New(new DateTimeOffset(2026, 3, 4, 5, 6, 7, TimeSpan.Zero));
        var later = JobIds.New(new DateTimeOffset(2026, 3, 4, 5, 6, 8, TimeSpan.Zero));
        Assert.True(string.CompareOrdinal(earlier, later) < 0);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("cgt-")]
    [InlineData("cgt")]
    [InlineData("CGT-20260304050607-abcdefgh")]
    [InlineData("cgt-2026030405060-ABCDEFGH")]
    [InlineData("cgt-a b")]
    [InlineData("../x")]
    [InlineData("cgt-../x")]
    [InlineData("cgt-a/b")]
    [InlineData("cgt-a\\b")]
    [InlineData("cgt-a_b")]
    [InlineData("cgt-abc\n")]
    [InlineData("cgt-%2e%2e")]
    [InlineData("xcgt-abc")]
    [InlineData("cgt-ａｂｃ")]
    public void LooksValid_rejects_junk(string? id)
    {
        Assert.False(JobIds.LooksValid(id));
    }

    [Fact]
    public void LooksValid_bounds_the_length()
    {
        Assert.True(JobIds.LooksValid("cgt-" + new string('a', 60)));
        Assert.False(JobIds.LooksValid("cgt-" + new string('a', 61)));
        Assert.True(JobIds.LooksValid("cgt-a"));
    }
}
