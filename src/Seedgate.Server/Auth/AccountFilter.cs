using Microsoft.AspNetCore.Http;
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
        if (BearerKey.Read(http.Request, out var key) is { } refused)
        {
            return errors.Result(refused);
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
