using System.CommandLine;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Seedgate.Client;
using StandardWebhooks;
using StandardWebhooks.Diagnostics;

namespace Seedgate.Cli;

/// <summary>
/// <c>seedgate webhooks create|list|deliveries|retry|callback-secret|listen</c>: the caller's webhook endpoints and
/// callback secret through the API, and
/// <c>listen</c>, a local receiver for development that verifies each delivery's Standard Webhooks signature and prints
/// the event.
/// </summary>
internal static class WebhooksCommand
{
    public const string SecretVariable = "SEEDGATE_WEBHOOK_SECRET";

    public static Command Create(CliEnvironment env) =>
        new("webhooks", "Webhook endpoints: signed deliveries of every task's status changes.")
        {
            CreateCommand(env), ListCommand(env), DeliveriesCommand(env), RetryCommand(env), CallbackSecretCommand(env), ListenCommand(env),
        };

    private static Command CreateCommand(CliEnvironment env)
    {
        var url = new Option<string>("--url") { Description = "Where deliveries go (http or https)", Required = true, HelpName = "URL" };
        var events = new Option<string[]>("--event")
        {
            Description = "An event type to receive (job.queued, job.running, job.succeeded, job.failed, job.cancelled, job.expired, job.segment.succeeded); repeat it. Default: all",
            AllowMultipleArgumentsPerToken = true,
        };
        var description = new Option<string>("--description") { Description = "A label for the endpoint" };
        var json = CliJson.Option("the endpoint, its secret included");
        var command = new Command("create", "Register an endpoint. Its signing secret (whsec_…) is printed once, on stdout.") { url, events, description, json };
        var api = ApiOptions.AddTo(command, env);
        command.SetAction((parseResult, cancellationToken) => CommandRunner.RunAsync(
            env,
            async () =>
            {
                using var http = env.CreateHttpClient();
                var chosen = parseResult.GetValue(events);
                var endpoint = await api.CreateClient(parseResult, http).CreateWebhookAsync(
                    new CreateWebhookRequest(parseResult.GetRequiredValue(url), chosen is { Length: > 0 } ? chosen : null, parseResult.GetValue(description)),
                    cancellationToken).ConfigureAwait(false);
                if (parseResult.GetValue(json))
                {
                    await CliJson.WriteAsync(env, endpoint).ConfigureAwait(false);
                    return ExitCodes.Ok;
                }

                await env.Out.WriteLineAsync(endpoint.Secret).ConfigureAwait(false);
                await env.Error.WriteLineAsync(
                    $"Created endpoint {endpoint.Id} for {endpoint.Url} ({string.Join(", ", endpoint.Events)}). The secret is shown only once: " +
                    $"store it now, e.g. export {SecretVariable}=… for `seedgate webhooks listen`.").ConfigureAwait(false);
                return ExitCodes.Ok;
            },
            cancellationToken));
        return command;
    }

    private static Command ListCommand(CliEnvironment env)
    {
        var json = CliJson.Option("the endpoints");
        var command = new Command("list", "List your endpoints (never their secrets).") { json };
        var api = ApiOptions.AddTo(command, env);
        command.SetAction((parseResult, cancellationToken) => CommandRunner.RunAsync(
            env,
            async () =>
            {
                using var http = env.CreateHttpClient();
                var endpoints = await api.CreateClient(parseResult, http).ListWebhooksAsync(cancellationToken).ConfigureAwait(false);
                if (parseResult.GetValue(json))
                {
                    await CliJson.WriteAsync(env, endpoints).ConfigureAwait(false);
                    return ExitCodes.Ok;
                }

                var table = new TextTable("ID", "URL", "EVENTS", "ENABLED", "CREATED");
                foreach (var e in endpoints)
                {
                    table.Add(e.Id, e.Url, string.Join(",", e.Events), e.Enabled ? "yes" : $"no ({e.DisabledReason ?? "by you"})", TextTable.Time(e.CreatedAt));
                }

                await table.WriteAsync(env.Out).ConfigureAwait(false);
                return ExitCodes.Ok;
            },
            cancellationToken));
        return command;
    }

