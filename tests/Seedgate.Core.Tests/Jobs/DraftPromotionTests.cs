using Seedgate.Core.Generation;
using Seedgate.Core.Jobs;
using Seedgate.Core.Tests.Storage;

namespace Seedgate.Core.Tests.Jobs;

public sealed class DraftPromotionTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 2, 12, 0, 0, TimeSpan.Zero);

    private static Job Draft(JobStatus status = JobStatus.Succeeded) => JobSamples.QueuedJob("acct", Now) with
    {
        Status = status,
        Request = JobSamples.FullRequest() with { Model = "seedance-2.0-fast", Ratio = "adaptive", AutoDuration = false, LongTake = false },
        Outputs = status == JobStatus.Succeeded ? JobSamples.Outputs() : null,
    };

    [Fact]
    public void A_final_that_names_only_the_draft_takes_what_makes_the_picture_from_it()
    {
        var draft = Draft();
        var final = DraftPromotion.Apply(new GenerationRequest { Model = "seedance-2.0", DraftTaskId = draft.Id, GenerateAudio = false }, draft);

        Assert.Equal(
            (draft.Request.Prompt, draft.Request.NegativePrompt, draft.Request.Seed, draft.Request.Style, draft.Request.CameraMotion, true, 12),
            (final.Prompt, final.NegativePrompt, final.Seed, final.Style, final.CameraMotion, final.CameraFixed, final.Duration));
        Assert.Equal(draft.Request.References, final.References);
        Assert.Equal("16:9", final.Ratio); // the shape the draft came out in, not "adaptive"

        // What belongs to the new render stays the final's own.
        Assert.Equal(("seedance-2.0", null, false, null, 0), (final.Model, final.Resolution, final.GenerateAudio, final.CallbackUrl, final.Priority));
        Assert.Empty(final.Tools);
    }

    [Fact]
    public void The_finals_own_fields_take_precedence_and_a_seed_of_minus_one_keeps_the_drafts()
    {
        var draft = Draft();
        var image = new Reference(ReferenceKind.Image, ReferenceRole.FirstFrame, "https://example.com/new.png", "content[1]");
        var final = DraftPromotion.Apply(
            new GenerationRequest { Model = "seedance-2.0", Prompt = "a new prompt", References = [image], Ratio = "1:1", Duration = 6, Seed = 7 },
            draft);
        Assert.Equal(("a new prompt", "1:1", 6, 7L), (final.Prompt, final.Ratio, final.Duration, final.Seed));
        Assert.Equal(image, Assert.Single(final.References));

        Assert.Equal(draft.Request.Seed, DraftPromotion.Apply(new GenerationRequest { Model = "seedance-2.0", Seed = -1 }, draft).Seed);
    }

    [Fact]
    public void A_long_take_draft_stays_a_long_take_unless_the_final_sets_its_own_duration()
    {
        var draft = Draft() with { Request = Draft().Request with { Duration = 42, LongTake = true } };
        Assert.Equal((42, true), Pick(DraftPromotion.Apply(new GenerationRequest { Model = "seedance-2.0" }, draft)));
        Assert.Equal((8, false), Pick(DraftPromotion.Apply(new GenerationRequest { Model = "seedance-2.0", Duration = 8 }, draft)));

        var auto = Draft() with { Request = Draft().Request with { AutoDuration = true } };
        Assert.Equal(-1, DraftPromotion.Apply(new GenerationRequest { Model = "seedance-2.0" }, auto).Duration); // "let the model choose" again

        static (int?, bool) Pick(GenerationRequest r) => (r.Duration, r.LongTake);
    }

    [Theory]
    [InlineData(JobStatus.Queued, "is queued")]
    [InlineData(JobStatus.Running, "is running")]
    [InlineData(JobStatus.Failed, "is failed")]
    [InlineData(JobStatus.Cancelled, "is cancelled")]
    public void Only_a_succeeded_task_can_be_promoted(JobStatus status, string says)
    {
        var problem = DraftPromotion.Check("cgt-1", Draft(status), "content[0].draft_task.id");
        Assert.NotNull(problem);
        Assert.Equal("content[0].draft_task.id", problem.Param);
        Assert.Contains(says, problem.Message, StringComparison.Ordinal);
        Assert.Null(DraftPromotion.Check("cgt-1", Draft(), "p"));
        Assert.Contains("no task cgt-1 on this account", DraftPromotion.Check("cgt-1", null, "p")!.Message, StringComparison.Ordinal);
    }
}
