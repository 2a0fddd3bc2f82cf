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
