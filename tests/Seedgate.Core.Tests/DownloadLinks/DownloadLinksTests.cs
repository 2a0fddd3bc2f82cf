using System.Text;
using System.Web;
using Seedgate.Core.Storage;

namespace Seedgate.Core.Tests.DownloadLinks;

public sealed class DownloadLinksTests
{
    private const string Path = "/files/outputs/cgt-20260101-abc/video.mp4";

    private static readonly byte[] Secret = Encoding.UTF8.GetBytes("a test secret of at least 32 bytes!");

    private readonly ManualTimeProvider _clock = new(new DateTimeOffset(2026, 5, 1, 12, 0, 0, TimeSpan.Zero));

    [Fact]
    public void A_fresh_link_verifies()
    {
        var links = new Seedgate.Core.Storage.DownloadLinks(Secret, _clock);

        var (exp, sig) = Parse(links.Sign(Path, TimeSpan.FromHours(1)));

        Assert.Equal(_clock.GetUtcNow().AddHours(1).ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture), exp);
        Assert.True(links.Verify(Path, exp, sig));
    }

    [Fact]
    public void The_query_is_url_safe()
    {
        var query = new Seedgate.Core.Storage.DownloadLinks(Secret, _clock).Sign(Path, TimeSpan.FromDays(7));

        Assert.Matches("^exp=[0-9]+&sig=[A-Za-z0-9_-]{43}$", query);
    }

    [Fact]
    public void A_link_for_another_path_fails()
    {
        var links = new Seedgate.Core.Storage.DownloadLinks(Secret, _clock);
        var (exp, sig) = Parse(links.Sign(Path, TimeSpan.FromHours(1)));

        Assert.False(links.Verify(Path.Replace("video.mp4", "last_frame.png", StringComparison.Ordinal), exp, sig));
        Assert.False(links.Verify(Path + "x", exp, sig));
        Assert.False(links.Verify(Path + "\n" + exp, exp, sig));
    }

    [Fact]
    public void A_tampered_expiry_fails()
    {
        var links = new Seedgate.Core.Storage.DownloadLinks(Secret, _clock);
        var (exp, sig) = Parse(links.Sign(Path, TimeSpan.FromHours(1)));
        var later = (long.Parse(exp!, System.Globalization.CultureInfo.InvariantCulture) + 3600).ToString(System.Globalization.CultureInfo.InvariantCulture);

        Assert.False(links.Verify(Path, later, sig));
        Assert.False(links.Verify(Path, "0" + exp, sig));
        Assert.False(links.Verify(Path, "+" + exp, sig));
        Assert.False(links.Verify(Path, exp + " ", sig));
    }

    [Fact]
    public void A_tampered_signature_fails()
    {
        var links = new Seedgate.Core.Storage.DownloadLinks(Secret, _clock);
        var (exp, sig) = Parse(links.Sign(Path, TimeSpan.FromHours(1)));
        var flipped = (sig![0] == 'A' ? "B" : "A") + sig[1..];

        Assert.False(links.Verify(Path, exp, flipped));
        Assert.False(links.Verify(Path, exp, sig[..^1]));
        Assert.False(links.Verify(Path, exp, sig + "A"));
        Assert.False(links.Verify(Path, exp, sig + "="));
        Assert.False(links.Verify(Path, exp, sig.Replace('-', '+').Replace('_', '/') + "!"));
    }

    [Fact]
    public void An_expired_link_fails()
    {
        var links = new Seedgate.Core.Storage.DownloadLinks(Secret, _clock);
        var (exp, sig) = Parse(links.Sign(Path, TimeSpan.FromMinutes(10)));

        _clock.Advance(TimeSpan.FromMinutes(9) + TimeSpan.FromSeconds(59));
        Assert.True(links.Verify(Path, exp, sig));

        _clock.Advance(TimeSpan.FromSeconds(1));
        Assert.False(links.Verify(Path, exp, sig));
    }

    [Fact]
    public void A_link_signed_with_another_secret_fails()
    {
        var other = new Seedgate.Core.Storage.DownloadLinks(Encoding.UTF8.GetBytes("another secret, also 32 bytes long"), _clock);
        var (exp, sig) = Parse(other.Sign(Path, TimeSpan.FromHours(1)));

        Assert.False(new Seedgate.Core.Storage.DownloadLinks(Secret, _clock).Verify(Path, exp, sig));
    }

    [Theory]
    [InlineData(null, "sig")]
    [InlineData("123", null)]
    [InlineData("", "")]
    [InlineData("not-a-number", "AAAA")]
    [InlineData("-5", "AAAA")]
    [InlineData("99999999999999999999999", "AAAA")]
    [InlineData("1800000000", "***")]
    [InlineData("1800000000", "!AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")] // the signature's length, one character outside base64url
    public void Missing_or_malformed_parameters_fail_without_throwing(string? exp, string? sig)
    {
        Assert.False(new Seedgate.Core.Storage.DownloadLinks(Secret, _clock).Verify(Path, exp, sig));
        Assert.False(new Seedgate.Core.Storage.DownloadLinks(Secret, _clock).Verify(null, exp, sig));
    }

    [Fact]
    public void Refuses_a_short_secret_and_a_non_positive_lifetime()
    {
        Assert.Throws<ArgumentException>(() => new Seedgate.Core.Storage.DownloadLinks(new byte[8], _clock));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Seedgate.Core.Storage.DownloadLinks(Secret, _clock).Sign(Path, TimeSpan.Zero));
    }

    private static (string? Exp, string? Sig) Parse(string query)
    {
        var values = HttpUtility.ParseQueryString(query);
        return (values["exp"], values["sig"]);
    }

    /// <summary>A clock that moves only when told to.</summary>
    private sealed class ManualTimeProvider(DateTimeOffset start) : TimeProvider
    {
        private DateTimeOffset _now = start;

        public override DateTimeOffset GetUtcNow() => _now;

        public void Advance(TimeSpan by) => _now += by;
    }
}
