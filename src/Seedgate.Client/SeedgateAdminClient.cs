using System.Text.Json;
using System.Text.Json.Nodes;

namespace Seedgate.Client;

/// <summary>
/// A client for Seedgate's admin API (<c>/admin/v1</c>): accounts, their API keys and credits. It needs the server's
/// admin key (<c>SEEDGATE_ADMIN_KEY</c>) as <see cref="SeedgateClientOptions.ApiKey"/>; an API key is refused (403).
/// Reads, updates and revocations (which may be repeated safely) retry transient failures; creates and credits are
/// made once, never retried, so a lost answer never makes a second account, key or credit.
/// Thread-safe; share one instance. The <see cref="HttpClient"/> stays the caller's.
/// </summary>
public sealed class SeedgateAdminClient
{
    private const string Root = "admin/v1/";

    private readonly SeedgateTransport transport;

    /// <summary>Creates a client.</summary>
    /// <param name="httpClient">The HTTP client to send with.</param>
    /// <param name="options">The server address, the admin key (as <see cref="SeedgateClientOptions.ApiKey"/>) and the retry settings.</param>
    public SeedgateAdminClient(HttpClient httpClient, SeedgateClientOptions options) => transport = new SeedgateTransport(httpClient, options);

    /// <summary>Creates an account (<c>POST /admin/v1/accounts</c>). Made once, never retried.</summary>
    /// <param name="request">The id (optional), name, plan and overrides.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="SeedgateApiException">409 <c>AlreadyExists</c> when the id is taken; 400 naming a bad field.</exception>
    public Task<AdminAccount> CreateAccountAsync(CreateAccountRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var body = JsonSerializer.SerializeToUtf8Bytes(request, SeedgateJsonContext.Default.CreateAccountRequest);
        return transport.SendAsync(
            () => SeedgateTransport.JsonRequest(HttpMethod.Post, Uri("accounts"), body), SeedgateJsonContext.Default.AdminAccount, retry: false, cancellationToken);
    }

    /// <summary>Lists every account, oldest first (<c>GET /admin/v1/accounts</c>).</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    public async Task<IReadOnlyList<AdminAccount>> ListAccountsAsync(CancellationToken cancellationToken = default)
    {
        var list = await transport.SendAsync(
            () => new HttpRequestMessage(HttpMethod.Get, Uri("accounts")), SeedgateJsonContext.Default.AdminItemsAdminAccount, retry: true, cancellationToken)
            .ConfigureAwait(false);
        return list.Items ?? [];
    }

    /// <summary>Reads an account with its effective plan and this month's money (<c>GET /admin/v1/accounts/{id}</c>).</summary>
    /// <param name="accountId">The account id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="SeedgateApiException">404 <c>NotFound</c>.</exception>
    public Task<AdminAccount> GetAccountAsync(string accountId, CancellationToken cancellationToken = default)
    {
        var uri = AccountUri(accountId, "");
        return transport.SendAsync(() => new HttpRequestMessage(HttpMethod.Get, uri), SeedgateJsonContext.Default.AdminAccount, retry: true, cancellationToken);
    }

    /// <summary>Changes an account (<c>PATCH /admin/v1/accounts/{id}</c>, a JSON merge patch). The same patch twice gives the same account, so it is retried.</summary>
    /// <param name="accountId">The account id.</param>
    /// <param name="request">What changes.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="SeedgateApiException">404 <c>NotFound</c>; 400 naming a bad field (nothing changes then).</exception>
    public Task<AdminAccount> UpdateAccountAsync(string accountId, UpdateAccountRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.ClearOverrides && request.Overrides is not null)
        {
            throw new ArgumentException("ClearOverrides removes every override; leave Overrides null with it.", nameof(request));
        }

        var patch = new JsonObject();
        if (request.Name is not null)
        {
            patch["name"] = request.Name;
        }

        if (request.Plan is not null)
        {
            patch["plan"] = request.Plan;
        }

        if (request.ClearOverrides || request.Overrides is not null)
        {
            patch["overrides"] = request.Overrides?.DeepClone();
        }

