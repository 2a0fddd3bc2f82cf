using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Seedgate.Core.Jobs;
using Seedgate.Core.Storage;
using Seedgate.Server.Tests.Infrastructure;

namespace Seedgate.Server.Tests;

/// <summary>
/// Draft → final (issue 10): iterate on Fast, then re-run the chosen draft on Standard. An Ark create whose content is
/// <c>{"type":"draft_task","draft_task":{"id":…}}</c> re-runs the caller's own succeeded task with its own fields on top.
/// </summary>
public sealed class DraftPromotionTests : IClassFixture<DraftPromotionTests.Node>
{
    private const string Tasks = "/api/v3/contents/generations/tasks";

    private readonly Node _node;

    public DraftPromotionTests(Node node) => _node = node;

    [Fact]
    public async Task A_draft_promoted_to_a_final_keeps_its_seed_prompt_and_references_on_the_new_model_and_price()
    {
        var gateway = _node.Gateway;
        var draftId = await _node.DraftAsync();

        var (status, created) = await gateway.PostAsync(Tasks, new
        {
            model = "seedance-2.0",
            content = new object[] { new { type = "draft_task", draft_task = new { id = draftId } } },
            resolution = "720p",
            generate_audio = false,
        });
        Assert.True(status == 200, created.ToJsonString());
        var final = await gateway.WaitArkAsync((string)created["id"]!);

        Assert.True((string?)final["status"] == "succeeded", final.ToJsonString());
        var draft = await gateway.WaitArkAsync(draftId);
        Assert.Equal(draftId, (string?)final["draft_task_id"]);
        Assert.Equal(("seedance-2.0", "720p"), ((string?)final["model"], (string?)final["resolution"])); // the final's own model and resolution
        Assert.Equal(((long)draft["seed"]!, (string?)draft["ratio"], 4), ((long)final["seed"]!, (string?)final["ratio"], (int)final["duration"]!));
        Assert.Equal(40_000L, (long)draft["cost"]!["price_micros"]!); // 4 s of Fast at 480p, $0.010 a second (the free quota paid it)
        Assert.Equal(200_000L, (long)final["cost"]!["amount_micros"]!); // 4 s of Standard at 720p, $0.050 a second

        // The stored request: the draft's prompt, camera move and image, the image a copy the final owns.
        var store = gateway.Services.GetRequiredService<IJobStore>();
        var draftJob = (await store.GetAsync(draftId, default))!;
        var finalJob = (await store.GetAsync((string)final["id"]!, default))!;
        Assert.Equal(
            (draftJob.Request.Prompt, draftJob.Request.CameraMotion, draftJob.Request.Seed),
            (finalJob.Request.Prompt, finalJob.Request.CameraMotion, finalJob.Request.Seed));
        var draftImage = Assert.Single(draftJob.Request.References);
        var finalImage = Assert.Single(finalJob.Request.References);
        Assert.Equal((draftImage.Kind, draftImage.Role), (finalImage.Kind, finalImage.Role));
        Assert.Equal($"blob:inputs/{finalJob.Id}/0.png", finalImage.Url);
        var blobs = gateway.Services.GetRequiredService<IBlobStore>();
        Assert.Equal(await ReadAsync(blobs, draftImage.Url), await ReadAsync(blobs, finalImage.Url));

        var probe = await Media.ProbeAsync(await gateway.DownloadAsync((string)final["content"]!["video_url"]!));
        Assert.Equal((1280, 720), (probe.Width, probe.Height)); // 16:9 as the draft came out (from its 1024×576 image)
    }

    [Fact]
    public async Task The_finals_own_prompt_seed_and_ratio_take_precedence()
    {
        var gateway = _node.Gateway;
        var draftId = await _node.DraftAsync();

        var (status, created) = await gateway.PostAsync(Tasks, new
        {
            model = "seedance-2.0",
            content = new object[] { new { type = "draft_task", draft_task = new { id = draftId } }, new { type = "text", text = "the same, at night" } },
            resolution = "480p",
            ratio = "1:1",
            seed = 7,
            generate_audio = false,
        });
        Assert.True(status == 200, created.ToJsonString());
        var final = await gateway.WaitArkAsync((string)created["id"]!);

        Assert.True((string?)final["status"] == "succeeded", final.ToJsonString());
        Assert.Equal((7L, "1:1"), ((long)final["seed"]!, (string?)final["ratio"]));
        var finalJob = (await gateway.Services.GetRequiredService<IJobStore>().GetAsync((string)final["id"]!, default))!;
        Assert.Equal("the same, at night", finalJob.Request.Prompt);
        Assert.Single(finalJob.Request.References); // still the draft's image
    }

