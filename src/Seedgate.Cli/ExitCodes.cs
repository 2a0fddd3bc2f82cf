namespace Seedgate.Cli;

/// <summary>What `seedgate` returns to the shell.</summary>
internal static class ExitCodes
{
    public const int Ok = 0;

    /// <summary>The job failed (failed, cancelled, expired) or the API refused the call.</summary>
    public const int Failure = 1;

    /// <summary>The command line was wrong: unknown option, bad value, missing key or file.</summary>
    public const int Usage = 2;

    /// <summary>Interrupted by Ctrl+C (128 + SIGINT), as shells expect.</summary>
    public const int Interrupted = 130;
}

/// <summary>A mistake in how the command was called: reported without a stack trace, exit code 2.</summary>
internal sealed class UsageException(string message) : Exception(message);