        var body = JsonSerializer.SerializeToUtf8Bytes(patch, SeedgateJsonContext.Default.JsonObject);
        var uri = AccountUri(accountId, "");
        return transport.SendAsync(
            () => SeedgateTransport.JsonRequest(HttpMethod.Patch, uri, body), SeedgateJsonContext.Default.AdminAccount, retry: true, cancellationToken);
    }

    /// <summary>Creates an API key for an account (<c>POST /admin/v1/accounts/{id}/keys</c>). Made once, never retried.</summary>
    /// <param name="accountId">The account id.</param>
    /// <param name="name">A label, to recognise the key in listings.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The key with its id: <see cref="AdminCreatedKey.Key"/> is shown this once.</returns>
    public Task<AdminCreatedKey> CreateKeyAsync(string accountId, string name, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        var body = JsonSerializer.SerializeToUtf8Bytes(new AdminKeyBody(name), SeedgateJsonContext.Default.AdminKeyBody);
        var uri = AccountUri(accountId, "/keys");
        return transport.SendAsync(
            () => SeedgateTransport.JsonRequest(HttpMethod.Post, uri, body), SeedgateJsonContext.Default.AdminCreatedKey, retry: false, cancellationToken);
    }

    /// <summary>Lists an account's keys, revoked ones included (<c>GET /admin/v1/accounts/{id}/keys</c>).</summary>
    /// <param name="accountId">The account id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    public async Task<IReadOnlyList<AdminApiKey>> ListKeysAsync(string accountId, CancellationToken cancellationToken = default)
    {
        var uri = AccountUri(accountId, "/keys");
        var list = await transport.SendAsync(
            () => new HttpRequestMessage(HttpMethod.Get, uri), SeedgateJsonContext.Default.AdminItemsAdminApiKey, retry: true, cancellationToken).ConfigureAwait(false);
        return list.Items ?? [];
    }

    /// <summary>
    /// Revokes a key (<c>DELETE /admin/v1/keys/{id}</c>): every node refuses it within 2 s. Revoking a revoked key
    /// answers the same key (its first revocation time) with <see cref="AdminApiKey.AlreadyRevoked"/> set, so it is retried.
    /// </summary>
    /// <param name="keyId">The key's id (<c>key-…</c>).</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="SeedgateApiException">404 <c>NotFound</c>.</exception>
    public Task<AdminApiKey> RevokeKeyAsync(string keyId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(keyId);
        var uri = Uri("keys/" + System.Uri.EscapeDataString(keyId));
        return transport.SendAsync(() => new HttpRequestMessage(HttpMethod.Delete, uri), SeedgateJsonContext.Default.AdminApiKey, retry: true, cancellationToken);
    }

    /// <summary>Adds a credit to an account's ledger (<c>POST /admin/v1/accounts/{id}/credits</c>). Made once, never retried.</summary>
    /// <param name="accountId">The account id.</param>
    /// <param name="amountUsd">Dollars, not zero, at most 6 decimal places; negative for an adjustment.</param>
    /// <param name="note">Why (optional, up to 500 characters).</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The entry and the account's new balance.</returns>
    public Task<AdminCredit> AddCreditAsync(string accountId, decimal amountUsd, string? note = null, CancellationToken cancellationToken = default)
    {
        var body = JsonSerializer.SerializeToUtf8Bytes(new AdminCreditBody(amountUsd, note), SeedgateJsonContext.Default.AdminCreditBody);
        var uri = AccountUri(accountId, "/credits");
        return transport.SendAsync(
            () => SeedgateTransport.JsonRequest(HttpMethod.Post, uri, body), SeedgateJsonContext.Default.AdminCredit, retry: false, cancellationToken);
    }

    private Uri Uri(string path) => new(transport.BaseAddress, Root + path);

    private Uri AccountUri(string accountId, string rest)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(accountId);
        return Uri("accounts/" + System.Uri.EscapeDataString(accountId) + rest);
    }
}
