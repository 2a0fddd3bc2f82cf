using System.Text.Json.Serialization;

namespace Seedgate.Client;

/// <summary>Source-generated JSON for the Ark wire format and Seedgate's /v1 routes: snake_case names, nulls omitted, unknown fields ignored.</summary>
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
internal sealed partial class SeedgateJsonContext : JsonSerializerContext;

/// <summary>The answer to a create: <c>{"id":"cgt-…"}</c>.</summary>
internal sealed record CreatedTask(string? Id);

