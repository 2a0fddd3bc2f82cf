using Seedgate.Core.Catalog;
using Seedgate.Core.Generation;

namespace Seedgate.Core.Tests.Generation;

public sealed class RequestValidatorTests
{
    private static readonly RequestValidator Validator = new(ModelCatalog.LoadDefault());

    [Fact]
    public void Validate_FillsEveryDefault_FromTheModel()
    {
        var error = Validator.Validate(new GenerationRequest { Model = "dreamina-seedance-2-0-260128", Prompt = "a cat" }, ParamNames.Canonical, out var result);

        Assert.Null(error);
        var request = result!.Request;
        Assert.Equal("seedance-2.0", request.Model);
        Assert.Equal("1080p", request.Resolution);
        Assert.Equal("16:9", request.Ratio);
        Assert.Equal(5, request.Duration);
        Assert.Equal(24, request.FramesPerSecond);
        Assert.True(request.GenerateAudio);
        Assert.InRange(request.Seed!.Value, 0, RequestValidator.MaxSeed);
        Assert.Equal(RequestValidator.DefaultExpiresAfterSeconds, request.ExecutionExpiresAfter);
        Assert.Equal(InputMode.Text, result.Mode);
    }

    [Fact]
    public void Validate_KeepsAnExplicitSeed_AndReplacesMinusOne()
    {
        Validator.Validate(new GenerationRequest { Model = "seedance-2.0", Prompt = "x", Seed = 42 }, ParamNames.Canonical, out var kept);
        Validator.Validate(new GenerationRequest { Model = "seedance-2.0", Prompt = "x", Seed = -1 }, ParamNames.Canonical, out var random);

        Assert.Equal(42, kept!.Request.Seed);
        Assert.NotEqual(-1, random!.Request.Seed);
    }

    [Theory]
    [InlineData(-1, true)]
    [InlineData(4, true)]
    [InlineData(15, true)]
    [InlineData(3, false)]
    [InlineData(16, false)]
    [InlineData(0, false)]
    public void Validate_Duration(int duration, bool valid)
    {
        var error = Validator.Validate(new GenerationRequest { Model = "seedance-2.0", Prompt = "x", Duration = duration }, ParamNames.Canonical, out _);

        Assert.Equal(valid, error is null);
        if (!valid)
        {
            Assert.Equal("duration", error!.Param);
        }
    }

    [Fact]
    public void Validate_CountsPromptCharacters_NotUtf16Units()
    {
        var emoji = string.Concat(Enumerable.Repeat("🎬", 2000));

        var error = Validator.Validate(new GenerationRequest { Model = "seedance-2.0", Prompt = emoji }, ParamNames.Canonical, out _);

        Assert.Null(error);
    }

    [Theory]
    [InlineData(1, 8000, "prompt", true)] // one letter with 7,999 combining marks: one character, 8,000 code units
    [InlineData(1, 8001, "prompt", false)]
    [InlineData(1, 9_000_000, "prompt", false)]
    [InlineData(2001, 2001, "prompt", false)]
    [InlineData(1, 2000, "negative_prompt", true)]
    [InlineData(1, 2001, "negative_prompt", false)]
    [InlineData(501, 501, "negative_prompt", false)]
    public void Validate_LimitsTextsInCharactersAndInCodeUnits(int characters, int codeUnits, string field, bool valid)
    {
        // Each character is a letter followed by combining acute accents (U+0301), spread over the code units.
        var text = string.Concat(Enumerable.Range(0, characters).Select(i =>
            "a" + new string('\u0301', (codeUnits / characters) - 1 + (i < codeUnits % characters ? 1 : 0))));
        Assert.Equal(codeUnits, text.Length);
        var request = field == "prompt"
            ? new GenerationRequest { Model = "seedance-2.0", Prompt = text }
            : new GenerationRequest { Model = "seedance-2.0", Prompt = "x", NegativePrompt = text };

        var error = Validator.Validate(request, ParamNames.Canonical, out _);

        Assert.Equal(valid, error is null);
        if (!valid)
        {
            Assert.Equal(field, error!.Param);
            Assert.Equal(ErrorCodes.InvalidParameter, error.Code);
        }
    }

    [Theory]
    [InlineData(new[] { ReferenceRole.FirstFrame }, InputMode.FirstFrame)]
    [InlineData(new[] { ReferenceRole.FirstFrame, ReferenceRole.LastFrame }, InputMode.FirstLastFrame)]
    [InlineData(new[] { ReferenceRole.ReferenceImage, ReferenceRole.ReferenceImage }, InputMode.Reference)]
    public void Validate_RecognisesTheInputMode(ReferenceRole[] roles, InputMode mode)
    {
        var references = roles.Select((r, i) => new Reference(ReferenceKind.Image, r, "https://example.com/a.png", $"content[{i}]")).ToList();

        var error = Validator.Validate(new GenerationRequest { Model = "seedance-2.0", References = references }, ParamNames.Canonical, out var result);

        Assert.Null(error);
        Assert.Equal(mode, result!.Mode);
    }

    [Fact]
    public void Validate_NamesFieldsInTheCallersDialect()
    {
        var names = new ParamNames(new Dictionary<string, string> { ["ratio"] = "aspect_ratio" });

        var error = Validator.Validate(new GenerationRequest { Model = "seedance-2.0", Prompt = "x", Ratio = "7:5" }, names, out _);

        Assert.Equal("aspect_ratio", error!.Param);
        Assert.Contains("aspect_ratio", error.Message);
        Assert.Equal(ErrorCodes.InvalidParameter, error.Code);
        Assert.Equal(FailureClass.Permanent, error.Class);
    }

    [Fact]
    public void Validate_VideoToVideoModel_AcceptsAVideoWithAudio()
    {
        var references = new List<Reference>
        {
            new(ReferenceKind.Video, ReferenceRole.ReferenceVideo, "https://example.com/a.mp4", "videos[0]"),
            new(ReferenceKind.Audio, ReferenceRole.ReferenceAudio, "https://example.com/a.mp3", "audios[0]"),
        };

        var error = Validator.Validate(new GenerationRequest { Model = "seedance-2.0-fast-v2v", References = references }, ParamNames.Canonical, out var result);

        Assert.Null(error);
        Assert.Equal("720p", result!.Request.Resolution);
    }
}
