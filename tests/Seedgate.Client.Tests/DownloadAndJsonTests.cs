using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Seedgate.Testing;

namespace Seedgate.Client.Tests;

/// <summary>Downloads, the data: URL helper and tolerant reading of the task object.</summary>
public sealed class DownloadAndJsonTests
{
    [Fact]
    public async Task Download_streams_all_bytes_reports_progress_and_sends_no_api_key()
    {
        var payload = new byte[3 * 1024 * 1024 + 17];
        new Random(1).NextBytes(payload);
        await using var server = await ArkTestServer.StartAsync(app =>
            app.MapGet("/files/out.mp4", async (HttpResponse response) =>
            {
                response.ContentType = "video/mp4";
                response.ContentLength = payload.Length;
                for (var offset = 0; offset < payload.Length; offset += 64 * 1024)
                {
                    await response.Body.WriteAsync(payload.AsMemory(offset, Math.Min(64 * 1024, payload.Length - offset)));
                    await response.Body.FlushAsync();
                }
            }));
        using var http = TestClients.Http();
        var reports = new List<long>();
        var totals = new List<DownloadProgress>();
        using var destination = new MemoryStream();
        var url = new Uri(server.BaseAddress, "/files/out.mp4?sig=abc");

        var written = await TestClients.For(server, http).DownloadAsync(url, destination, new SyncProgress<long>(reports.Add), TestClients.Ct);
        using var second = new MemoryStream();
        await TestClients.For(server, http).DownloadWithProgressAsync(url, second, new SyncProgress<DownloadProgress>(totals.Add), TestClients.Ct);

        Assert.Equal(payload.Length, written);
        Assert.Equal(payload, destination.ToArray());
        Assert.True(reports.Count > 2, "progress is reported chunk by chunk");
        Assert.Equal(payload.Length, reports[^1]);
        Assert.Equal(new DownloadProgress(0, payload.Length), totals[0]);
        Assert.Equal(new DownloadProgress(payload.Length, payload.Length), totals[^1]);
        Assert.All(server.Requests, r => Assert.Null(r.Header("Authorization")));
        Assert.All(server.Requests, r => Assert.Equal("?sig=abc", r.Query));
    }

    [Fact]
    public async Task A_download_refused_by_the_own_server_is_retried_once_with_the_key()
    {
        await using var server = await ArkTestServer.StartAsync(app =>
            app.MapGet("/files/x.png", (HttpRequest request) => request.Headers.Authorization == "Bearer sg-test-key"
                ? Results.Bytes([1, 2, 3], "image/png")
                : ArkTestServer.ArkError(401, "AuthenticationError", "no key")));
        using var http = TestClients.Http();
        using var destination = new MemoryStream();

        await TestClients.For(server, http).DownloadAsync(new Uri(server.BaseAddress, "/files/x.png"), destination, cancellationToken: TestClients.Ct);

        Assert.Equal([1, 2, 3], destination.ToArray());
        Assert.Equal(2, server.Requests.Count);
    }

    [Fact]
    public async Task A_failed_download_throws_the_api_error()
    {
        await using var server = await ArkTestServer.StartAsync(app =>
            app.MapGet("/files/x.mp4", () => ArkTestServer.ArkError(404, "NotFound", "expired")));
        using var http = TestClients.Http();
        using var destination = new MemoryStream();

        var error = await Assert.ThrowsAnyAsync<SeedgateApiException>(() => TestClients.For(server, http)
            .DownloadAsync(new Uri(server.BaseAddress, "/files/x.mp4"), destination, cancellationToken: TestClients.Ct));

        Assert.Equal("NotFound", error.Code);
    }

