using Microsoft.AspNetCore.Http;
using Seedgate.Core.Generation;
using Seedgate.Server.Dialects.Ark;

namespace Seedgate.Server.Dialects;

/// <summary>
/// The error body of paths no dialect owns (downloads, health, unknown roots): <c>{"error":{"code","message"}}</c>,
/// with the core's own (Ark's) codes and statuses.
/// </summary>
internal sealed class NeutralErrors : IDialectErrors
{
    public static NeutralErrors Instance { get; } = new();

    public IResult Result(SeedgateError error) => Result(error, ArkDialect.StatusOf(error.Code));

    public IResult Result(SeedgateError error, int status) =>
        Results.Json(new NeutralErrorBody(new NeutralErrorDetail(error.Code, error.Message)), DialectJson.Options, statusCode: status);
}

internal sealed record NeutralErrorBody(NeutralErrorDetail Error);

internal sealed record NeutralErrorDetail(string Code, string Message);
