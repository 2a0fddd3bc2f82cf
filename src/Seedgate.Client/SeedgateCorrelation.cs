namespace Seedgate.Client;

/// <summary>
/// The correlation id every call of the SDK sends as <c>X-Client-Request-Id</c>: the one of the innermost
/// <see cref="Begin"/> scope on this async flow, else a new one per call. Seedgate stores a create's id with the task and
/// shows it in its logs, spans, webhooks and the task view, so one id finds a job's whole life.
/// </summary>
public static class SeedgateCorrelation
{
    /// <summary>The header the id travels in.</summary>
    public const string HeaderName = "X-Client-Request-Id";

    private static readonly AsyncLocal<string?> Scope = new();

    /// <summary>The id of the innermost open scope, or <see langword="null"/>.</summary>
    public static string? Current => Scope.Value;

    /// <summary>Makes every SDK call on this async flow send <paramref name="correlationId"/> until the scope is disposed.</summary>
    /// <param name="correlationId">The id, e.g. the caller's own request id; at most 128 characters are kept by the server.</param>
    /// <returns>Ends the scope, bringing back the outer one.</returns>
    public static IDisposable Begin(string correlationId)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(correlationId);
        var outer = Scope.Value;
        Scope.Value = correlationId;
        return new End(outer);
    }

    /// <summary>A fresh id: <c>sg-</c> and 32 hex digits.</summary>
    public static string NewId() => "sg-" + Guid.NewGuid().ToString("N");

    private sealed class End(string? outer) : IDisposable
    {
        public void Dispose() => Scope.Value = outer;
    }
}