    [Fact]
    public async Task Only_the_callers_own_succeeded_tasks_can_be_named()
    {
        var gateway = _node.Gateway;
        var draftId = await _node.DraftAsync();
        var body = (string id) => new
        {
            model = "seedance-2.0",
            content = new object[] { new { type = "text", text = "promote" }, new { type = "draft_task", draft_task = new { id } } },
        };

        // Another account's task answers exactly as an id nobody has.
        var (foreignStatus, foreign) = await gateway.PostAsync(Tasks, body(draftId), _node.Intruder);
        var (unknownStatus, unknown) = await gateway.PostAsync(Tasks, body("cgt-20260101000000-nobody"));
        Assert.Equal((400, 400), (foreignStatus, unknownStatus));
        Assert.Equal("content[1].draft_task.id", (string?)foreign["error"]!["param"]);
        Assert.Equal(
            ((string?)unknown["error"]!["message"])!.Replace("cgt-20260101000000-nobody", "ID", StringComparison.Ordinal),
            ((string?)foreign["error"]!["message"])!.Replace(draftId, "ID", StringComparison.Ordinal));

        var (missingStatus, missing) = await gateway.PostAsync(Tasks, new { model = "seedance-2.0", content = new object[] { new { type = "draft_task" } } });
        Assert.Equal((400, "content[0].draft_task.id"), (missingStatus, (string?)missing["error"]!["param"]));

        var (twiceStatus, twice) = await gateway.PostAsync(Tasks, new
        {
            model = "seedance-2.0",
            content = new object[] { new { type = "draft_task", draft_task = new { id = draftId } }, new { type = "draft_task", draft_task = new { id = draftId } } },
        });
        Assert.Equal((400, "content[1]"), (twiceStatus, (string?)twice["error"]!["param"]));
    }

    private static async Task<byte[]> ReadAsync(IBlobStore blobs, string url)
    {
        await using var stream = (await blobs.OpenReadAsync(url["blob:".Length..], default))!;
        using var copy = new MemoryStream();
        await stream.CopyToAsync(copy);
        return copy.ToArray();
    }

    /// <summary>One gateway, a second account (the intruder), and a way to make a succeeded Fast draft from an inline image.</summary>
    public sealed class Node : IAsyncLifetime
    {
        public Gateway Gateway { get; private set; } = null!;
        public HttpClient Intruder { get; private set; } = null!;

        public async Task InitializeAsync()
        {
            Gateway = await Gateway.StartAsync();
            Intruder = await Gateway.AddTenantAsync("intruder");
        }

        /// <summary>A 4 s 480p Fast draft of a 1024×576 image pushed in, succeeded; its id.</summary>
        public async Task<string> DraftAsync()
        {
            var image = Media.DataUrl("image/png", await Media.PngAsync(1024, 576));
            var (status, created) = await Gateway.PostAsync(Tasks, new
            {
                model = "seedance-2.0-fast",
                content = new object[] { new { type = "text", text = "a slow push in on a harbour" }, new { type = "image_url", image_url = new { url = image } } },
                resolution = "480p",
                duration = 4,
                camera_motion = "dolly_in",
                generate_audio = false,
            });
            Assert.True(status == 200, created.ToJsonString());
            var draft = await Gateway.WaitArkAsync((string)created["id"]!);
            Assert.True((string?)draft["status"] == "succeeded", draft.ToJsonString());
            return (string)draft["id"]!;
        }

        public async Task DisposeAsync()
        {
            Intruder.Dispose();
            await Gateway.DisposeAsync();
        }
    }
}
