using Seedgate.Core.Jobs;

namespace Seedgate.Core.Tests.Jobs;

public sealed class JobStatusRulesTests
{
    private const JobStatus Q = JobStatus.Queued;
    private const JobStatus R = JobStatus.Running;
    private const JobStatus S = JobStatus.Succeeded;
    private const JobStatus F = JobStatus.Failed;
    private const JobStatus C = JobStatus.Cancelled;
    private const JobStatus E = JobStatus.Expired;

    /// <summary>Every allowed move; every other pair is refused.</summary>
    private static readonly HashSet<(JobStatus From, JobStatus To)> Allowed =
    [
        (Q, R), (Q, C), (Q, E), (Q, F),
        (R, R), (R, S), (R, F), (R, E), (R, C),
    ];

    public static TheoryData<JobStatus, JobStatus> AllPairs()
    {
        var data = new TheoryData<JobStatus, JobStatus>();
        foreach (var from in Enum.GetValues<JobStatus>())
        {
            foreach (var to in Enum.GetValues<JobStatus>())
            {
                data.Add(from, to);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(AllPairs))]
    public void CanMove_follows_the_lifecycle(JobStatus from, JobStatus to)
    {
        Assert.Equal(Allowed.Contains((from, to)), JobStatusRules.CanMove(from, to));
    }

    [Fact]
    public void Terminal_statuses_never_move()
    {
        foreach (var from in new[] { S, F, C, E })
        {
            Assert.True(JobStatusRules.IsTerminal(from));
            Assert.All(Enum.GetValues<JobStatus>(), to => Assert.False(JobStatusRules.CanMove(from, to)));
        }

        Assert.False(JobStatusRules.IsTerminal(Q));
        Assert.False(JobStatusRules.IsTerminal(R));
    }

    [Fact]
    public void Running_never_goes_back_to_queued()
    {
        Assert.False(JobStatusRules.CanMove(R, Q));
        Assert.False(JobStatusRules.CanMove(Q, Q));
        Assert.False(JobStatusRules.CanMove(Q, S));
    }

    [Fact]
    public void Names_round_trip_and_only_exact_names_parse()
    {
        Assert.Equal(
            ["queued", "running", "succeeded", "failed", "cancelled", "expired"],
            Enum.GetValues<JobStatus>().Select(JobStatusRules.Name));
        foreach (var status in Enum.GetValues<JobStatus>())
        {
            Assert.True(JobStatusRules.TryParse(JobStatusRules.Name(status), out var parsed));
            Assert.Equal(status, parsed);
        }

        foreach (var junk in new[] { null, "", "Queued", "RUNNING", "canceled", "succeeded ", "0" })
        {
            Assert.False(JobStatusRules.TryParse(junk, out _));
        }
    }
}
