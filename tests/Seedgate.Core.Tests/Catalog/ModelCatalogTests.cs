using System.Text;
using Seedgate.Core.Catalog;

namespace Seedgate.Core.Tests.Catalog;

public sealed class ModelCatalogTests
{
    [Fact]
    public void DefaultCatalog_HasTheSeedanceModelsAndAliases()
    {
        var catalog = ModelCatalog.LoadDefault();

        Assert.Equal(Tier.Fast, catalog.Find("seedance-2.0-fast")!.Tier);
        Assert.Same(catalog.Find("seedance-2.0"), catalog.Find("doubao-seedance-2-0-260128"));
        Assert.Same(catalog.Find("seedance-2.0-fast"), catalog.Find("dreamina-seedance-2-0-fast-260128"));
        Assert.Equal("2k", catalog.Find("seedance-2.0-pro")!.DefaultResolution);
        Assert.Null(catalog.Find("Seedance-2.0"));
        foreach (var variant in new[] { "seedance-2.0-i2v", "seedance-2.0-fast-i2v", "seedance-2.0-v2v", "seedance-2.0-fast-v2v" })
        {
            Assert.Equal(["480p", "720p"], catalog.Find(variant)!.Resolutions);
        }
    }

    [Theory]
    [InlineData("720p", "9:16", 720, 1280)]
    [InlineData("720p", "16:9", 1280, 720)]
    [InlineData("480p", "21:9", 992, 432)]
    [InlineData("1080p", "4:3", 1664, 1248)]
    [InlineData("2k", "1:1", 1920, 1920)]
    public void FrameSizes_AreSeedanceTwosTable(string resolution, string ratio, int width, int height)
    {
        Assert.True(ModelCatalog.LoadDefault().TryGetFrameSize(resolution, ratio, out var w, out var h));
        Assert.Equal((width, height), (w, h));
    }

    [Theory]
    [InlineData("{}")]
    [InlineData("{\"480p\":0}")]
    [InlineData("{\"480p\":-5}")]
    public void Load_RefusesAModelWithoutAPriceForOneOfItsResolutions(string prices)
    {
        var json = """
        {"frame_sizes":{"480p":{"16:9":[1,1],"4:3":[1,1],"1:1":[1,1],"3:4":[1,1],"9:16":[1,1],"21:9":[1,1]}},
         "models":[{"id":"m","tier":"fast","input_modes":["text"],"resolutions":["480p"],"default_resolution":"480p",
                    "duration":{"min":4,"max":15,"default":5,"allow_auto":true,"auto_seconds":5},
                    "max_references":{"image":0,"video":0,"audio":0},"price_per_second_micros":PRICES,"route":{"engine":"sandbox"}}]}
        """.Replace("PRICES", prices, StringComparison.Ordinal);

        var error = Assert.Throws<InvalidOperationException>(() => ModelCatalog.Load(new MemoryStream(Encoding.UTF8.GetBytes(json))));

        Assert.Contains("no price", error.Message);
    }

    [Theory]
    [InlineData("720p", 5.0, 75_000)]     // fast 720p: $0.015/s
    [InlineData("480p", 4.0, 40_000)]
    [InlineData("720p", 4.0 + (1.0 / 24), 60_625)] // one extra frame is billed by the frame, exactly
    public void Pricing_IsPerSecondInMicroDollars(string resolution, double seconds, long micros)
    {
        var fast = ModelCatalog.LoadDefault().Find("seedance-2.0-fast")!;

        Assert.Equal(micros, Pricing.CostMicros(fast, resolution, seconds, 24));
    }
}

/// <summary>The catalog current with real Ark (reference §1.7–§1.8): Seedance 2.5, 2.0 mini, 4k, and the per-model field rules.</summary>
public sealed class CurrentCatalogTests
{
    private static readonly ModelCatalog Catalog = ModelCatalog.LoadDefault();

    [Fact]
    public void Seedance_2_5_takes_up_to_30_seconds_mov_and_audio_alone()
    {
        var model = Catalog.Find("dreamina-seedance-2-5-260628")!;

        Assert.Same(Catalog.Find("seedance-2.5"), model);
        Assert.Equal(Tier.Standard, model.Tier);
        Assert.Equal(["480p", "720p", "1080p"], model.Resolutions);
        Assert.Equal("720p", model.DefaultResolution);
        Assert.Equal(new DurationRange(4, 30, 5, true, 5), model.Duration);
        Assert.Equal([InputMode.Text, InputMode.FirstFrame, InputMode.FirstLastFrame, InputMode.Reference], model.InputModes);
        Assert.Equal(new ReferenceLimits(9, 3, 3), model.MaxReferences);
        Assert.True(model.Audio);
        Assert.Equal(["mp4", "mov"], model.FieldRules.OutputFormats);
        Assert.True(model.FieldRules.AudioOnlyReference);
        Assert.All(model.Resolutions, r => Assert.True(model.PricePerSecondMicros[r] > Catalog.Find("seedance-2.0")!.PricePerSecondMicros[r]));
    }

