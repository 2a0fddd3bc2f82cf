using Seedgate.Client;

namespace Seedgate.Cli;

/// <summary>What `seedgate` returns to the shell (README, "The `seedgate` CLI": one code per kind of outcome a script tells apart).</summary>
internal static class ExitCodes
{
    public const int Ok = 0;

    /// <summary>The job failed (failed, cancelled, expired) or the API refused the call for a reason without its own code.</summary>
    public const int Failure = 1;

    /// <summary>The command line was wrong: unknown option, bad value, missing key or file.</summary>
    public const int Usage = 2;

    /// <summary>The server refused the request as invalid (400: a field missing or out of range).</summary>
    public const int InvalidRequest = 3;

    /// <summary>A content check refused the prompt, an input or the output (the call, or the task's failure).</summary>
    public const int ContentPolicy = 4;

    /// <summary>Rate limited or at the plan's cap of tasks, after the retries ran out.</summary>
    public const int RateLimited = 5;

    /// <summary>The account's monthly budget (or balance) does not cover the task.</summary>
    public const int Budget = 6;

    /// <summary>Waiting or a request timed out (the task may still finish on the server).</summary>
    public const int Timeout = 7;

    /// <summary>The code for an API refusal.</summary>
    public static int For(SeedgateApiException error) => error switch
    {
        InvalidRequestException => InvalidRequest,
        ContentPolicyException => ContentPolicy,
        RateLimitedException or QuotaExceededException => RateLimited,
        BudgetExceededException => Budget,
        _ => Failure,
    };

    /// <summary>The code for a task that ended without success: a content-policy failure has its own.</summary>
    public static int ForTask(GenerationTask task) =>
        task is { Status: TaskStatuses.Failed, Error.IsContentPolicy: true }
            ? ContentPolicy
            : Failure;

    /// <summary>Interrupted by Ctrl+C (128 + SIGINT), as shells expect.</summary>
    public const int Interrupted = 130;
}

/// <summary>A mistake in how the command was called: reported without a stack trace, exit code 2.</summary>
internal sealed class UsageException(string message) : Exception(message);
