using Seedgate.Core.Generation;
using Seedgate.Core.Media;

namespace Seedgate.Core.Tests.Media;

public sealed class SmallImageRuleTests : IDisposable
{
    private const string Param = "content[1].image_url.url";
    private readonly TempDir _dir = new();
    private readonly Ffmpeg _ffmpeg = MediaKit.NewFfmpeg();
    private readonly SmallImageRule _rule;

    public SmallImageRuleTests() => _rule = new SmallImageRule(_ffmpeg, new FetchOptions());

    public void Dispose()
    {
        _ffmpeg.Dispose();
        _dir.Dispose();
    }

    [Theory]
    [InlineData(400, 300, 512, 683, 512)]
    [InlineData(300, 400, 512, 512, 683)]
    [InlineData(100, 100, 512, 512, 512)]
    [InlineData(511, 1022, 512, 512, 1024)]
    public void Target_keeps_the_ratio_with_the_short_side_at_the_minimum(int width, int height, int min, int w, int h) =>
        Assert.Equal((w, h), SmallImageRule.Target(width, height, min));

    [Fact]
    public void Check_names_the_size_and_the_minimum()
    {
        var error = _rule.Check(400, 300, 512, upscale: false, Param)!;

        Assert.Equal((ErrorCodes.InvalidParameter, Param, FailureClass.Permanent), (error.Code, error.Param, error.Class));
        Assert.Contains("400×300 px", error.Message, StringComparison.Ordinal);
        Assert.Contains("at least 512 px", error.Message, StringComparison.Ordinal);
        Assert.Null(_rule.Check(512, 512, 512, upscale: false, Param));
        Assert.Null(_rule.Check(400, 300, 512, upscale: true, Param));
        Assert.Null(_rule.Check(400, 300, 300, upscale: false, Param)); // Ark's own minimum: 300 px
    }

    [Fact]
    public void Check_refuses_an_image_that_would_be_too_long_once_scaled_up()
    {
        var error = _rule.Check(100, 2000, 512, upscale: true, Param)!;

        Assert.Contains("512×10240 px", error.Message, StringComparison.Ordinal);
        Assert.Contains("6000 px", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_configured_minimum_applies_when_it_is_the_larger()
    {
        var strict = new SmallImageRule(_ffmpeg, new FetchOptions { MinReferenceSide = 600 });

        Assert.Equal(600, strict.MinSideFor(512));
        Assert.Contains("at least 600 px", strict.Check(550, 550, 512, upscale: false, Param)!.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ApplyAsync_refuses_a_small_inline_image_without_the_plan_flag()
    {
        var png = await File.ReadAllBytesAsync(await MediaKit.MakeImageAsync(_ffmpeg, _dir.File("small.png"), "testsrc=size=400x300"));

        var error = await Assert.ThrowsAsync<SeedgateException>(() => _rule.ApplyAsync("image/png", png, 512, upscale: false, Param, default));

        Assert.Equal(Param, error.Error.Param);
        Assert.Contains("400×300 px", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("small.jpg", "image/jpeg", "testsrc=size=400x300", 683, 512)]
    [InlineData("tall.png", "image/png", "smptebars=size=200x320", 512, 819)]
    public async Task ApplyAsync_scales_a_small_image_up_to_a_png_whose_short_side_is_the_minimum(
        string name, string mediaType, string lavfi, int width, int height)
    {
        var bytes = await File.ReadAllBytesAsync(await MediaKit.MakeImageAsync(_ffmpeg, _dir.File(name), lavfi));

        var (type, scaled) = await _rule.ApplyAsync(mediaType, bytes, 512, upscale: true, Param, default);

        Assert.Equal("image/png", type);
        Assert.True(ImageHeader.TryReadSize(scaled, out var w, out var h));
        Assert.Equal((width, height), (w, h));
    }

    [Fact]
    public async Task ApplyAsync_leaves_a_large_enough_image_as_it_is()
    {
        var png = await File.ReadAllBytesAsync(await MediaKit.MakeImageAsync(_ffmpeg, _dir.File("ok.png"), "testsrc=size=640x512"));

        var (type, bytes) = await _rule.ApplyAsync("image/png", png, 512, upscale: true, Param, default);

        Assert.Equal("image/png", type);
        Assert.Same(png, bytes);
    }

    [Fact]
    public async Task ApplyToFileAsync_scales_a_fetched_file_in_place_or_refuses_it()
    {
        var path = await MediaKit.MakeImageAsync(_ffmpeg, _dir.File("fetched.webp"), "testsrc=size=320x240");
        var refused = await Assert.ThrowsAsync<SeedgateException>(() => _rule.ApplyToFileAsync(path, 512, upscale: false, Param, default));

        Assert.True(await _rule.ApplyToFileAsync(path, 512, upscale: true, Param, default));

        Assert.Contains("320×240 px", refused.Message, StringComparison.Ordinal);
        var scaled = await File.ReadAllBytesAsync(path);
        Assert.Equal(0x89, scaled[0]); // a PNG now
        Assert.True(ImageHeader.TryReadSize(scaled, out var width, out var height));
        Assert.Equal((683, 512), (width, height));
        Assert.False(await _rule.ApplyToFileAsync(path, 512, upscale: true, Param, default));
    }

    [Fact]
    public async Task ApplyToFileAsync_measures_a_picture_without_a_size_in_its_header_with_ffprobe()
    {
        var bmp = await MediaKit.MakeImageAsync(_ffmpeg, _dir.File("old.bmp"), "testsrc=size=256x256");

        var error = await Assert.ThrowsAsync<SeedgateException>(() => _rule.ApplyToFileAsync(bmp, 512, upscale: false, Param, default));

        Assert.Contains("256×256 px", error.Message, StringComparison.Ordinal);
    }
}
