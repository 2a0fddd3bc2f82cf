using Microsoft.AspNetCore.Http;
using Seedgate.Core.Generation;
using Seedgate.Server.Dialects;

namespace Seedgate.Server.Auth;

/// <summary>Requires `Authorization: Bearer &lt;key&gt;` on a dialect's routes; answers 401 in the dialect's error shape.</summary>
internal sealed class AccountFilter(IDialectErrors errors) : IEndpointFilter
{
    private const string AccountItem = "seedgate.account";

    public static string AccountOf(HttpContext context) => (string)context.Items[AccountItem]!;

    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        var header = http.Request.Headers.Authorization.ToString();
        const string Bearer = "Bearer ";
        if (!header.StartsWith(Bearer, StringComparison.OrdinalIgnoreCase) || header.Length == Bearer.Length)
        {
            return errors.Result(new SeedgateError(
                ErrorCodes.AuthenticationError, "The API key is missing: send Authorization: Bearer <key>.", "Authorization"));
        }

        var authenticator = http.RequestServices.GetRequiredService<ApiKeyAuthenticator>();
        var account = await authenticator.AuthenticateAsync(header[Bearer.Length..].Trim(), http.RequestAborted);
        if (account is null)
        {
            return errors.Result(new SeedgateError(ErrorCodes.AuthenticationError, "The API key is not valid.", "Authorization"));
        }

        http.Items[AccountItem] = account;
        return await next(context);
    }
}
