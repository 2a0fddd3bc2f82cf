using Seedgate.Core.Storage;
using Seedgate.Server.Tests.Infrastructure;

namespace Seedgate.Server.Tests;

/// <summary>
/// Inline reference images under the model's min_image_side (512 px on Seedance 2.x): refused at submit, before anything
/// is stored, or scaled up before the job is stored where the account's plan has upscale_small_images.
/// </summary>
public sealed class SmallImageTests : IClassFixture<ApiOnlyGatewayFixture>
{
    private const string Ark = "/api/v3/contents/generations/tasks";
    private readonly Gateway _gateway;

    public SmallImageTests(ApiOnlyGatewayFixture fixture) => _gateway = fixture.Gateway;

    [Fact]
    public async Task A_small_inline_image_is_refused_naming_the_field_before_anything_is_stored()
    {
        var image = Media.DataUrl("image/png", await Media.PngAsync(400, 300));
        var (_, before) = await _gateway.GetAsync(Ark + "?page_size=500");
        var inputsBefore = InputFiles();

        var (status, error) = await _gateway.PostAsync(Ark, Body("seedance-2.0", image));
        var (v1Status, v1Error) = await _gateway.PostAsync("/seedance/v1/videos", new
        {
            model = "seedance-2.0-fast", prompt = "slow push in", image_base64 = Convert.ToBase64String(await Media.PngAsync(300, 600)),
        });

        Assert.Equal(400, status);
        Assert.Equal(("InvalidParameter", "content[1].image_url.url"), ((string?)error["error"]!["code"], (string?)error["error"]!["param"]));
        Assert.Contains("400×300 px", (string?)error["error"]!["message"], StringComparison.Ordinal);
        Assert.Contains("at least 512 px", (string?)error["error"]!["message"], StringComparison.Ordinal);
        Assert.Equal((400, "image_base64"), (v1Status, (string?)v1Error["error"]!["param"]));
        var (_, after) = await _gateway.GetAsync(Ark + "?page_size=500");
        Assert.Equal((long)before["total"]!, (long)after["total"]!);
        Assert.Equal(inputsBefore, InputFiles());
    }

    [Fact]
    public async Task With_upscale_small_images_the_image_is_stored_scaled_up_to_the_minimum_short_side()
    {
        using var upscaling = await AccountAsync(new { upscale_small_images = true });
        var (status, created) = await _gateway.PostAsync(Ark, Body("seedance-2.0", Media.DataUrl("image/png", await Media.PngAsync(400, 300))), upscaling);
        Assert.True(status == 200, created.ToJsonString());

        var stored = await StoredInputAsync($"inputs/{created["id"]}/0.png");
        Assert.Equal((683, 512), (stored.Width, stored.Height)); // 4:3 kept, short side 512

        // A tall JPEG through SeeDance v1: PNG out, the short side (the width) at the minimum.
        var (v1Status, job) = await _gateway.PostAsync("/seedance/v1/videos", new
        {
            model = "seedance-2.0-fast", prompt = "slow push in", image_base64 = Convert.ToBase64String(await Media.PngAsync(300, 600)),
        }, upscaling);
        Assert.True(v1Status == 200, job.ToJsonString());
        Assert.Equal((512, 1024), await SizeAsync($"inputs/{job["job_id"]}/0.png"));
    }

    [Fact]
    public async Task A_large_enough_image_is_stored_as_sent_whatever_the_plan()
    {
        using var upscaling = await AccountAsync(new { upscale_small_images = true });
        var png = await Media.PngAsync(640, 512);

        var (status, created) = await _gateway.PostAsync(Ark, Body("seedance-2.0", Media.DataUrl("image/png", png)), upscaling);

        Assert.Equal(200, status);
        var blobs = (IBlobStore)_gateway.Services.GetService(typeof(IBlobStore))!;
        await using var stored = (await blobs.OpenReadAsync($"inputs/{created["id"]}/0.png", CancellationToken.None))!;
        using var copy = new MemoryStream();
        await stored.CopyToAsync(copy);
        Assert.Equal(png, copy.ToArray());
    }

    private static object Body(string model, string image) => new
    {
        model,
        content = new object[] { new { type = "text", text = "slow push in" }, new { type = "image_url", image_url = new { url = image } } },
    };

    private string[] InputFiles()
    {
        var inputs = Path.Combine(_gateway.DataDirectory, "blobs", "inputs");
        return Directory.Exists(inputs) ? [.. Directory.GetFiles(inputs, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal)] : [];
    }

    private async Task<(int Width, int Height)> SizeAsync(string key)
    {
        var probe = await StoredInputAsync(key);
        return (probe.Width, probe.Height);
    }

    private async Task<Probe> StoredInputAsync(string key)
    {
        var blobs = (IBlobStore)_gateway.Services.GetService(typeof(IBlobStore))!;
        var path = Path.Combine(Path.GetTempPath(), $"seedgate-{Guid.NewGuid():n}.png");
        try
        {
            Assert.True(await blobs.CopyToFileAsync(key, path, CancellationToken.None), $"{key} is not stored");

            return await Media.ProbeAsync(path);
        }
        finally
        {
            File.Delete(path);
        }
    }

    /// <summary>A new account with these plan overrides, made through the admin API, and a client with its key.</summary>
    private async Task<HttpClient> AccountAsync(object overrides)
    {
        var id = "acct-" + Guid.NewGuid().ToString("n")[..12];
        var (created, account) = await _gateway.PostAsync("/admin/v1/accounts", new { id, name = "Small images", overrides }, _gateway.Admin);
        Assert.True(created == 201, account.ToJsonString());
        var (_, key) = await _gateway.PostAsync($"/admin/v1/accounts/{id}/keys", new { name = "test" }, _gateway.Admin);
        return _gateway.Client((string)key["key"]!);
    }
}
