namespace Seedgate.Server;

/// <summary>How `seedgate serve` starts the gateway.</summary>
/// <param name="Urls">Listen addresses, e.g. http://127.0.0.1:8080.</param>
/// <param name="DataDirectory">Where the SQLite file and the outputs live.</param>
/// <param name="ConfigurationArgs">Further configuration overrides as --Section:Key=value pairs.</param>
public sealed record ServeOptions(IReadOnlyList<string> Urls, string DataDirectory, IReadOnlyList<string> ConfigurationArgs);

/// <summary>Starts the gateway host.</summary>
public static class SeedgateServer
{
    /// <summary>Runs the gateway until the token is cancelled or the process is asked to stop; returns an exit code.</summary>
    public static Task<int> RunAsync(ServeOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        throw new NotSupportedException("The server host is being written in the foundation issue.");
    }
}