    [Fact]
    public void ImageFile_turns_a_local_file_into_a_data_url_with_the_mime_type_of_its_extension()
    {
        var path = Path.Combine(Path.GetTempPath(), $"seedgate-{Guid.NewGuid():N}.PNG");
        File.WriteAllBytes(path, [0x89, 0x50, 0x4E, 0x47]);
        try
        {
            var item = ContentItem.ImageFile(path, ContentRoles.ReferenceImage);

            Assert.Equal("image_url", item.Type);
            Assert.Equal("reference_image", item.Role);
            Assert.Equal("data:image/png;base64,iVBORw==", item.ImageUrl?.Url);
            Assert.Equal("data:image/png;base64,iVBORw==", DataUrl.FromFile(path));
            Assert.Throws<ArgumentException>(() => ContentItem.VideoFile(path));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Theory]
    [InlineData("clip.mp4", "video/mp4")]
    [InlineData("clip.MOV", "video/quicktime")]
    [InlineData("a.jpg", "image/jpeg")]
    [InlineData("a.webp", "image/webp")]
    [InlineData("voice.mp3", "audio/mpeg")]
    [InlineData("voice.wav", "audio/wav")]
    [InlineData("notes.txt", null)]
    public void MimeTypeOf_knows_the_media_types_Ark_accepts(string name, string? mime) =>
        Assert.Equal(mime, DataUrl.MimeTypeOf(name));

    [Fact]
    public void An_unknown_extension_is_refused_with_the_supported_list()
    {
        var error = Assert.Throws<ArgumentException>(() => ContentItem.AudioFile("song.xyz"));
        Assert.Contains(".mp3", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"amount_micros":75000,"currency":"USD"}""", 75000L, "0.075 USD")]
    [InlineData("""{"amount_micros":0,"currency":"EUR"}""", 0L, "0.00 EUR")]
    [InlineData("0.125", 125000L, "0.125 USD")]
    [InlineData("\"0.5\"", 500000L, "0.50 USD")]
    [InlineData("""{"usd":0.2}""", 200000L, "0.20 USD")]
    [InlineData("""[1,2]""", null, "[1,2]")]
    [InlineData("""{"weird":true}""", null, "")]
    [InlineData("""{"amount_micros":0,"amount":"0.000000","currency":"USD","price_micros":60000,"free_quota":true}""", 0L, "0.00 USD", 60000L, true)]
    [InlineData("""{"amount_micros":50000,"currency":"USD","price_micros":50000,"free_quota":false}""", 50000L, "0.05 USD", 50000L)]
    public async Task The_cost_field_is_read_tolerantly_whatever_its_shape(string costJson, long? micros, string shown, long? price = null, bool free = false)
    {
        var body = $$$"""
            {"id":"cgt-1","status":"succeeded","cost":{{{costJson}}},"reserved_cost":{"amount_micros":150000,"amount":"0.150000","currency":"USD"},
             "created_at":1767225600,"updated_at":1767225660.5,
             "framespersecond":24,"usage":{"completion_tokens":108900,"total_tokens":108900},"correlation_id":"c1","future_field":{"a":1}}
            """;
        await using var server = await ArkTestServer.StartAsync(app =>
            app.MapGet(ArkTestServer.TasksPath + "/{id}", (string id) => Results.Text(body, "application/json")));
        using var http = TestClients.Http();

        var task = await TestClients.For(server, http).GetTaskAsync("cgt-1", cancellationToken: TestClients.Ct);

        Assert.Equal((micros, price, free), (task.Cost?.AmountMicros, task.Cost?.PriceMicros, task.Cost?.FreeQuota ?? false));
        Assert.Equal(150_000, task.ReservedCost?.AmountMicros);
        if (shown.Length > 0)
        {
            Assert.Equal(shown, task.Cost?.ToString());
        }

        Assert.Equal(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero), task.CreatedAt);
        Assert.Equal(24, task.FramesPerSecond);
        Assert.Equal(108900, task.Usage?.CompletionTokens);
        Assert.Equal("c1", task.CorrelationId);
        Assert.True(task.AdditionalProperties?.ContainsKey("future_field"));
    }

    [Fact]
    public async Task The_wait_query_is_sent_in_whole_seconds_and_over_60_is_refused()
    {
        await using var server = await ArkTestServer.StartAsync(app =>
            app.MapGet(ArkTestServer.TasksPath + "/{id}", (string id) => Results.Json(new { id, status = "running" })));
        using var http = TestClients.Http();
        var client = TestClients.For(server, http);

        await client.GetTaskAsync("cgt-1", TimeSpan.FromSeconds(1.2), TestClients.Ct);

        Assert.Equal("?wait=2", Assert.Single(server.Requests).Query);
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => client.GetTaskAsync("cgt-1", TimeSpan.FromSeconds(61), TestClients.Ct));
    }
}
