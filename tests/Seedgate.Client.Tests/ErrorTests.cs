using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Seedgate.Testing;

namespace Seedgate.Client.Tests;

/// <summary>How the SDK turns error answers into <see cref="SeedgateApiException"/>.</summary>
public sealed class ErrorTests
{
    [Fact]
    public async Task An_Ark_error_body_becomes_an_exception_with_code_message_param_and_request_id()
    {
        await using var server = await ArkTestServer.StartAsync(app =>
            app.MapPost(ArkTestServer.TasksPath, () => ArkTestServer.ArkError(400, "InvalidParameter", "duration must be 4-15", "duration")));
        using var http = TestClients.Http();

        var error = await Assert.ThrowsAnyAsync<SeedgateApiException>(() => TestClients.For(server, http).CreateTaskAsync(
            new CreateTaskRequest { Model = "m", Content = [ContentItem.FromText("p")], Duration = 99 }, cancellationToken: TestClients.Ct));

        Assert.Equal(HttpStatusCode.BadRequest, error.StatusCode);
        Assert.Equal("InvalidParameter", error.Code);
        Assert.Equal("duration must be 4-15", error.Message);
        Assert.Equal("duration", error.Param);
        Assert.Equal("BadRequest", error.Type);
        Assert.Equal("req-1", error.RequestId);
        Assert.False(error.IsTransient);
    }

    [Theory]
    [InlineData(400, "InvalidParameter", typeof(InvalidRequestException), false)]
    [InlineData(400, "InputTextSensitiveContentDetected", typeof(ContentPolicyException), false)]
    [InlineData(401, "AuthenticationError", typeof(AuthenticationFailedException), false)]
    [InlineData(402, "AccountOverdueError", typeof(BudgetExceededException), false)]
    [InlineData(403, "AccessDenied", typeof(PermissionDeniedException), false)]
    [InlineData(404, "NotFound", typeof(TaskNotFoundException), false)]
    [InlineData(409, "IdempotencyKeyReused", typeof(ConflictException), false)]
    [InlineData(429, "QuotaExceeded", typeof(QuotaExceededException), true)]
    [InlineData(429, "RateLimitExceeded", typeof(RateLimitedException), true)]
    [InlineData(503, "ServiceUnavailable", typeof(ServerErrorException), true)]
    [InlineData(418, "Teapot", typeof(SeedgateApiException), false)]
    public async Task Each_kind_of_refusal_is_its_own_exception_type_with_code_param_and_request_id(int status, string code, Type expected, bool transient)
    {
        await using var server = await ArkTestServer.StartAsync(app =>
            app.MapPost(ArkTestServer.TasksPath, (HttpResponse response) =>
            {
                response.Headers.RetryAfter = "7";
                return ArkTestServer.ArkError(status, code, "refused", "content");
            }));
        using var http = TestClients.Http();

        var error = await Assert.ThrowsAnyAsync<SeedgateApiException>(() => TestClients.For(server, http, maxRetries: 0).CreateTaskAsync(
            new CreateTaskRequest { Model = "m", Content = [ContentItem.FromText("p")] }, cancellationToken: TestClients.Ct));

        Assert.IsType(expected, error);
        Assert.Equal((code, "content", "req-1", transient), (error.Code, error.Param, error.RequestId, error.IsTransient));
        Assert.Single(server.Requests); // no retries were allowed: permanent or not, one request
        if (error is RateLimitedException limited)
        {
            Assert.Equal(TimeSpan.FromSeconds(7), limited.RetryAfter);
        }
    }

    [Fact]
    public async Task A_non_json_error_body_is_tolerated_and_summarised()
    {
        await using var server = await ArkTestServer.StartAsync(app =>
            app.MapGet(ArkTestServer.TasksPath + "/{id}", (string id) => Results.Text("<html>bad gateway</html>", "text/html", statusCode: 502)));
        using var http = TestClients.Http();

        var error = await Assert.ThrowsAnyAsync<SeedgateApiException>(() =>
            TestClients.For(server, http, maxRetries: 0).GetTaskAsync("cgt-1", cancellationToken: TestClients.Ct));

        Assert.Equal(HttpStatusCode.BadGateway, error.StatusCode);
        Assert.Null(error.Code);
        Assert.Contains("502", error.Message, StringComparison.Ordinal);
        Assert.Contains("bad gateway", error.Message, StringComparison.Ordinal);
        Assert.True(error.IsTransient);
    }

    [Fact]
    public async Task A_not_found_is_permanent_and_not_retried()
    {
        await using var server = await ArkTestServer.StartAsync(app =>
            app.MapGet(ArkTestServer.TasksPath + "/{id}", (string id) => ArkTestServer.ArkError(404, "NotFound", $"task {id} not found")));
        using var http = TestClients.Http();

        var error = await Assert.ThrowsAnyAsync<SeedgateApiException>(() =>
            TestClients.For(server, http).WaitAsync("cgt-gone", cancellationToken: TestClients.Ct));

        Assert.Equal("NotFound", error.Code);
        Assert.Single(server.Requests);
    }

    [Fact]
    public async Task A_success_body_that_is_not_json_is_an_InvalidResponse_error()
    {
        await using var server = await ArkTestServer.StartAsync(app =>
            app.MapGet(ArkTestServer.TasksPath + "/{id}", (string id) => Results.Text("hello", "text/plain")));
        using var http = TestClients.Http();

        var error = await Assert.ThrowsAnyAsync<SeedgateApiException>(() =>
            TestClients.For(server, http).GetTaskAsync("cgt-1", cancellationToken: TestClients.Ct));

        Assert.Equal("InvalidResponse", error.Code);
    }
}
