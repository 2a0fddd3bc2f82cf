using Microsoft.AspNetCore.Http;
using Seedgate.Core.Generation;
using Seedgate.Server.Dialects;

namespace Seedgate.Server.Auth;

/// <summary>
/// Requires `Authorization: Bearer &lt;key&gt;` on a dialect's routes; a missing, malformed or unknown key is a 401 in the
/// dialect's error shape. The admin key may read (GET, HEAD) any account's routes by naming it in
/// <see cref="AccountHeader"/> — how the operator's console looks at an account; it changes nothing as one (403).
/// </summary>
internal sealed class AccountFilter(IDialectErrors errors) : IEndpointFilter
{
    /// <summary>The account the admin key reads as.</summary>
    public const string AccountHeader = "X-Seedgate-Account";

    private const string AccountItem = "seedgate.account";

    public static string AccountOf(HttpContext context) => (string)context.Items[AccountItem]!;

    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        if (BearerKey.Read(http.Request, out var key) is { } refused)
        {
            return errors.Result(refused);
        }

        if (http.Request.Headers[AccountHeader].ToString() is { Length: > 0 } named
            && http.RequestServices.GetRequiredService<Admin.AdminKey>().Key.Matches(key))
        {
            if (!HttpMethods.IsGet(http.Request.Method) && !HttpMethods.IsHead(http.Request.Method))
            {
                return errors.Result(new SeedgateError(
                    ErrorCodes.AccessDenied, "The admin key only reads an account's routes; changes need one of the account's keys.", "Authorization"));
            }

            http.Items[AccountItem] = named;
            return await next(context);
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
