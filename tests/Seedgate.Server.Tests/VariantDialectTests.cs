using System.Text.Json.Nodes;
using Seedgate.Core.Jobs;
using Seedgate.Server.Dialects.Variants;
using Seedgate.Server.Tests.Infrastructure;

namespace Seedgate.Server.Tests;

/// <summary>
/// The variant dialect (SPEC §2.3, Modellix's envelope): one route per Seedance 2.0 variant, its rules as 400s naming
/// the field, its statuses, an absolute get_result URL, and the same jobs read through the Ark and SeeDance v1 dialects.
/// </summary>
public sealed class VariantDialectTests : IClassFixture<ApiOnlyGatewayFixture>
{
    private const string Variants = "/api/v1/bytedance";
    private readonly Gateway _gateway;

    public VariantDialectTests(ApiOnlyGatewayFixture fixture) => _gateway = fixture.Gateway;

    [Fact]
    public async Task An_i2v_task_renders_and_reads_the_same_through_every_dialect()
    {
        await using var gateway = await Gateway.StartAsync();
        var image = Media.DataUrl("image/png", await Media.PngAsync(640, 640));
        var (status, created) = await gateway.PostAsync($"{Variants}/seedance-2.0-i2v/async", new
        {
            prompt = "the kite rises over the dunes",
            images = new[] { new { url = image, role = "first_frame" } },
            resolution = "480p",
            duration = 4,
        });

        Assert.True(status == 200, created.ToJsonString());
        Assert.Equal((0, "success"), ((int)created["code"]!, (string?)created["message"]));
        var data = created["data"]!;
        var id = (string)data["task_id"]!;
        Assert.Equal("pending", (string?)data["status"]);
        var resultUrl = new Uri((string)data["get_result"]!["url"]!);
        Assert.True(resultUrl.IsAbsoluteUri);
        Assert.Equal($"/api/v1/tasks/{id}", resultUrl.AbsolutePath);

        var task = await WaitAsync(gateway, resultUrl.PathAndQuery);
        Assert.True((string?)task["status"] == "success", task.ToJsonString());
        Assert.Equal("seedance-2.0-i2v", (string?)task["model_id"]);
        Assert.True((bool)task["generate_audio"]!); // the variant default
        Assert.Equal((4.0, 0.12m), ((double)task["usage"]!["seconds"]!, (decimal)task["usage"]!["cost_usd"]!)); // 480p at $0.030 a second
        var probe = await Media.ProbeAsync(await gateway.DownloadAsync((string)task["result"]!["video_url"]!));
        Assert.Equal((true, true), (probe.AudioCodec is not null, (bool)task["result"]!["has_audio"]!)); // generate_audio defaults to true
        Assert.Equal(probe.Width, probe.Height); // the image's 1:1 (adaptive)

        var (_, ark) = await gateway.GetAsync($"/api/v3/contents/generations/tasks/{id}");
        Assert.Equal(("succeeded", "seedance-2.0-i2v"), ((string?)ark["status"], (string?)ark["model"]));
        var (_, v1) = await gateway.GetAsync($"/seedance/v1/videos/{id}");
        Assert.Equal("completed", (string?)v1["status"]);
    }

    [Theory]
    [InlineData("seedance-2.0-i2v", """{"prompt":"x"}""", "images")]
    [InlineData("seedance-2.0-i2v", """{"images":[{"url":"https://example.com/a.png"}],"videos":[{"url":"https://example.com/v.mp4"}]}""", "videos[0].url")]
    [InlineData("seedance-2.0-v2v", """{"prompt":"x","images":[{"url":"https://example.com/a.png","role":"reference"}]}""", "images")]
    [InlineData("seedance-2.0-fast-v2v", """{"videos":[{"url":"https://example.com/v.mp4"}],"resolution":"1080p"}""", "resolution")]
    [InlineData("seedance-2.0-v2v", """{"videos":[{"url":"https://example.com/v.mp4"}],"duration":16}""", "duration")]
    [InlineData("seedance-2.0-i2v", """{"images":[{"url":"https://example.com/a.png","role":"hero"}]}""", "images[0].role")]
    [InlineData("seedance-2.0-i2v", """{"images":[{"role":"first_frame"}]}""", "images[0].url")]
    [InlineData("seedance-2.0-v2v", """{"videos":[{"url":"https://example.com/v.mp4","role":"first_frame"}]}""", "videos[0].role")]
    [InlineData("seedance-2.0-v2v", """{"videos":[{"url":"https://example.com/1.mp4"},{"url":"https://example.com/2.mp4"},{"url":"https://example.com/3.mp4"},{"url":"https://example.com/4.mp4"}]}""", "videos[3]")]
    [InlineData("seedance-2.0-i2v", """{"images":[{"url":"https://example.com/a.png"}],"audios":[{"url":"https://example.com/1.mp3"},{"url":"https://example.com/2.mp3"},{"url":"https://example.com/3.mp3"},{"url":"https://example.com/4.mp3"}]}""", "audios[3]")]
    [InlineData("seedance-2.0-i2v", """{"images":"a.png"}""", "images")]
    public async Task A_create_breaking_the_variants_rules_is_a_400_naming_the_field(string variant, string json, string param)
    {
        var (status, body) = await PostJsonAsync($"{Variants}/{variant}/async", json);

        Assert.Equal(400, status);
        Assert.Equal(400, (int)body["code"]!);
        Assert.StartsWith("Bad Request: ", (string?)body["message"], StringComparison.Ordinal);
        Assert.StartsWith(param, (string?)body["param"], StringComparison.Ordinal);
        Assert.False(body.ContainsKey("data"));
    }

