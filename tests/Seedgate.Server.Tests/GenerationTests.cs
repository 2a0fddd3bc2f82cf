using System.Text.Json.Nodes;
using Seedgate.Server.Tests.Infrastructure;

namespace Seedgate.Server.Tests;

/// <summary>Real renders end to end over HTTP, checked with ffprobe.</summary>
public sealed class GenerationTests : IClassFixture<GatewayFixture>
{
    private const string ArkTasks = "/api/v3/contents/generations/tasks";
    private readonly Gateway _gateway;

    public GenerationTests(GatewayFixture fixture) => _gateway = fixture.Gateway;

    [Fact]
    public async Task Ark_AcceptanceRequest_Yields720x1280FiveSecondMp4WithAac()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, ArkTasks)
        {
            Content = JsonContent(new
            {
                model = "seedance-2.0-fast",
                content = new object[] { new { type = "text", text = "An orange cat walking through cherry blossom rain, warm sunset tones" } },
                ratio = "9:16",
                duration = 5,
                generate_audio = true,
            }),
        };
        request.Headers.Add("X-Client-Request-Id", "acceptance-42");
        using var response = await _gateway.Http.SendAsync(request);
        Assert.Equal(200, (int)response.StatusCode);
        Assert.True(response.Headers.Contains("X-Request-Id"));
        var id = (string)JsonNode.Parse(await response.Content.ReadAsStringAsync())!["id"]!;
        Assert.StartsWith("cgt-", id);

        var task = await _gateway.WaitArkAsync(id);

        Assert.Equal("succeeded", (string?)task["status"]);
        Assert.Equal("seedance-2.0-fast", (string?)task["model"]);
        Assert.Equal("720p", (string?)task["resolution"]);
        Assert.Equal("9:16", (string?)task["ratio"]);
        Assert.Equal(5, (int)task["duration"]!);
        Assert.Equal(24, (int)task["framespersecond"]!);
        Assert.Equal("acceptance-42", (string?)task["correlation_id"]);
        Assert.Null(task["error"]);
        Assert.Equal(720L * 1280 * 24 * 5 / 1024, (long)task["usage"]!["completion_tokens"]!);
        Assert.Equal(75_000, (long)task["cost"]!["price_micros"]!); // 5 s × $0.015 (charged $0 while the month's free quota lasts)
        var probe = await Media.ProbeAsync(await _gateway.DownloadAsync((string)task["content"]!["video_url"]!));
        Assert.Equal((720, 1280), (probe.Width, probe.Height));
        Assert.Equal(24, probe.Fps, 3);
        Assert.InRange(probe.Duration, 4.95, 5.05);
        Assert.Equal(("h264", "yuv420p"), (probe.VideoCodec, probe.PixelFormat));
        Assert.Equal(("aac", 48000, 2), (probe.AudioCodec, probe.SampleRate, probe.Channels));
    }

    [Fact]
    public async Task SeedanceV1_AcceptanceRequest_Yields720x1280FiveSecondMp4WithAac()
    {
        var (status, created) = await _gateway.PostAsync("/seedance/v1/videos", new
        {
            model = "seedance-2.0-fast",
            prompt = "An orange cat walking through cherry blossom rain, warm sunset tones",
            aspect_ratio = "9:16",
            duration = 5,
            audio = true,
        });
        Assert.Equal(200, status);
        Assert.Equal("queued", (string?)created["status"]);
        var id = (string)created["job_id"]!;

        var (_, job) = await _gateway.GetAsync($"/seedance/v1/videos/{id}?wait=60");
        if ((string?)job["status"] is "queued" or "processing")
        {
            (_, job) = await _gateway.GetAsync($"/seedance/v1/videos/{id}?wait=60");
        }

        Assert.Equal("completed", (string?)job["status"]);
        Assert.Equal("9:16", (string?)job["aspect_ratio"]);
        Assert.Equal(5.0, (double)job["usage"]!["seconds"]!);
        Assert.Equal(0.075m, (decimal)job["usage"]!["price_usd"]!);
        var probe = await Media.ProbeAsync(await _gateway.DownloadAsync((string)job["output"]!["video_url"]!));
        Assert.Equal((720, 1280), (probe.Width, probe.Height));
        Assert.InRange(probe.Duration, 4.95, 5.05);
        Assert.Equal("aac", probe.AudioCodec);
    }

    [Fact]
    public async Task Ark_ImageToVideo_WithCameraMotion_TakesTheImageShapeAndReturnsTheLastFrame()
    {
        var image = Media.DataUrl("image/png", await Media.PngAsync(1024, 576));
        var task = await CreateAndWaitAsync(new
        {
            model = "seedance-2.0",
            content = new object[]
            {
                new { type = "text", text = "slow push in" },
                new { type = "image_url", image_url = new { url = image } },
            },
            resolution = "480p",
            duration = 4,
            camera_motion = "dolly_in",
            generate_audio = false,
            return_last_frame = true,
        });

        Assert.Equal("16:9", (string?)task["ratio"]); // adaptive, from the 1024×576 image
        var blobs = (Seedgate.Core.Storage.IBlobStore)_gateway.Services.GetService(typeof(Seedgate.Core.Storage.IBlobStore))!;
        await using (var input = await blobs.OpenReadAsync($"inputs/{(string)task["id"]!}/0.png", CancellationToken.None))
        {
            Assert.NotNull(input); // kept with the outputs, so the task can be promoted as a draft
        }

        var expires = DateTimeOffset.FromUnixTimeSeconds((long)task["files_expire_at"]!) - DateTimeOffset.FromUnixTimeSeconds((long)task["updated_at"]!);
        Assert.InRange(expires.TotalDays, 6.99, 7.01); // kept 7 days by default, and the view says until when
        var probe = await Media.ProbeAsync(await _gateway.DownloadAsync((string)task["content"]!["video_url"]!));
        Assert.Equal((864, 496), (probe.Width, probe.Height));
        Assert.InRange(probe.Duration, 3.95, 4.05);
        Assert.Null(probe.AudioCodec);
        var lastFrame = await Media.ProbeAsync(await _gateway.DownloadAsync((string)task["content"]!["last_frame_url"]!, ".png"));
        Assert.Equal((864, 496), (lastFrame.Width, lastFrame.Height));
    }

    [Fact]
    public async Task Ark_FirstAndLastFrame_RendersAtTheRequestedRatio()
    {
        var task = await CreateAndWaitAsync(new
        {
            model = "seedance-2.0-fast",
            content = new object[]
            {
                new { type = "image_url", image_url = new { url = Media.DataUrl("image/png", await Media.PngAsync(512, 512)) }, role = "first_frame" },
                new { type = "image_url", image_url = new { url = Media.DataUrl("image/png", await Media.PngAsync(512, 512, "rgbtestsrc")) }, role = "last_frame" },
            },
            resolution = "480p",
            ratio = "1:1",
            duration = 4,
            generate_audio = false,
        });

        var probe = await Media.ProbeAsync(await _gateway.DownloadAsync((string)task["content"]!["video_url"]!));
        Assert.Equal((640, 640), (probe.Width, probe.Height));
        Assert.Equal(24, probe.Fps, 3);
    }

    [Fact]
    public async Task Ark_MultiReference_FetchesHttpReferencesAndUsesTheAudio()
    {
        await using var files = await FileServer.StartAsync(new Dictionary<string, byte[]>
        {
            ["/a.png"] = await Media.PngAsync(512, 854),
            ["/b.png"] = await Media.PngAsync(512, 854, "smptebars"),
            ["/tone.wav"] = await Media.WavAsync(3),
        });

        var task = await CreateAndWaitAsync(new
        {
            model = "seedance-2.0-fast",
            content = new object[]
            {
                new { type = "text", text = "the subject walks through the environment" },
                new { type = "image_url", image_url = new { url = files.Url("/a.png") }, role = "reference_image" },
                new { type = "image_url", image_url = new { url = files.Url("/b.png") }, role = "reference_image" },
                new { type = "audio_url", audio_url = new { url = files.Url("/tone.wav") }, role = "reference_audio" },
            },
            resolution = "480p",
            duration = 4,
        });

        Assert.Equal("succeeded", (string?)task["status"]);
        Assert.Equal("9:16", (string?)task["ratio"]); // adaptive from a 512×854 image: nearest is 9:16
        var probe = await Media.ProbeAsync(await _gateway.DownloadAsync((string)task["content"]!["video_url"]!));
        Assert.Equal((496, 864), (probe.Width, probe.Height));
        Assert.Equal("aac", probe.AudioCodec);
    }

    [Fact]
    public async Task Pictures_outside_the_size_range_are_refused_before_they_are_decoded()
    {
        // At submit, from the header of an inline picture: 16000 × 16000 declared in a few bytes.
        var png = new byte[64];
        new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13, (byte)'I', (byte)'H', (byte)'D', (byte)'R' }.CopyTo(png, 0);
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(png.AsSpan(16), 16000);
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(png.AsSpan(20), 16000);
        var (status, error) = await _gateway.PostAsync("/api/v3/contents/generations/tasks", new
        {
            model = "seedance-2.0-fast",
            content = new object[]
            {
                new { type = "text", text = "a huge picture" },
                new { type = "image_url", image_url = new { url = Media.DataUrl("image/png", png) } },
            },
        });
        Assert.Equal(400, status);
        Assert.Equal("content[1].image_url.url", (string?)error["error"]!["param"]);
        Assert.Contains("16000×16000", (string?)error["error"]!["message"], StringComparison.Ordinal);

        // Fetched later: the job fails permanently (no retries), naming the field.
        await using var files = await FileServer.StartAsync(new Dictionary<string, byte[]> { ["/small.png"] = await Media.PngAsync(120, 90) });
        var (_, created) = await _gateway.PostAsync("/api/v3/contents/generations/tasks", new
        {
            model = "seedance-2.0-fast",
            content = new object[]
            {
                new { type = "text", text = "a tiny picture" },
                new { type = "image_url", image_url = new { url = files.Url("/small.png") } },
            },
            resolution = "480p",
            duration = 4,
        });
        var task = await _gateway.WaitArkAsync((string)created["id"]!);
        Assert.Equal("failed", (string?)task["status"]);
        Assert.Equal("InvalidParameter", (string?)task["error"]!["code"]);
        Assert.Contains("120×90 px", (string?)task["error"]!["message"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_fetched_image_under_the_minimum_fails_the_job_or_is_scaled_up_where_the_plan_says_so()
    {
        await using var files = await FileServer.StartAsync(new Dictionary<string, byte[]> { ["/small.png"] = await Media.PngAsync(400, 300) });
        var body = new
        {
            model = "seedance-2.0-fast",
            content = new object[]
            {
                new { type = "text", text = "a small picture" },
                new { type = "image_url", image_url = new { url = files.Url("/small.png") } },
            },
            resolution = "480p",
            duration = 4,
            generate_audio = false,
        };

        // Known only by its URL, the image is measured when it is fetched: a permanent failure naming the field.
        var (_, refused) = await _gateway.PostAsync(ArkTasks, body);
        var failed = await _gateway.WaitArkAsync((string)refused["id"]!);
        Assert.Equal("failed", (string?)failed["status"]);
        Assert.Equal("InvalidParameter", (string?)failed["error"]!["code"]);
        Assert.Contains("content[1].image_url.url: the image is 400×300 px", (string?)failed["error"]!["message"], StringComparison.Ordinal);
        Assert.Contains("at least 512 px", (string?)failed["error"]!["message"], StringComparison.Ordinal);

        using var upscaling = await AccountAsync(new { upscale_small_images = true });
        var (_, created) = await _gateway.PostAsync(ArkTasks, body, upscaling);
        var task = await _gateway.WaitArkAsync((string)created["id"]!, upscaling);
        Assert.True((string?)task["status"] == "succeeded", task.ToJsonString());
        Assert.Equal("4:3", (string?)task["ratio"]); // adaptive, from the 683×512 image it became
    }

    [Fact]
    public async Task Ark_4k_on_standard_renders_3840x2160()
    {
        // The one 4k render of the suite: 4 s is the shortest clip a model takes.
        var task = await CreateAndWaitAsync(new
        {
            model = "seedance-2.0",
            content = new object[] { new { type = "text", text = "a wide mountain valley at noon" } },
            resolution = "4k",
            ratio = "16:9",
            duration = 4,
            generate_audio = false,
        });

        Assert.Equal("4k", (string?)task["resolution"]);
        var probe = await Media.ProbeAsync(await _gateway.DownloadAsync((string)task["content"]!["video_url"]!));
        Assert.Equal((3840, 2160), (probe.Width, probe.Height));
        Assert.InRange(probe.Duration, 3.95, 4.05);
    }

    [Fact]
    public async Task A_truncated_reference_video_is_refused_not_used_in_part()
    {
        var video = await Media.Mp4Async(320, 320, 3);
        var truncated = video[..(video.Length * 6 / 10)];
        var (_, created) = await _gateway.PostAsync("/api/v3/contents/generations/tasks", new
        {
            model = "seedance-2.0-fast",
            content = new object[]
            {
                new { type = "text", text = "continue the shot" },
                new { type = "video_url", video_url = new { url = Media.DataUrl("video/mp4", truncated) }, role = "reference_video" },
            },
            resolution = "480p",
            duration = 4,
        });

        var task = await _gateway.WaitArkAsync((string)created["id"]!);
        Assert.Equal("failed", (string?)task["status"]);
        Assert.Equal("InvalidParameter", (string?)task["error"]!["code"]);
        Assert.Contains("truncated", (string?)task["error"]!["message"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task JobsCreatedInOneDialect_AreReadableInTheOther()
    {
        var (_, fromV1) = await _gateway.PostAsync("/seedance/v1/videos", new
        {
            model = "seedance-2.0-fast", prompt = "snow over a quiet forest", resolution = "480p", duration = 4,
        });
        var arkView = await _gateway.WaitArkAsync((string)fromV1["job_id"]!);
        Assert.Equal("succeeded", (string?)arkView["status"]);
        Assert.Equal("seedance-2.0-fast", (string?)arkView["model"]);

        var (_, fromArk) = await _gateway.PostAsync(ArkTasks, new
        {
            model = "dreamina-seedance-2-0-fast-260128",
            content = new object[] { new { type = "text", text = "stars over the sea" } },
            resolution = "480p",
            duration = 4,
            generate_audio = false,
        });
        var id = (string)fromArk["id"]!;
        await _gateway.WaitArkAsync(id);
        var (status, v1View) = await _gateway.GetAsync($"/seedance/v1/videos/{id}");
        Assert.Equal(200, status);
        Assert.Equal("completed", (string?)v1View["status"]);
        Assert.Equal("dreamina-seedance-2-0-fast-260128", (string?)v1View["model"]);
        Assert.NotNull((string?)v1View["output"]!["video_url"]);
    }

    [Fact]
    public async Task Outputs_HonourRange_RefuseTamperedLinks_AndGoAwayWithTheTask()
    {
        var task = await CreateAndWaitAsync(new
        {
            model = "seedance-2.0-fast",
            content = new object[] { new { type = "text", text = "waves on a beach" } },
            resolution = "480p",
            duration = 4,
            generate_audio = false,
        });
        var url = (string)task["content"]!["video_url"]!;
        using (var raw = await _gateway.Http.GetAsync($"{ArkTasks}/{task["id"]}"))
        {
            Assert.Contains("&sig=", await raw.Content.ReadAsStringAsync()); // readable URLs, not \u0026
        }

        Assert.StartsWith(_gateway.BaseAddress.ToString().TrimEnd('/') + "/files/outputs/", url);
        using var anonymous = new HttpClient(new SocketsHttpHandler());

        using (var range = new HttpRequestMessage(HttpMethod.Get, url))
        {
            range.Headers.Range = new System.Net.Http.Headers.RangeHeaderValue(100, 199);
            using var partial = await anonymous.SendAsync(range);
            Assert.Equal(206, (int)partial.StatusCode);
            Assert.Equal(100, (await partial.Content.ReadAsByteArrayAsync()).Length);
            Assert.Equal("video/mp4", partial.Content.Headers.ContentType?.MediaType);
        }

        using (var tampered = await anonymous.GetAsync(url.Replace("video.mp4", "video.mp4x")))
        {
            Assert.Equal(403, (int)tampered.StatusCode);
        }

        using (var unsigned = await anonymous.GetAsync(url[..url.IndexOf('?')]))
        {
            Assert.Equal(403, (int)unsigned.StatusCode);
        }

        using (var delete = await _gateway.Http.DeleteAsync($"{ArkTasks}/{task["id"]}"))
        {
            Assert.Equal(200, (int)delete.StatusCode);
        }

        Assert.Equal(404, (await _gateway.GetAsync($"{ArkTasks}/{task["id"]}")).Status);
        using var gone = await anonymous.GetAsync(url);
        Assert.Equal(404, (int)gone.StatusCode);
    }

    [Fact]
    public async Task AFinishedTask_ReadAndCached_StaysInvisibleToOtherAccounts()
    {
        var task = await CreateAndWaitAsync(new
        {
            model = "seedance-2.0-fast",
            content = new object[] { new { type = "text", text = "a quiet harbour" } },
            resolution = "480p",
            duration = 4,
            generate_audio = false,
        });
        var accounts = (Seedgate.Core.Accounts.IAccountStore)_gateway.Services.GetService(typeof(Seedgate.Core.Accounts.IAccountStore))!;
        await accounts.EnsureAccountAsync("other", "Other", DateTimeOffset.UnixEpoch, CancellationToken.None);
        var (key, record) = Seedgate.Core.Accounts.ApiKeys.Create("other", "test", DateTimeOffset.UnixEpoch);
        await accounts.AddApiKeyAsync(record, CancellationToken.None);
        using var other = new HttpClient(new SocketsHttpHandler()) { BaseAddress = _gateway.BaseAddress };
        other.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", key);

        Assert.Equal(200, (await _gateway.GetAsync($"{ArkTasks}/{task["id"]}")).Status);
        Assert.Equal(404, (await _gateway.GetAsync($"{ArkTasks}/{task["id"]}", other)).Status);
        Assert.Equal(404, (await _gateway.GetAsync($"/seedance/v1/videos/{task["id"]}?wait=5", other)).Status);
    }

    private async Task<JsonObject> CreateAndWaitAsync(object body)
    {
        var (status, created) = await _gateway.PostAsync(ArkTasks, body);
        Assert.True(status == 200, created.ToJsonString());
        var task = await _gateway.WaitArkAsync((string)created["id"]!);
        Assert.True((string?)task["status"] == "succeeded", task.ToJsonString());
        return task;
    }

    /// <summary>A new account with these plan overrides, made through the admin API, and a client with its key.</summary>
    private async Task<HttpClient> AccountAsync(object overrides)
    {
        var id = "acct-" + Guid.NewGuid().ToString("n")[..12];
        var (created, account) = await _gateway.PostAsync("/admin/v1/accounts", new { id, name = "Generation", overrides }, _gateway.Admin);
        Assert.True(created == 201, account.ToJsonString());
        var (_, key) = await _gateway.PostAsync($"/admin/v1/accounts/{id}/keys", new { name = "test" }, _gateway.Admin);
        return _gateway.Client((string)key["key"]!);
    }

    private static StringContent JsonContent(object body) =>
        new(System.Text.Json.JsonSerializer.Serialize(body), System.Text.Encoding.UTF8, "application/json");
}
