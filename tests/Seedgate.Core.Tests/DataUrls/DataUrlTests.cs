using Seedgate.Core.Generation;

namespace Seedgate.Core.Tests.DataUrls;

public sealed class DataUrlTests
{
    private static readonly byte[] Png = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00];

    private static string Encoded => Convert.ToBase64String(Png);

    [Theory]
    [InlineData("data:image/png;base64,{0}", "image/png")]
    [InlineData("DATA:Image/PNG;BASE64,{0}", "image/png")]
    [InlineData("data:image/png;name=a.png;base64,{0}", "image/png")]
    [InlineData("data:audio/wav;charset=binary;base64,{0}", "audio/wav")]
    [InlineData("data:video/vnd.something+mp4;base64,{0}", "video/vnd.something+mp4")]
    public void Decodes_base64_data_urls(string template, string mediaType)
    {
        var url = string.Format(System.Globalization.CultureInfo.InvariantCulture, template, Encoded);

        Assert.True(DataUrl.TryParse(url, out var type, out var bytes, out var problem), problem);
        Assert.Equal(mediaType, type);
        Assert.Equal(Png, bytes);
        Assert.Null(problem);
    }

    [Theory]
    [InlineData("https://example.com/a.png", "not a data: URL")]
    [InlineData("data:image/png;base64", "','")]
    [InlineData("data:;base64,AAAA", "missing the media type")]
    [InlineData("data:base64,AAAA", "not a valid media type")]
    [InlineData("data:image/;base64,AAAA", "not a valid media type")]
    [InlineData("data:image/png,AAAA", "missing ';base64'")]
    [InlineData("data:image/png;charset=utf-8,hello", "missing ';base64'")]
    [InlineData("data:image/png;base64;foo=bar,AAAA", "last parameter")]
    [InlineData("data:image/png;junk;base64,AAAA", "malformed parameter")]
    [InlineData("data:image/png;base64,", "no payload")]
    [InlineData("data:image/png;base64,A", "not valid base64")]
    [InlineData("data:image/png;base64,AAA", "not valid base64")]
    [InlineData("data:image/png;base64,AA AA", "not valid base64")]
    [InlineData("data:image/png;base64,AA-_", "not valid base64")]
    [InlineData("data:image/png;base64,A=AA", "not valid base64")]
    [InlineData("data:image/png;base64,AAAA%3D", "not valid base64")]
    [InlineData("data:image/png;base64,====", "not valid base64")]
    public void Refuses_malformed_data_urls_saying_why(string url, string expected)
    {
        Assert.False(DataUrl.TryParse(url, out var type, out var bytes, out var problem));

        Assert.Contains(expected, problem);
        Assert.Empty(type);
        Assert.Empty(bytes);
    }

    [Fact]
    public void Refuses_a_payload_over_the_limit_before_decoding()
    {
        var url = "data:image/png;base64," + Convert.ToBase64String(new byte[100]);

        Assert.False(DataUrl.TryParse(url, maxBytes: 99, out _, out _, out var problem));
        Assert.Contains("100 bytes", problem);
        Assert.True(DataUrl.TryParse(url, maxBytes: 100, out _, out var bytes, out _));
        Assert.Equal(100, bytes.Length);
    }

    [Theory]
    [InlineData("image/png", "png")]
    [InlineData("image/jpeg", "jpg")]
    [InlineData("IMAGE/JPEG", "jpg")]
    [InlineData("image/webp", "webp")]
    [InlineData("image/bmp", "bmp")]
    [InlineData("image/tiff", "tiff")]
    [InlineData("image/gif", "gif")]
    [InlineData("image/heic", "heic")]
    [InlineData("image/heif", "heif")]
    [InlineData("video/mp4", "mp4")]
    [InlineData("video/quicktime", "mov")]
    [InlineData("audio/mpeg", "mp3")]
    [InlineData("audio/wav", "wav")]
    [InlineData("audio/x-wav", "wav")]
    [InlineData("audio/wave", "wav")]
    [InlineData("audio/mp4", "m4a")]
    [InlineData("audio/aac", "m4a")]
    [InlineData("audio/ogg", "ogg")]
    [InlineData("audio/ogg; codecs=opus", "ogg")]
    [InlineData("application/pdf", null)]
    [InlineData("image/x-unknown", null)]
    public void Maps_media_types_to_extensions(string mediaType, string? extension)
    {
        Assert.Equal(extension, DataUrl.ExtensionFor(mediaType));
    }

    [Theory]
    [InlineData("image/png", ReferenceKind.Image, true)]
    [InlineData("Image/HEIC", ReferenceKind.Image, true)]
    [InlineData("video/mp4", ReferenceKind.Video, true)]
    [InlineData("audio/mpeg", ReferenceKind.Audio, true)]
    [InlineData("video/mp4", ReferenceKind.Image, false)]
    [InlineData("image/png", ReferenceKind.Audio, false)]
    [InlineData("audio/mp4", ReferenceKind.Video, false)]
    [InlineData("application/octet-stream", ReferenceKind.Image, false)]
    [InlineData("imagepng", ReferenceKind.Image, false)]
    public void Checks_the_media_type_family_against_the_reference_kind(string mediaType, ReferenceKind kind, bool matches)
    {
        Assert.Equal(matches, DataUrl.MatchesKind(mediaType, kind));
    }
}
