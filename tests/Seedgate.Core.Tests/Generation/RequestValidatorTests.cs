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

    [Theory]
    [InlineData("seedance-2.5", 30, true)]
    [InlineData("seedance-2.5", 16, true)]
    [InlineData("seedance-2.5", 31, false)]
    [InlineData("seedance-2.5", -1, true)]
    [InlineData("seedance-2.0", 16, false)]
    [InlineData("seedance-2.0-mini", 16, false)]
    public void Validate_Duration_FollowsTheModel(string model, int duration, bool valid)
    {
        var error = Validator.Validate(new GenerationRequest { Model = model, Prompt = "x", Duration = duration }, ParamNames.Canonical, out _);

        Assert.Equal(valid, error is null);
        if (!valid)
        {
            Assert.Equal("duration", error!.Param);
            Assert.Contains("4–", error.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Validate_FillsTheNewerFields_WithConcreteValues()
    {
        Validator.Validate(new GenerationRequest { Model = "seedance-2.0", Prompt = "x", SafetyIdentifier = "" }, ParamNames.Canonical, out var result);

        var request = result!.Request;
        Assert.Equal("mp4", request.OutputFormat);
        Assert.Empty(request.Tools);
        Assert.False(request.Draft);
        Assert.Null(request.SafetyIdentifier);
        Assert.Equal("default", request.ServiceTier);
    }

    [Theory]
    [InlineData("seedance-2.5", "mov", null)]
    [InlineData("seedance-2.5", "MOV", null)]
    [InlineData("seedance-2.5", "mp4", null)]
    [InlineData("seedance-2.0", "mp4", null)]
    [InlineData("seedance-2.0", "mov", "does not offer output_format 'mov'; it offers mp4")]
    [InlineData("seedance-2.5", "webm", "output_format 'webm' is not valid; seedance-2.5 offers mp4, mov")]
    public void Validate_OutputFormat_ByTheModelsRules(string model, string format, string? problem)
    {
        var error = Validator.Validate(new GenerationRequest { Model = model, Prompt = "x", OutputFormat = format }, ParamNames.Canonical, out var result);

        if (problem is null)
        {
            Assert.Null(error);
            Assert.Equal(format.ToLowerInvariant(), result!.Request.OutputFormat);
        }
        else
        {
            Assert.Equal(("output_format", ErrorCodes.InvalidParameter), (error!.Param, error.Code));
            Assert.Contains(problem, error.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Validate_Tools_AreKept_WhereTheModelTakesThem_AndRefusedElsewhere()
    {
        var none = ModelCatalog.Load(new MemoryStream(System.Text.Encoding.UTF8.GetBytes(CatalogWith("\"field_rules\":{\"tools\":false}"))));
        var request = new GenerationRequest { Model = "m", Prompt = "x", Tools = [GenerationTool.WebSearch] };

        Assert.Null(Validator.Validate(request with { Model = "seedance-2.0" }, ParamNames.Canonical, out var kept));
        var refused = new RequestValidator(none).Validate(request, ParamNames.Canonical, out _);
        var twice = Validator.Validate(
            request with { Model = "seedance-2.0", Tools = [GenerationTool.WebSearch, GenerationTool.WebSearch] }, ParamNames.Canonical, out _);

        Assert.Equal([GenerationTool.WebSearch], kept!.Request.Tools);
        Assert.Equal("tools", refused!.Param);
        Assert.Contains("m does not take tools", refused.Message, StringComparison.Ordinal);
        Assert.Equal("tools[1].type", twice!.Param);
    }

    [Fact]
    public void Validate_Draft_IsRefusedOnModelsWithoutDrafts_AndTakenWhereTheRulesAllowIt()
    {
        var drafts = ModelCatalog.Load(new MemoryStream(System.Text.Encoding.UTF8.GetBytes(CatalogWith("\"field_rules\":{\"draft\":true}"))));

        var refused = Validator.Validate(new GenerationRequest { Model = "seedance-2.0", Prompt = "x", Draft = true }, ParamNames.Canonical, out _);
        var offFine = Validator.Validate(new GenerationRequest { Model = "seedance-2.0", Prompt = "x", Draft = false }, ParamNames.Canonical, out _);
        var taken = new RequestValidator(drafts).Validate(new GenerationRequest { Model = "m", Prompt = "x", Draft = true }, ParamNames.Canonical, out var result);

        Assert.Equal(("draft", ErrorCodes.InvalidParameter), (refused!.Param, refused.Code));
        Assert.Null(offFine);
        Assert.Null(taken);
        Assert.True(result!.Request.Draft);
    }

    [Theory]
    [InlineData(64, true)]
    [InlineData(65, false)]
    public void Validate_SafetyIdentifier_IsAtMost64Characters(int length, bool valid)
    {
        var error = Validator.Validate(
            new GenerationRequest { Model = "seedance-2.0", Prompt = "x", SafetyIdentifier = new string('u', length) }, ParamNames.Canonical, out var result);

        Assert.Equal(valid, error is null);
        Assert.Equal(valid ? new string('u', length) : null, result?.Request.SafetyIdentifier);
        Assert.Equal(valid ? null : "safety_identifier", error?.Param);
    }

    [Fact]
    public void Validate_AudioAsTheOnlyReference_IsForSeedance25_WithAPrompt()
    {
        List<Reference> audio = [new(ReferenceKind.Audio, ReferenceRole.ReferenceAudio, "https://example.com/a.mp3", "content[1].audio_url.url")];

        var on20 = Validator.Validate(new GenerationRequest { Model = "seedance-2.0", Prompt = "x", References = audio }, ParamNames.Canonical, out _);
        var on25 = Validator.Validate(new GenerationRequest { Model = "seedance-2.5", Prompt = "x", References = audio }, ParamNames.Canonical, out var result);
        var alone = Validator.Validate(new GenerationRequest { Model = "seedance-2.5", References = audio }, ParamNames.Canonical, out _);

        Assert.Equal("content[1].audio_url.url", on20!.Param);
        Assert.Contains("only reference on seedance-2.0", on20.Message, StringComparison.Ordinal);
        Assert.Null(on25);
        Assert.Equal(InputMode.Reference, result!.Mode);
        Assert.Equal(("prompt", ErrorCodes.MissingParameter), (alone!.Param, alone.Code));
    }

    [Theory]
    [InlineData("4K", "4k")]
    [InlineData("1080P", "1080p")]
    public void Validate_MatchesResolutionsInAnyCase(string given, string stored)
    {
        Assert.Null(Validator.Validate(new GenerationRequest { Model = "seedance-2.0", Prompt = "x", Resolution = given }, ParamNames.Canonical, out var result));
        Assert.Equal(stored, result!.Request.Resolution);
    }

    private static string CatalogWith(string member) => """
        {"frame_sizes":{"480p":{"16:9":[1,1],"4:3":[1,1],"1:1":[1,1],"3:4":[1,1],"9:16":[1,1],"21:9":[1,1]}},
         "models":[{"id":"m","tier":"fast","input_modes":["text"],"resolutions":["480p"],"default_resolution":"480p",
                    "duration":{"min":4,"max":15,"default":5,"allow_auto":true,"auto_seconds":5},
                    "max_references":{"image":0,"video":0,"audio":0},"price_per_second_micros":{"480p":1},MEMBER,"route":{"engine":"sandbox"}}]}
        """.Replace("MEMBER", member, StringComparison.Ordinal);
}
