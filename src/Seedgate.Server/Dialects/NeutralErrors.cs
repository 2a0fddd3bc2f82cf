using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http;
using Seedgate.Core.Generation;
using Seedgate.Server.Dialects.Ark;

namespace Seedgate.Server.Dialects;

/// <summary>
/// The error body of paths no dialect owns (downloads, health, Seedgate's own routes, unknown roots):
/// <c>{"error":{"code","message","param"}}</c> (param, the field at fault, only when one is), with the core's own (Ark's)
/// codes and statuses.
/// </summary>
internal sealed class NeutralErrors : IDialectErrors
{
    public static NeutralErrors Instance { get; } = new();

    public IResult Result(SeedgateError error) => Result(error, ArkDialect.StatusOf(error.Code));

    public IResult Result(SeedgateError error, int status) =>
        Results.Json(new NeutralErrorBody(new NeutralErrorDetail(error.Code, error.Message, error.Param)), DialectJson.Options, statusCode: status);
}

internal sealed record NeutralErrorBody(NeutralErrorDetail Error);

internal sealed record NeutralErrorDetail(
    string Code, string Message, [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Param = null);
