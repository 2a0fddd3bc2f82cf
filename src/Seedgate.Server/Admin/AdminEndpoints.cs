using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Seedgate.Core.Accounts;
using Seedgate.Core.Generation;
using Seedgate.Core.Logging;
using Seedgate.Server.Auth;
using Seedgate.Server.Dialects;
using Seedgate.Server.Usage;

namespace Seedgate.Server.Admin;

/// <summary>
/// The admin API under <c>/admin/v1</c>: accounts, their keys and credits, for the admin key only
/// (<see cref="AdminFilter"/>). Seedgate's own routes, with the neutral error body; the checks are
/// <see cref="AccountAdministration"/>'s, this is only the HTTP.
/// </summary>
internal static partial class AdminEndpoints
{
    public const string Root = "/admin/v1";

    private static readonly string[] CreateAccountFields = ["id", "name", "plan", "overrides"];
    private static readonly string[] UpdateAccountFields = ["name", "plan", "overrides"];
    private static readonly string[] CreateKeyFields = ["name"];
    private static readonly string[] CreditFields = ["amount_usd", "note"];

    public static IServiceCollection AddAdmin(this IServiceCollection services, string? adminKey)
    {
        services.TryAddSingleton(new AdminKey(adminKey));
        services.TryAddSingleton<AccountAdministration>();
        return services;
    }

    public static IEndpointRouteBuilder MapAdmin(this IEndpointRouteBuilder app)
    {
        var admin = app.MapGroup(Root)
            .AddEndpointFilter(new DialectErrorFilter(NeutralErrors.Instance))
            .AddEndpointFilter(new AdminFilter())
            .WithTags("Admin");
        admin.MapPost("/accounts", CreateAccountAsync)
            .Produces<AccountView>(StatusCodes.Status201Created)
            .WithSummary("Creates an account: {id?, name, plan?, overrides?}; 409 when the id is taken.");
        admin.MapGet("/accounts", ListAccountsAsync)
            .Produces<AccountList>()
            .WithSummary("Lists every account, oldest first.");
        admin.MapGet("/accounts/{id}", GetAccountAsync)
            .Produces<AccountView>()
            .WithSummary("Gets an account: its plan, overrides, effective plan and this month's money.");
        admin.MapPatch("/accounts/{id}", UpdateAccountAsync)
            .Produces<AccountView>()
            .WithSummary("Changes an account: {name?, plan?, overrides?}; overrides is a JSON merge patch (null removes a field).");
        admin.MapPost("/accounts/{id}/keys", CreateKeyAsync)
            .Produces<CreatedKeyView>(StatusCodes.Status201Created)
            .WithSummary("Creates an API key for the account: {name}; the key is in this answer only.");
        admin.MapGet("/accounts/{id}/keys", ListKeysAsync)
            .Produces<KeyList>()
            .WithSummary("Lists the account's keys, revoked ones included (never a key or its hash).");
        admin.MapDelete("/keys/{id}", RevokeKeyAsync)
            .Produces<KeyView>()
            .WithSummary("Revokes a key on every node within 2 s; revoking it again answers the same, with already_revoked.");
        admin.MapPost("/accounts/{id}/credits", AddCreditAsync)
            .Produces<CreditView>(StatusCodes.Status201Created)
            .WithSummary("Adds a credit (negative: an adjustment): {amount_usd, note?}; answers the entry and the new balance.");
        return app;
    }

    private static async Task<IResult> CreateAccountAsync(HttpContext context, AccountAdministration admin, ILogger<AccountAdministration> logger)
    {
        var body = await AdminBody.ReadAsync(context.Request, CreateAccountFields, context.RequestAborted);
        var created = await admin.CreateAsync(
            new NewAccount(body.Text("id"), body.Text("name"), body.Text("plan"), body.Object("overrides")), context.RequestAborted);
        Log.AccountCreated(logger, created.Account.Id, created.Account.Plan, created.Account.Overrides);
        context.Response.Headers.Location = $"{Root}/accounts/{Uri.EscapeDataString(created.Account.Id)}";
        return Results.Json(AccountView.Of(created), DialectJson.Options, statusCode: StatusCodes.Status201Created);
    }

    private static async Task<IResult> ListAccountsAsync(HttpContext context, AccountAdministration admin)
    {
        var accounts = await admin.ListAsync(context.RequestAborted);
        return Results.Json(new AccountList([.. accounts.Select(a => AccountView.Of(a))], accounts.Count), DialectJson.Options);
    }

    private static async Task<IResult> GetAccountAsync(string id, HttpContext context, AccountAdministration admin, IAccountStore accounts, TimeProvider time)
    {
        var details = await admin.GetAsync(id, context.RequestAborted);
        var balance = await BalanceSummary.ReadAsync(accounts, id, details.Effective, time.GetUtcNow(), context.RequestAborted);
        return Results.Json(AccountView.Of(details, balance), DialectJson.Options);
    }

