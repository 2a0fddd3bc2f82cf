using System.Buffers.Binary;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Seedgate.Testing;

namespace Seedgate.Client.Tests;

/// <summary>The preflight: the server's own rules, run before any network hop; warnings; the cost estimate; HEAD checks.</summary>
public sealed class PreflightTests
{
    private static CreateTaskRequest Fast(params ContentItem[] content) =>
        new() { Model = "seedance-2.0-fast", Content = content.Length == 0 ? [ContentItem.FromText("a fox")] : content };

    [Fact]
    public async Task A_request_that_breaks_a_rule_is_refused_naming_the_field_and_nothing_is_sent()
    {
        await using var server = await ArkTestServer.StartAsync(app => app.MapPost(ArkTestServer.TasksPath, () => Results.Json(new { id = "cgt-never" })));
        using var http = TestClients.Http();
        var client = TestClients.For(server, http);

        var tooLong = await Assert.ThrowsAsync<InvalidRequestException>(() => client.CreateTaskAsync(Fast() with { Duration = 99 }, cancellationToken: TestClients.Ct));
        var contradiction = await Assert.ThrowsAsync<InvalidRequestException>(() =>
            client.CreateTaskAsync(Fast() with { CameraFixed = true, CameraMotion = "pan_left" }, cancellationToken: TestClients.Ct));
        var badType = await Assert.ThrowsAsync<InvalidRequestException>(() => client.CreateTaskAsync(
            Fast(ContentItem.FromText("a fox"), new ContentItem { Type = "hologram" }), cancellationToken: TestClients.Ct));

        Assert.Equal(("duration", "Preflight"), (tooLong.Param, tooLong.Type));
        Assert.Contains("4–15", tooLong.Message, StringComparison.Ordinal);
        Assert.Equal("camera_fixed", contradiction.Param);
        Assert.Equal("content[1].type", badType.Param); // the server's Ark reader, word for word
        Assert.Contains("text, image_url, video_url, audio_url or draft_task", badType.Message, StringComparison.Ordinal);
        Assert.Empty(server.Requests);
    }

    [Fact]
    public async Task A_valid_request_gets_the_servers_estimate_and_a_warning_for_a_small_image()
    {
        await using var server = await ArkTestServer.StartAsync(_ => { });
        using var http = TestClients.Http();
        var small = ContentItem.Image("data:image/png;base64," + Convert.ToBase64String(PngHeader(400, 300)), ContentRoles.FirstFrame);

        var report = await TestClients.For(server, http).PreflightAsync(
            Fast(ContentItem.FromText("a fox"), small) with { Model = "dreamina-seedance-2-0-fast-260128", Duration = 6, Resolution = "720p" },
            cancellationToken: TestClients.Ct);

        Assert.True(report.IsValid, report.Error?.Message);
        Assert.Equal("seedance-2.0-fast", report.Model);
        Assert.Equal(6 * 15_000, report.EstimatedCostMicros); // 720p Fast, $0.015 a second
        var warning = Assert.Single(report.Warnings);
        Assert.Contains("400×300", warning, StringComparison.Ordinal);
        Assert.Contains("512 px", warning, StringComparison.Ordinal);
        Assert.Empty(server.Requests);
    }

    [Fact]
    public async Task A_model_the_SDK_does_not_know_is_left_to_the_server()
    {
        await using var server = await ArkTestServer.StartAsync(app => app.MapPost(ArkTestServer.TasksPath, () => Results.Json(new { id = "cgt-custom" })));
        using var http = TestClients.Http();
        var client = TestClients.For(server, http);
        var request = Fast() with { Model = "my-custom-model", Duration = 99 };

        var report = await client.PreflightAsync(request, cancellationToken: TestClients.Ct);

        Assert.True(report.IsValid);
        Assert.Contains("not in the SDK's catalog", Assert.Single(report.Warnings), StringComparison.Ordinal);
        Assert.Equal("cgt-custom", await client.CreateTaskAsync(request, cancellationToken: TestClients.Ct));
    }

    [Fact]
    public async Task With_checkUrls_each_reference_gets_a_HEAD_and_what_is_wrong_is_warned()
    {
        await using var server = await ArkTestServer.StartAsync(app =>
        {
            app.MapMethods("/good.png", ["HEAD"], () => Results.Bytes(PngHeader(800, 800), "image/png"));
            app.MapMethods("/page.png", ["HEAD"], () => Results.Text("<html/>", "text/html"));
        });
        using var http = TestClients.Http();

        var report = await TestClients.For(server, http).PreflightAsync(
            Fast(
                ContentItem.FromText("three references"),
                ContentItem.Image(new Uri(server.BaseAddress, "/good.png").AbsoluteUri, ContentRoles.ReferenceImage),
                ContentItem.Image(new Uri(server.BaseAddress, "/page.png").AbsoluteUri, ContentRoles.ReferenceImage),
                ContentItem.Image(new Uri(server.BaseAddress, "/gone.png").AbsoluteUri, ContentRoles.ReferenceImage)),
            checkUrls: true,
            TestClients.Ct);

        Assert.True(report.IsValid, report.Error?.Message);
        Assert.Equal(2, report.Warnings.Count);
        Assert.Contains(report.Warnings, w => w.StartsWith("content[2].image_url.url", StringComparison.Ordinal) && w.Contains("text/html", StringComparison.Ordinal));
        Assert.Contains(report.Warnings, w => w.StartsWith("content[3].image_url.url", StringComparison.Ordinal) && w.Contains("404", StringComparison.Ordinal));
        Assert.All(server.Requests, r => Assert.Equal(("HEAD", null), (r.Method, r.Header("Authorization"))));
    }

    [Theory]
    [InlineData(new byte[] { 0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x04, 0x00, 0x00, 0xFF, 0xC0, 0x00, 0x11, 0x08, 0x01, 0x2C, 0x01, 0x90, 0x03 }, 400, 300)]
    [InlineData(new byte[] { 0x47, 0x49, 0x46, 0x38 }, -1, -1)]
    public void ImageSize_reads_JPEG_frame_headers_and_ignores_other_formats(byte[] bytes, int width, int height) =>
        Assert.Equal(width < 0 ? null : (width, height), Preflight.ImageSize(bytes));

    /// <summary>A PNG signature and IHDR chunk: all the preflight reads of an image.</summary>
    private static byte[] PngHeader(int width, int height)
    {
        var bytes = new byte[33];
        new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13, (byte)'I', (byte)'H', (byte)'D', (byte)'R' }.CopyTo(bytes, 0);
        BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(16), width);
        BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(20), height);
        bytes[24] = 8;
        bytes[25] = 2;
        return bytes;
    }
}
