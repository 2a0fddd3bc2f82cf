using Seedgate.Core.Generation;
using Seedgate.Core.Jobs;

namespace Seedgate.Core.Tests.Storage;

/// <summary>Sample values with every field set, shared by the store compliance suites and the JSON tests.</summary>
internal static class JobSamples
{
    /// <summary>A request with every field set to a value other than its default.</summary>
    public static GenerationRequest FullRequest() => new()
    {
        Model = "seedance-2.0-pro",
        Prompt = "A lighthouse at dusk, waves 🌊, «quotes» and \"escapes\"\n",
        NegativePrompt = "blur, text",
        References =
        [
            new Reference(ReferenceKind.Image, ReferenceRole.FirstFrame, "https://example.com/a.png", "content[1]"),
            new Reference(ReferenceKind.Image, ReferenceRole.LastFrame, "blob:inputs/cgt-x/b.png", "content[2]"),
            new Reference(ReferenceKind.Video, ReferenceRole.ReferenceVideo, "data:video/mp4;base64,AAAA", "content[3]"),
            new Reference(ReferenceKind.Audio, ReferenceRole.ReferenceAudio, "https://example.com/c.mp3", "content[4]"),
            new Reference(ReferenceKind.Image, ReferenceRole.ReferenceImage, "https://example.com/d.png", "content[5]"),
        ],
        Resolution = "1080p",
        Ratio = "21:9",
        Duration = 12,
        AutoDuration = true,
        FramesPerSecond = 24,
        GenerateAudio = true,
        Seed = 9_007_199_254_740_993,
        Style = Style.Render3D,
        CameraMotion = CameraMotion.OrbitLeft,
        CameraFixed = true,
        Watermark = true,
        ReturnLastFrame = true,
        CallbackUrl = "https://hooks.example.com/seedgate?x=1&y=2",
        Priority = 7,
        ExecutionExpiresAfter = 7200,
        ServiceTier = "flex",
        SafetyIdentifier = "end-user-42",
        OutputFormat = "mov",
        Tools = [GenerationTool.WebSearch],
        Draft = true,
        FallbackModel = "seedance-2.0",
        LongTake = true,
        DraftTaskId = "cgt-20260101000000-draft",
        UpscaleSmallImages = true,
    };

    /// <summary>A queued 5 s seedance-2.0-fast job at 720p ($0.075), made at <paramref name="createdAt"/>, expiring two days later.</summary>
    public static Job QueuedJob(string accountId, DateTimeOffset createdAt, int priority = 0) => new()
    {
        Id = JobIds.New(createdAt),
        AccountId = accountId,
        Status = JobStatus.Queued,
        Request = new GenerationRequest
        {
            Model = "seedance-2.0-fast", Prompt = "a fox", Resolution = "720p", Duration = 5, FramesPerSecond = 24, Priority = priority,
        },
        RequestedModel = "seedance-2.0-fast",
        Dialect = JobDialects.Ark,
        CreatedAt = createdAt,
        UpdatedAt = createdAt,
        ExpiresAt = createdAt.AddDays(2),
        Engine = "sandbox",
    };

    public static JobOutputs Outputs() => new("outputs/cgt-x/video.mp4", "outputs/cgt-x/last.png", 1920, 1080, 24, 5.041666666666667, true, "16:9", 108_900);
}