    private static async Task<IResult> UpdateAccountAsync(string id, HttpContext context, AccountAdministration admin, ILogger<AccountAdministration> logger)
    {
        var body = await AdminBody.ReadAsync(context.Request, UpdateAccountFields, context.RequestAborted);
        foreach (var field in (string[])["name", "plan"])
        {
            if (body.IsNull(field))
            {
                throw new SeedgateException(SeedgateError.Invalid(
                    field, $"{field} cannot be removed (null); leave it out to keep it, or give a new value."));
            }
        }

        var changes = new AccountChanges(body.Text("name"), body.Text("plan"), body.Object("overrides"), ClearOverrides: body.IsNull("overrides"));
        var updated = await admin.UpdateAsync(id, changes, context.RequestAborted);
        Log.AccountUpdated(logger, id, updated.Account.Plan, updated.Account.Overrides);
        return Results.Json(AccountView.Of(updated), DialectJson.Options);
    }

    /// <summary>Also the self-service route's (<see cref="Usage.KeyEndpoints"/>), for the caller's own account.</summary>
    internal static async Task<IResult> CreateKeyAsync(string id, HttpContext context, AccountAdministration admin, ILogger<AccountAdministration> logger)
    {
        var body = await AdminBody.ReadAsync(context.Request, CreateKeyFields, context.RequestAborted);
        var (key, record) = await admin.CreateKeyAsync(id, body.Text("name"), context.RequestAborted);
        Log.KeyCreated(logger, record.Id, record.AccountId, record.Prefix);
        return Results.Json(
            new CreatedKeyView(record.Id, key, record.AccountId, record.Name, record.Prefix, record.CreatedAt),
            DialectJson.Options,
            statusCode: StatusCodes.Status201Created);
    }

    internal static async Task<IResult> ListKeysAsync(string id, HttpContext context, AccountAdministration admin)
    {
        var keys = await admin.ListKeysAsync(id, context.RequestAborted);
        return Results.Json(new KeyList([.. keys.Select(k => KeyView.Of(k))]), DialectJson.Options);
    }

    private static Task<IResult> RevokeKeyAsync(
        string id, HttpContext context, AccountAdministration admin, ApiKeyAuthenticator authenticator, ILogger<AccountAdministration> logger) =>
        RevokeKeyOfAsync(id, null, context, admin, authenticator, logger);

    /// <param name="accountId">The account the key must belong to (the self-service route), or null (the admin's: any).</param>
    internal static async Task<IResult> RevokeKeyOfAsync(
        string id, string? accountId, HttpContext context, AccountAdministration admin, ApiKeyAuthenticator authenticator, ILogger<AccountAdministration> logger)
    {
        var revocation = await admin.RevokeKeyAsync(id, context.RequestAborted, accountId);
        authenticator.Forget(revocation.Key.Hash);
        if (!revocation.AlreadyRevoked)
        {
            Log.KeyRevoked(logger, revocation.Key.Id, revocation.Key.AccountId);
        }

        return Results.Json(KeyView.Of(revocation.Key, revocation.AlreadyRevoked), DialectJson.Options);
    }

    private static async Task<IResult> AddCreditAsync(string id, HttpContext context, AccountAdministration admin, ILogger<AccountAdministration> logger)
    {
        var body = await AdminBody.ReadAsync(context.Request, CreditFields, context.RequestAborted);
        var entry = await admin.AddCreditAsync(id, body.Decimal("amount_usd"), body.Text("note"), context.RequestAborted);
        Log.CreditAdded(logger, entry.EntryId, entry.AccountId, entry.AmountMicros);
        return Results.Json(CreditView.Of(entry), DialectJson.Options, statusCode: StatusCodes.Status201Created);
    }

    private static partial class Log
    {
        [LoggerMessage(LogEvents.AccountCreated, LogLevel.Information, "Admin: created account {AccountId} (plan {Plan}, overrides {Overrides})")]
        public static partial void AccountCreated(ILogger logger, string accountId, string plan, string overrides);

        [LoggerMessage(LogEvents.AccountUpdated, LogLevel.Information, "Admin: changed account {AccountId} (plan {Plan}, overrides {Overrides})")]
        public static partial void AccountUpdated(ILogger logger, string accountId, string plan, string overrides);

        [LoggerMessage(LogEvents.KeyCreated, LogLevel.Information, "Admin: created key {KeyId} ({Prefix}…) for account {AccountId}")]
        public static partial void KeyCreated(ILogger logger, string keyId, string accountId, string prefix);

        [LoggerMessage(LogEvents.KeyRevoked, LogLevel.Information, "Admin: revoked key {KeyId} of account {AccountId}")]
        public static partial void KeyRevoked(ILogger logger, string keyId, string accountId);

        [LoggerMessage(LogEvents.CreditAdded, LogLevel.Information, "Admin: ledger entry {EntryId} credits {AmountMicros} micro-dollars to account {AccountId}")]
        public static partial void CreditAdded(ILogger logger, long entryId, string accountId, long amountMicros);
    }
}