    [Fact]
    public void Seedance_2_0_mini_is_a_fast_model_with_both_ids()
    {
        var model = Catalog.Find("seedance-2.0-mini")!;

        Assert.Same(model, Catalog.Find("dreamina-seedance-2-0-mini-260615"));
        Assert.Same(model, Catalog.Find("doubao-seedance-2-0-mini-260615"));
        Assert.Equal(Tier.Fast, model.Tier);
        Assert.Equal(["480p", "720p"], model.Resolutions);
        Assert.Contains("nverified", model.Note, StringComparison.Ordinal);
    }

    [Fact]
    public void Only_standard_2_0_has_4k_and_only_pro_has_2k()
    {
        Assert.Equal(["seedance-2.0"], Catalog.Models.Where(m => m.Resolutions.Contains("4k")).Select(m => m.Id));
        Assert.Equal(150_000, Catalog.Find("seedance-2.0")!.PricePerSecondMicros["4k"]);
        Assert.Equal(["seedance-2.0-pro"], Catalog.Models.Where(m => m.Resolutions.Contains("2k")).Select(m => m.Id));
    }

    [Fact]
    public void The_4k_row_is_3840x2160_and_twice_1080p()
    {
        Assert.True(Catalog.TryGetFrameSize("4k", "16:9", out var width, out var height));
        Assert.Equal((3840, 2160), (width, height));
        foreach (var ratio in ModelCatalog.Ratios)
        {
            Assert.True(Catalog.TryGetFrameSize("1080p", ratio, out var w, out var h));
            Assert.True(Catalog.TryGetFrameSize("4k", ratio, out var w4, out var h4));
            Assert.Equal((2 * w, 2 * h), (w4, h4));
        }
    }

    [Fact]
    public void Every_Seedance_2_x_model_needs_512_px_images_and_the_2_0_rules_are_the_defaults()
    {
        Assert.All(Catalog.Models, m => Assert.Equal(512, m.MinImageSide));
        var rules = Catalog.Find("seedance-2.0")!.FieldRules;
        Assert.Same(FieldRules.Default, rules);
        Assert.False(rules.ServiceTier);
        Assert.False(rules.CameraFixed);
        Assert.True(rules.Priority);
        Assert.False(rules.Draft);
        Assert.True(rules.Tools);
        Assert.Equal(["mp4"], rules.OutputFormats);
        Assert.False(rules.AudioOnlyReference);
    }

    [Theory]
    [InlineData("\"field_rules\":{\"output_formats\":[]}", "m's field_rules.output_formats must list")]
    [InlineData("\"field_rules\":{\"output_formats\":[\"avi\"]}", "'avi' is not a known format")]
    [InlineData("\"field_rules\":{\"output_formats\":[\"mp4\",\"mp4\"]}", "lists a format twice")]
    [InlineData("\"field_rules\":{\"audio_only_refrence\":true}", "$.models[0].field_rules.audio_only_refrence")]
    [InlineData("\"field_rules\":{\"draft\":\"yes\"}", "$.models[0].field_rules.draft")]
    [InlineData("\"field_rules\":null", "m's field_rules must be an object")]
    [InlineData("\"min_image_side\":0", "m's min_image_side must be 1–6000 px")]
    [InlineData("\"min_image_side\":7000", "m's min_image_side must be 1–6000 px")]
    public void Load_refuses_bad_field_rules_at_start_up(string member, string message)
    {
        var json = """
        {"frame_sizes":{"480p":{"16:9":[1,1],"4:3":[1,1],"1:1":[1,1],"3:4":[1,1],"9:16":[1,1],"21:9":[1,1]}},
         "models":[{"id":"m","tier":"fast","input_modes":["text"],"resolutions":["480p"],"default_resolution":"480p",
                    "duration":{"min":4,"max":15,"default":5,"allow_auto":true,"auto_seconds":5},
                    "max_references":{"image":0,"video":0,"audio":0},"price_per_second_micros":{"480p":1},MEMBER,"route":{"engine":"sandbox"}}]}
        """.Replace("MEMBER", member, StringComparison.Ordinal);

        var error = Assert.Throws<InvalidOperationException>(() => ModelCatalog.Load(new MemoryStream(Encoding.UTF8.GetBytes(json))));

        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }
}
