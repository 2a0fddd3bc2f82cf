namespace Seedgate.Cli.Tests;

/// <summary>Command-line mistakes are exit code 2 with a message, before anything is sent.</summary>
public sealed class ParsingTests
{
    private static readonly Dictionary<string, string> WithKey = new() { ["SEEDGATE_API_KEY"] = "k", ["SEEDGATE_URL"] = "http://127.0.0.1:1" };

    [Theory]
    [InlineData("generate", "a cat", "--bogus")]
    [InlineData("generate", "a cat", "--resolution", "4k")]
    [InlineData("generate", "a cat", "--duration", "five")]
    [InlineData("generate", "a cat", "--camera-motion", "barrel_roll")]
    [InlineData("status")]
    [InlineData("status", "cgt-1", "--wait", "61")]
    [InlineData("download")]
    [InlineData("frobnicate")]
    [InlineData]
    public async Task A_bad_command_line_exits_2_with_a_message_and_a_help_hint(params string[] args)
    {
        var run = await CliHarness.RunAsync(args, WithKey);

        Assert.Equal(2, run.ExitCode);
        Assert.StartsWith("error: ", run.Error, StringComparison.Ordinal);
        Assert.Contains("--help' for usage.", run.Error, StringComparison.Ordinal);
        Assert.Equal("", run.Out);
    }

    [Theory]
    [InlineData("--audio and --no-audio", "generate", "a cat", "--audio", "--no-audio")]
    [InlineData("--last-frame needs --image", "generate", "a cat", "--last-frame", "https://x/a.png")]
    [InlineData("cannot be combined", "generate", "a cat", "--image", "https://x/a.png", "--reference-image", "https://x/b.png")]
    [InlineData("neither an http(s)/data: URL nor an existing file", "generate", "a cat", "--image", "/no/such/file.png")]
    [InlineData("--url must be an http(s) address", "status", "cgt-1", "--url", "ftp://x")]
    public async Task Contradictions_and_missing_files_are_usage_errors(string message, params string[] args)
    {
        var run = await CliHarness.RunAsync(args, WithKey);

        Assert.Equal(2, run.ExitCode);
        Assert.Contains(message, run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_an_api_key_the_message_says_how_to_give_one()
    {
        var run = await CliHarness.RunAsync(["status", "cgt-1"]);

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("--api-key", run.Error, StringComparison.Ordinal);
        Assert.Contains("SEEDGATE_API_KEY", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Help_goes_to_stdout_and_exits_0()
    {
        var run = await CliHarness.RunAsync(["generate", "--help"]);

        Assert.Equal(0, run.ExitCode);
        Assert.Contains("--reference-image", run.Out, StringComparison.Ordinal);
        Assert.Contains("SEEDGATE_URL", run.Out, StringComparison.Ordinal);
    }
}
