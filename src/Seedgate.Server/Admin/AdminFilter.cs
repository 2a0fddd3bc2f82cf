using Microsoft.AspNetCore.Http;
using Seedgate.Core.Generation;
using Seedgate.Server.Auth;
using Seedgate.Server.Dialects;

namespace Seedgate.Server.Admin;

/// <summary>The admin key (SEEDGATE_ADMIN_KEY); unset, the admin API is off.</summary>
internal sealed class AdminKey(string? key)
{
    public ConfiguredKey Key { get; } = new(key);
}

/// <summary>
/// Lets only the admin key through to the admin routes, in the neutral error body: a missing, malformed or unknown
/// key is a 401; a valid API key (a tenant's, or SEEDGATE_API_KEY) is a 403 AccessDenied, as is every call while no
/// admin key is configured (no credential could help, so the answer does not ask for one).
/// </summary>
internal sealed class AdminFilter : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        var admin = http.RequestServices.GetRequiredService<AdminKey>().Key;
        if (!admin.IsSet)
        {
            return Refuse(new SeedgateError(
                ErrorCodes.AccessDenied, $"The admin API is off: start the server with {SeedgateServer.AdminKeyVariable} set to turn it on."));
        }

        if (BearerKey.Read(http.Request, out var key) is { } refused)
        {
            return Refuse(refused);
        }

        if (admin.Matches(key))
        {
            return await next(context);
        }

        var account = await http.RequestServices.GetRequiredService<ApiKeyAuthenticator>().AuthenticateAsync(key, http.RequestAborted);
        return Refuse(account is null
            ? new SeedgateError(ErrorCodes.AuthenticationError, "The admin key is not valid.", "Authorization")
            : new SeedgateError(
                ErrorCodes.AccessDenied, $"An API key cannot use the admin API: send the admin key ({SeedgateServer.AdminKeyVariable}).", "Authorization"));
    }

    private static IResult Refuse(SeedgateError error) => NeutralErrors.Instance.Result(error);
}