    [Fact]
    public async Task The_variants_take_their_media_and_an_automatic_length()
    {
        var (status, created) = await PostJsonAsync($"{Variants}/seedance-2.0-v2v/async", """
            {"prompt":"carry on","videos":[{"url":"https://example.com/v.mp4"}],
             "images":[{"url":"https://example.com/a.png"},{"url":"https://example.com/b.png"}],
             "audios":[{"url":"https://example.com/a.mp3"}],"duration":-1,"generate_audio":false,"seed":7,"ratio":"9:16"}
            """);
        Assert.True(status == 200, created.ToJsonString());

        var (_, task) = await _gateway.GetAsync($"/api/v1/tasks/{created["data"]!["task_id"]}");
        var data = task["data"]!;
        Assert.Equal(("pending", "seedance-2.0-v2v", 7L), ((string?)data["status"], (string?)data["model_id"], (long)data["seed"]!));
        Assert.Equal(("720p", "9:16", false), ((string?)data["resolution"], (string?)data["ratio"], (bool)data["generate_audio"]!));
        Assert.Null(data["result"]);
        Assert.Null(data["usage"]);
    }

    [Fact]
    public async Task An_unknown_variant_an_unknown_task_and_a_missing_key_answer_in_the_envelope()
    {
        var (status, body) = await PostJsonAsync($"{Variants}/seedance-9-i2v/async", "{}");
        Assert.Equal((404, 404, "model"), (status, (int)body["code"]!, (string?)body["param"]));
        Assert.Contains("seedance-2.0-fast-v2v", (string?)body["message"], StringComparison.Ordinal);

        var (missing, unknown) = await _gateway.GetAsync("/api/v1/tasks/cgt-20260101000000-abcdefgh");
        Assert.Equal((404, "Not Found: The task cgt-20260101000000-abcdefgh was not found."), (missing, (string?)unknown["message"]));

        using var anonymous = _gateway.Client(null);
        using var response = await anonymous.GetAsync("/api/v1/tasks/cgt-20260101000000-abcdefgh");
        var refused = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.Equal((401, 401), ((int)response.StatusCode, (int)refused["code"]!));

        var (noRoute, none) = await _gateway.GetAsync("/api/v1/nothing-here");
        Assert.Equal((404, 404), (noRoute, (int)none["code"]!));
    }

    [Theory]
    [InlineData(JobStatus.Queued, null, "pending")]
    [InlineData(JobStatus.Running, null, "processing")]
    [InlineData(JobStatus.Succeeded, null, "success")]
    [InlineData(JobStatus.Failed, "OutputVideoSensitiveContentDetected", "content_policy")]
    [InlineData(JobStatus.Failed, "InputImageSensitiveContentDetected", "content_policy")]
    [InlineData(JobStatus.Failed, "InvalidParameter", "invalid_input")]
    [InlineData(JobStatus.Failed, "InternalServiceError", "failed")]
    [InlineData(JobStatus.Expired, "ExecutionExpired", "failed")]
    [InlineData(JobStatus.Cancelled, null, "failed")]
    public void Each_job_status_reads_as_a_variant_status(JobStatus status, string? code, string expected)
    {
        var job = new Job
        {
            Id = "cgt-20260101000000-abcdefgh",
            AccountId = "a",
            Status = status,
            Request = new() { Model = "seedance-2.0-i2v" },
            RequestedModel = "seedance-2.0-i2v",
            CreatedAt = DateTimeOffset.UnixEpoch,
            UpdatedAt = DateTimeOffset.UnixEpoch,
            ExpiresAt = DateTimeOffset.UnixEpoch,
            Engine = "sandbox",
            Error = code is null ? null : new JobError(code, "why"),
        };

        Assert.Equal(expected, VariantDialect.StatusOf(job));
    }

    private static async Task<JsonObject> WaitAsync(Gateway gateway, string path)
    {
        for (var i = 0; i < 12; i++)
        {
            var (_, body) = await gateway.GetAsync($"{path}?wait=10");
            var data = body["data"]!.AsObject();
            if ((string?)data["status"] is not ("pending" or "processing"))
            {
                return data;
            }
        }

        throw new TimeoutException($"{path} did not finish.");
    }

    private async Task<(int Status, JsonObject Body)> PostJsonAsync(string path, string json)
    {
        using var content = new StringContent(json, System.Text.Encoding.UTF8, "application/json");
        using var response = await _gateway.Http.PostAsync(path, content);
        return ((int)response.StatusCode, JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsObject());
    }
}
