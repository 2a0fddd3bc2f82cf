using Seedgate.Client;

namespace Seedgate.Cli;

/// <summary>Runs a command body and turns the ways it can fail into a message on stderr and an exit code.</summary>
internal static class CommandRunner
{
    public static async Task<int> RunAsync(CliEnvironment env, Func<Task<int>> body, CancellationToken cancellationToken, Func<string>? onInterrupt = null)
    {
        try
        {
            return await body().ConfigureAwait(false);
        }
        catch (UsageException e)
        {
            await env.Error.WriteLineAsync("error: " + e.Message).ConfigureAwait(false);
            return ExitCodes.Usage;
        }
        catch (SeedgateApiException e)
        {
            await env.Error.WriteLineAsync(Describe(e)).ConfigureAwait(false);
            return ExitCodes.For(e);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            await env.Error.WriteLineAsync().ConfigureAwait(false);
            await env.Error.WriteLineAsync(onInterrupt?.Invoke() ?? "interrupted").ConfigureAwait(false);
            return ExitCodes.Interrupted;
        }
        catch (HttpRequestException e)
        {
            await env.Error.WriteLineAsync("error: cannot reach the Seedgate server: " + e.Message).ConfigureAwait(false);
            return ExitCodes.Failure;
        }
        catch (Exception e) when (e is TimeoutException or TaskCanceledException)
        {
            // TaskCanceledException without our token cancelled: an HTTP timeout.
            await env.Error.WriteLineAsync("error: timed out: " + e.Message).ConfigureAwait(false);
            return ExitCodes.Timeout;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException)
        {
            await env.Error.WriteLineAsync("error: " + e.Message).ConfigureAwait(false);
            return ExitCodes.Failure;
        }
    }

    /// <summary><c>error &lt;code&gt;: &lt;message&gt; (param: …)</c>, with the request id to quote in a report.</summary>
    public static string Describe(SeedgateApiException e)
    {
        var code = e.Code ?? ((int)e.StatusCode).ToString(System.Globalization.CultureInfo.InvariantCulture);
        var text = $"error {code}: {e.Message}";
        if (!string.IsNullOrEmpty(e.Param))
        {
            text += $" (param: {e.Param})";
        }

        if (!string.IsNullOrEmpty(e.RequestId))
        {
            text += $" [request {e.RequestId}]";
        }

        return text;
    }
}