    private static Command DeliveriesCommand(CliEnvironment env)
    {
        var id = new Argument<string>("endpoint") { Description = "The endpoint (ep_…)" };
        var job = new Option<string>("--task") { Description = "Only this task's deliveries", HelpName = "ID" };
        var json = CliJson.Option("the deliveries");
        var command = new Command("deliveries", "An endpoint's deliveries, newest first: status, attempts, last answer and latency.") { id, job, json };
        var api = ApiOptions.AddTo(command, env);
        command.SetAction((parseResult, cancellationToken) => CommandRunner.RunAsync(
            env,
            async () =>
            {
                using var http = env.CreateHttpClient();
                var deliveries = await api.CreateClient(parseResult, http)
                    .ListWebhookDeliveriesAsync(parseResult.GetRequiredValue(id), parseResult.GetValue(job), cancellationToken).ConfigureAwait(false);
                if (parseResult.GetValue(json))
                {
                    await CliJson.WriteAsync(env, deliveries).ConfigureAwait(false);
                    return ExitCodes.Ok;
                }

                var table = new TextTable("ID", "EVENT", "TASK", "STATUS", "ATTEMPTS", "LAST", "MS", "CREATED");
                foreach (var d in deliveries)
                {
                    table.Add(
                        d.Id, d.EventType, d.JobId, d.Status, d.Attempts.ToString(System.Globalization.CultureInfo.InvariantCulture),
                        d.LastStatusCode?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? d.LastError ?? "-",
                        d.LastLatencyMs?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "-", TextTable.Time(d.CreatedAt));
                }

                await table.WriteAsync(env.Out).ConfigureAwait(false);
                return ExitCodes.Ok;
            },
            cancellationToken));
        return command;
    }

    private static Command RetryCommand(CliEnvironment env)
    {
        var id = new Argument<string>("endpoint") { Description = "The endpoint (ep_…)" };
        var delivery = new Argument<string>("delivery") { Description = "The delivery (dlv_…, as `webhooks deliveries` shows it)" };
        var command = new Command("retry", "Send a delivery again now, with its original webhook-id.") { id, delivery };
        var api = ApiOptions.AddTo(command, env);
        command.SetAction((parseResult, cancellationToken) => CommandRunner.RunAsync(
            env,
            async () =>
            {
                using var http = env.CreateHttpClient();
                var sent = await api.CreateClient(parseResult, http)
                    .RetryWebhookDeliveryAsync(parseResult.GetRequiredValue(id), parseResult.GetRequiredValue(delivery), cancellationToken).ConfigureAwait(false);
                await env.Out.WriteLineAsync(sent.Status == "delivered"
                    ? $"{sent.Id} was already delivered"
                    : $"{sent.Id} ({sent.EventType} of {sent.JobId}) goes out again now").ConfigureAwait(false);
                return ExitCodes.Ok;
            },
            cancellationToken));
        return command;
    }

    private static Command CallbackSecretCommand(CliEnvironment env)
    {
        var overlap = new Option<int?>("--overlap") { Description = "Seconds a secret it replaces keeps signing too (default: the server's, 24 h)", HelpName = "SECONDS" };
        var command = new Command("callback-secret", "Set or rotate the secret that signs your tasks' callback_url deliveries. It is printed once, on stdout.") { overlap };
        var api = ApiOptions.AddTo(command, env);
        command.SetAction((parseResult, cancellationToken) => CommandRunner.RunAsync(
            env,
            async () =>
            {
                using var http = env.CreateHttpClient();
                var seconds = parseResult.GetValue(overlap);
                var set = await api.CreateClient(parseResult, http)
                    .SetCallbackSecretAsync(seconds is { } s ? TimeSpan.FromSeconds(s) : null, cancellationToken).ConfigureAwait(false);
                await env.Out.WriteLineAsync(set.Secret).ConfigureAwait(false);
                var previous = set.PreviousSecretUntil is { } until ? $" The previous secret signs too until {until:u}." : "";
                await env.Error.WriteLineAsync(
                    $"callback_url deliveries are now signed with this secret.{previous} It is shown only once: store it now, " +
                    $"e.g. export {SecretVariable}=… for `seedgate webhooks listen`.").ConfigureAwait(false);
                return ExitCodes.Ok;
            },
            cancellationToken));
        return command;
    }

