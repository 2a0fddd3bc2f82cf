using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Seedgate.Core.Accounts;
using Seedgate.Server.Admin;
using Seedgate.Server.Auth;

namespace Seedgate.Server.Usage;

/// <summary>
/// <c>/v1/keys</c>: a tenant manages its own keys with one of them — create (the key is in that answer only), list (by
/// prefix, never a key or its hash), revoke (on every node within 2 s; another account's key is not found). The same
/// handlers as the admin's routes, for the caller's account.
/// </summary>
internal static class KeyEndpoints
{
    public const string Path = "/v1/keys";

    public static IEndpointRouteBuilder MapKeys(this IEndpointRouteBuilder app)
    {
        app.MapPost(Path, (HttpContext context, AccountAdministration admin, ILogger<AccountAdministration> logger) =>
                AdminEndpoints.CreateKeyAsync(AccountFilter.AccountOf(context), context, admin, logger))
            .ForCallersAccount()
            .Produces<CreatedKeyView>(StatusCodes.Status201Created)
            .WithSummary("Creates an API key for the caller's account: {name}; the key is in this answer only.");
        app.MapGet(Path, (HttpContext context, AccountAdministration admin) =>
                AdminEndpoints.ListKeysAsync(AccountFilter.AccountOf(context), context, admin))
            .ForCallersAccount()
            .Produces<KeyList>()
            .WithSummary("Lists the caller's keys, revoked ones included (never a key or its hash).");
        app.MapDelete(Path + "/{id}", (string id, HttpContext context, AccountAdministration admin, ApiKeyAuthenticator authenticator, ILogger<AccountAdministration> logger) =>
                AdminEndpoints.RevokeKeyOfAsync(id, AccountFilter.AccountOf(context), context, admin, authenticator, logger))
            .ForCallersAccount()
            .Produces<KeyView>()
            .WithSummary("Revokes one of the caller's keys on every node within 2 s (it may be the key of this call).");
        return app;
    }
}
