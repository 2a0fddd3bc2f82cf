using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;
using Seedgate.Core.Generation;
using Seedgate.Server.Dialects;

namespace Seedgate.Server.Auth;

/// <summary>Requires `Authorization: Bearer &lt;key&gt;` on a dialect's routes; a missing, malformed or unknown key is a 401 in the dialect's error shape.</summary>
internal sealed class AccountFilter(IDialectErrors errors) : IEndpointFilter
{
    private const string AccountItem = "seedgate.account";

    public static string AccountOf(HttpContext context) => (string)context.Items[AccountItem]!;

    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        var header = http.Request.Headers.Authorization;
        if (StringValues.IsNullOrEmpty(header))
        {
            return errors.Result(new SeedgateError(
                ErrorCodes.AuthenticationError, "The API key is missing: send Authorization: Bearer <key>.", "Authorization"));
        }

        if (!BearerKey.TryRead(header.ToString(), out var key))
        {
            return errors.Result(new SeedgateError(
                ErrorCodes.AuthenticationError, "The Authorization header is malformed: send Authorization: Bearer <key>.", "Authorization"));
        }

        var authenticator = http.RequestServices.GetRequiredService<ApiKeyAuthenticator>();
        var account = await authenticator.AuthenticateAsync(key, http.RequestAborted);
        if (account is null)
        {
            return errors.Result(new SeedgateError(ErrorCodes.AuthenticationError, "The API key is not valid.", "Authorization"));
        }

        http.Items[AccountItem] = account;
        return await next(context);
    }
}