    private static Command ListenCommand(CliEnvironment env)
    {
        var port = new Option<int>("--port") { Description = "The port to listen on (127.0.0.1); 0 picks a free one", DefaultValueFactory = _ => 8787 };
        var secret = new Option<string>("--secret") { Description = $"The endpoint's signing secret (whsec_…); default ${SecretVariable}", HelpName = "SECRET" };
        var json = CliJson.Option("each delivery's body");
        var command = new Command(
            "listen",
            "A local webhook receiver for development: verifies each delivery's signature, prints the event, answers 200 (401 to a bad signature).")
        {
            port, secret, json,
        };
        command.SetAction((parseResult, cancellationToken) => CommandRunner.RunAsync(
            env,
            async () =>
            {
                var key = parseResult.GetValue(secret) ?? env.GetVariable(SecretVariable);
                if (string.IsNullOrWhiteSpace(key))
                {
                    await env.Error.WriteLineAsync($"seedgate: give the endpoint's secret with --secret or ${SecretVariable}.").ConfigureAwait(false);
                    return ExitCodes.Usage;
                }

                return await ListenAsync(env, new StandardWebhook(key), parseResult.GetValue(port), parseResult.GetValue(json), cancellationToken).ConfigureAwait(false);
            },
            cancellationToken));
        return command;
    }

    private static async Task<int> ListenAsync(CliEnvironment env, StandardWebhook verifier, int port, bool json, CancellationToken cancellationToken)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        builder.Logging.ClearProviders();
        await using var app = builder.Build();
        var output = new SemaphoreSlim(1, 1);
        app.MapPost("/{**path}", async (HttpContext context) =>
        {
            using var reader = new StreamReader(context.Request.Body);
            var body = await reader.ReadToEndAsync(context.RequestAborted).ConfigureAwait(false);
            string line;
            bool verified;
            try
            {
                verifier.Verify(body, context.Request.Headers);
                verified = true;
                line = Describe(body, json);
            }
            catch (WebhookVerificationException e)
            {
                verified = false;
                line = $"REFUSED {context.Request.Headers["webhook-id"]}: {e.Message}";
            }

            await output.WaitAsync(context.RequestAborted).ConfigureAwait(false);
            try
            {
                await env.Out.WriteLineAsync(line).ConfigureAwait(false);
                await env.Out.FlushAsync(context.RequestAborted).ConfigureAwait(false);
            }
            finally
            {
                output.Release();
            }

            return verified ? Results.Ok() : Results.StatusCode(StatusCodes.Status401Unauthorized);
        });
        await app.StartAsync(cancellationToken).ConfigureAwait(false);
        await env.Error.WriteLineAsync($"Listening on {app.Urls.First()}/ (Ctrl+C to stop); signatures are checked.").ConfigureAwait(false);
        try
        {
            await Task.Delay(Timeout.Infinite, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }

        await app.StopAsync(CancellationToken.None).ConfigureAwait(false);
        return ExitCodes.Ok;
    }

    /// <summary>One line per verified delivery: the event, the task, its status; or the body itself with --json.</summary>
    private static string Describe(string body, bool json)
    {
        if (json)
        {
            return body;
        }

        var node = JsonNode.Parse(body);
        var task = node?["data"] ?? node; // an endpoint's envelope, or a callback_url's bare task
        return $"{(string?)node?["type"] ?? "callback"}  {(string?)task?["id"]}  {(string?)task?["status"]}  verified";
    }
}
