using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace Seedgate.Client;

/// <summary>Source-generated JSON for the Ark wire format, Seedgate's /v1 routes and the admin API: snake_case names, nulls omitted, unknown fields ignored.</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    NumberHandling = JsonNumberHandling.AllowReadingFromString)]
[JsonSerializable(typeof(CreateTaskRequest))]
[JsonSerializable(typeof(GenerationTask))]
[JsonSerializable(typeof(TaskList))]
[JsonSerializable(typeof(CreatedTask))]
[JsonSerializable(typeof(AccountBalance))]
[JsonSerializable(typeof(AccountUsage))]
[JsonSerializable(typeof(AdminAccount))]
[JsonSerializable(typeof(AdminItems<AdminAccount>))]
[JsonSerializable(typeof(AdminItems<AdminApiKey>))]
[JsonSerializable(typeof(AdminCreatedKey))]
[JsonSerializable(typeof(AdminApiKey))]
[JsonSerializable(typeof(AdminCredit))]
[JsonSerializable(typeof(CreateAccountRequest))]
[JsonSerializable(typeof(AdminCreditBody))]
[JsonSerializable(typeof(AdminKeyBody))]
[JsonSerializable(typeof(CreateWebhookRequest))]
[JsonSerializable(typeof(WebhookEndpoint))]
[JsonSerializable(typeof(WebhookList<WebhookEndpoint>))]
[JsonSerializable(typeof(WebhookDelivery))]
[JsonSerializable(typeof(WebhookList<WebhookDelivery>))]
[JsonSerializable(typeof(WebhookChangeBody))]
[JsonSerializable(typeof(CallbackSecret))]
[JsonSerializable(typeof(CallbackSecretBody))]
[JsonSerializable(typeof(JsonObject))]
internal sealed partial class SeedgateJsonContext : JsonSerializerContext;

/// <summary>The answer to a create: <c>{"id":"cgt-…"}</c>.</summary>
internal sealed record CreatedTask(string? Id);

