using Seedgate.Core.Generation;
using Seedgate.Core.Media;

namespace Seedgate.Core.Tests.Fetch;

public sealed class CheckUrlTests
{
    private const string Param = "content[2].video_url.url";

    [Theory]
    [InlineData("ftp://example.com/a.mp4", "'ftp'")]
    [InlineData("file:///etc/passwd", "'file'")]
    [InlineData("/etc/passwd", "absolute")]
    [InlineData("images/a.png", "absolute")]
    [InlineData("", "empty")]
    [InlineData("data:image/png;base64,AAAA", "'data'")]
    [InlineData("http://127.0.0.1/x", "private or loopback")]
    [InlineData("http://[::1]/", "private or loopback")]
    [InlineData("http://[fe80::1%25eth0]/", "private or loopback")]
    [InlineData("http://[::ffff:127.0.0.1]/", "private or loopback")]
    [InlineData("http://localhost/", "private or loopback")]
    [InlineData("http://LocalHost./a", "private or loopback")]
    [InlineData("http://api.localhost:8080/a", "private or loopback")]
    [InlineData("http://169.254.169.254/latest/meta-data/", "private or loopback")]
    [InlineData("http://10.1.2.3/a.png", "private or loopback")]
    [InlineData("http://2130706433/a.png", "private or loopback")] // 127.0.0.1 as one decimal number
    [InlineData("http://0x7f.0.0.1/a.png", "private or loopback")]
    [InlineData("http://example.com:0/a.png", "port 0")]
    [InlineData("https://example.com:00/a.png", "port 0")]
    [InlineData("http://8.8.8.8:0/a.png", "port 0")]
    public void Refuses_with_the_param_named(string url, string expected)
    {
        var error = ReferenceFetcher.CheckUrl(url, Param, NetworkPolicy.PublicOnly);

        Assert.NotNull(error);
        Assert.Equal(ErrorCodes.InvalidParameter, error.Code);
        Assert.Equal(Param, error.Param);
        Assert.Equal(FailureClass.Permanent, error.Class);
        Assert.Contains(expected, error.Message);
        Assert.Contains(Param, error.Message);
    }

    [Theory]
    [InlineData("https://example.com/a.png")]
    [InlineData("http://example.com:8080/v.mp4?sig=abc")]
    [InlineData("https://8.8.8.8/a.png")]
    [InlineData("https://[2606:4700::1111]/a.png")]
    [InlineData("https://localhost.example.com/a.png")]
    public void Accepts_public_http_urls_without_any_network(string url)
    {
        // Host names are judged at connect time; example.com need not resolve here.
        Assert.Null(ReferenceFetcher.CheckUrl(url, Param, NetworkPolicy.PublicOnly));
    }

    [Fact]
    public void The_allow_list_applies_to_literals_and_localhost()
    {
        var policy = new NetworkPolicy(false, ["127.0.0.1/32"]);

        Assert.Null(ReferenceFetcher.CheckUrl("http://127.0.0.1:5000/x", Param, policy));
        Assert.Null(ReferenceFetcher.CheckUrl("http://localhost:5000/x", Param, policy));
        Assert.NotNull(ReferenceFetcher.CheckUrl("http://127.0.0.2/x", Param, policy));
        Assert.NotNull(ReferenceFetcher.CheckUrl("http://[::1]/x", Param, policy));
    }
}
