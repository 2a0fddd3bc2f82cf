using Seedgate.Core.Media;

namespace Seedgate.Core.Tests.Media;

/// <summary>What of ffmpeg's stderr may reach a caller: the reason, without server paths or heap addresses.</summary>
public sealed class FfmpegCallerTextTests
{
    [Theory]
    [InlineData("[mov,mp4,m4a,3gp,3g2,mj2 @ 0x55f3112901c0] moov atom not found", "moov atom not found")]
    [InlineData("/var/lib/seedgate/work/cgt-20260101000000-abcdefgh-1a2b3c4d/ref-0: Invalid data found when processing input",
        "the input: Invalid data found when processing input")]
    [InlineData("Error opening input file:/data/work/cgt-x/ref-1.", "Error opening input the input.")]
    [InlineData("[png @ 0x7f00aa] Invalid PNG signature 0x1234.", "Invalid PNG signature 0x1234.")]
    public void Paths_and_addresses_are_removed(string line, string expected) => Assert.Equal(expected, FfmpegException.ForCaller(line));
}
