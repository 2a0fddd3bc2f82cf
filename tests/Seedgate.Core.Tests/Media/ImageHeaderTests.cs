using System.Buffers.Binary;
using Seedgate.Core.Media;

namespace Seedgate.Core.Tests.Media;

/// <summary>Picture sizes read from headers, for real files ffmpeg writes, without decoding them.</summary>
public sealed class ImageHeaderTests : IDisposable
{
    private readonly TempDir _dir = new();
    private readonly Ffmpeg _ffmpeg = MediaKit.NewFfmpeg();

    [Theory]
    [InlineData("png")]
    [InlineData("jpg")]
    [InlineData("gif")]
    [InlineData("webp")]
    public async Task Reads_the_size_of_each_format(string extension)
    {
        var path = await MediaKit.MakeImageAsync(_ffmpeg, Path.Combine(_dir.Path, "picture." + extension), "testsrc=size=333x222");

        Assert.True(ImageHeader.TryReadSize(await File.ReadAllBytesAsync(path), out var width, out var height));
        Assert.Equal((333, 222), (width, height));
    }

    [Fact]
    public void A_header_that_declares_a_huge_picture_is_read_without_the_pixels()
    {
        var png = new byte[33];
        new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13, (byte)'I', (byte)'H', (byte)'D', (byte)'R' }.CopyTo(png, 0);
        BinaryPrimitives.WriteInt32BigEndian(png.AsSpan(16), 16000);
        BinaryPrimitives.WriteInt32BigEndian(png.AsSpan(20), 16000);

        Assert.True(ImageHeader.TryReadSize(png, out var width, out var height));
        Assert.Equal((16000, 16000), (width, height));
    }

    [Theory]
    [InlineData(new byte[] { })]
    [InlineData(new byte[] { 0xFF, 0xD8, 0xFF })]
    [InlineData(new byte[] { (byte)'h', (byte)'e', (byte)'l', (byte)'l', (byte)'o' })]
    public void Anything_else_has_no_size(byte[] bytes) => Assert.False(ImageHeader.TryReadSize(bytes, out _, out _));

    public void Dispose()
    {
        _ffmpeg.Dispose();
        _dir.Dispose();
    }
}
