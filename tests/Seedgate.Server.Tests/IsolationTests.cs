using System.Diagnostics;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Seedgate.Core.Accounts;
using Seedgate.Core.Generation;
using Seedgate.Core.Jobs;
using Seedgate.Server.Tests.Infrastructure;

namespace Seedgate.Server.Tests;

/// <summary>
/// Isolation (issue 8, item 6): to another account a task does not exist. A read, long-poll or delete of a foreign
/// task, in every dialect and in every state of its life, answers exactly as for an id nobody has (the id aside);
/// lists, idempotency keys and the balance are the caller's own; a download link opens only the file it was signed for.
/// </summary>
public sealed class IsolationTests : IClassFixture<IsolationTests.Tenants>
{
    private const string Ark = "/api/v3/contents/generations/tasks";
    private const string V1 = "/seedance/v1/videos";

    // Half the 10 s the long-polls ask for: a foreign task must not hold the request.
    private static readonly TimeSpan Promptly = TimeSpan.FromSeconds(5);

    private readonly Tenants _tenants;

    public IsolationTests(Tenants tenants) => _tenants = tenants;

    /// <summary>Where an owner's task is in its life when another account reaches for it.</summary>
    public enum Foreign
    {
        Queued,
        QueuedThroughV1,
        Running,
        Failed,
        Expired,
        Cancelled,
        Succeeded,
    }

    /// <summary>The nodes of the fixture: one that keeps jobs where the test puts them, one that renders.</summary>
    public enum NodeKind
    {
        Queueing,
        Rendering,
    }

    /// <summary>One way of reaching for a task by id, and the error an unknown id gets from it.</summary>
    private sealed record Probe(string Name, HttpMethod Method, Func<string, string> Path, string Code, string Param);

    private static readonly Probe[] Probes =
    [
        new("Ark get", HttpMethod.Get, id => $"{Ark}/{id}", "NotFound", "id"),
        new("Ark long-poll", HttpMethod.Get, id => $"{Ark}/{id}?wait=10", "NotFound", "id"),
        new("Ark delete", HttpMethod.Delete, id => $"{Ark}/{id}", "NotFound", "id"),
        new("v1 get", HttpMethod.Get, id => $"{V1}/{id}", "not_found", "job_id"),
        new("v1 long-poll", HttpMethod.Get, id => $"{V1}/{id}?wait=10", "not_found", "job_id"),
        new("variant get", HttpMethod.Get, id => $"/api/v1/tasks/{id}", "404", "task_id"),
        new("variant long-poll", HttpMethod.Get, id => $"/api/v1/tasks/{id}?wait=10", "404", "task_id"),
    ];

    public static TheoryData<string, Foreign> ProbesOfEveryState()
    {
        var data = new TheoryData<string, Foreign>();
        foreach (var probe in Probes)
        {
            foreach (var state in Enum.GetValues<Foreign>())
            {
                data.Add(probe.Name, state);
            }
        }

        return data;
    }

    public static TheoryData<Foreign> EveryState() => [.. Enum.GetValues<Foreign>()];

    [Theory]
    [MemberData(nameof(ProbesOfEveryState))]
    public async Task AForeignTask_AnswersExactlyAsAnUnknownId(string probeName, Foreign state)
    {
        var probe = Probes.Single(p => p.Name == probeName);
        var (node, id) = _tenants.Find(state);
        var unknown = Unknown(id);
        await AssertOwnerSeesAsync(node, state); // for finished tasks this also puts them in the finished-job cache

        var foreign = await SendAsync(node.Intruder, probe.Method, probe.Path(id));
        var nobody = await SendAsync(node.Intruder, probe.Method, probe.Path(unknown));

        Assert.Equal(404, nobody.Status);
        var body = JsonNode.Parse(nobody.Body)!;
        var error = body["error"] ?? body; // the variant dialect's error is its envelope, code = the status
        Assert.Equal((probe.Code, probe.Param), (error["code"]!.ToString(), (string?)error["param"]));
        Assert.Equal(nobody.Status, foreign.Status);
        Assert.Equal(nobody.Headers, foreign.Headers);
        Assert.Equal(
            nobody.Body.Replace(unknown, "{id}", StringComparison.Ordinal), foreign.Body.Replace(id, "{id}", StringComparison.Ordinal));
        Assert.True(foreign.Elapsed < Promptly, $"The foreign {probeName} took {foreign.Elapsed}.");
        Assert.True(nobody.Elapsed < Promptly, $"The unknown {probeName} took {nobody.Elapsed}.");

        // And nothing happened to it: the owner still sees it as it was.
        await AssertOwnerSeesAsync(node, state);
    }

    [Theory]
    [MemberData(nameof(EveryState))]
    public async Task AListNamingAForeignTask_LeavesItOut(Foreign state)
    {
        var (node, id) = _tenants.Find(state);

        var (_, foreign) = await node.Gateway.GetAsync($"{Ark}?filter.task_ids={id}", node.Intruder);
        var (_, nobody) = await node.Gateway.GetAsync($"{Ark}?filter.task_ids={Unknown(id)}", node.Intruder);
        var (_, mixed) = await node.Gateway.GetAsync(
            $"{Ark}?page_size=500&filter.task_ids={id},{node.IntruderTaskId}&filter.task_ids={id}", node.Intruder);
        var (_, everything) = await node.Gateway.GetAsync($"{Ark}?page_size=500", node.Intruder);

        Assert.Equal(0L, (long)foreign["total"]!);
        Assert.Equal(nobody.ToJsonString(), foreign.ToJsonString());
        Assert.Equal([node.IntruderTaskId], IdsOf(mixed));
        Assert.Equal(1L, (long)mixed["total"]!);
        Assert.Equal([node.IntruderTaskId], IdsOf(everything));
        Assert.Equal(1L, (long)everything["total"]!);
    }

    [Fact]
    public async Task AnIdempotencyKey_BelongsToItsAccount()
    {
        var node = _tenants.Queueing;
        var (_, again) = await Tenants.CreateAsync(
            node.Intruder, Ark, Tenants.TinyTask("a lighthouse at night"), Tenants.SharedIdempotencyKey);

        // The intruder sent the owner's key with the owner's body: it got a task of its own, and gets it again.
        Assert.NotEqual(_tenants.Ids[Foreign.Queued], node.IntruderTaskId);
        Assert.Equal(node.IntruderTaskId, again);
        var (status, task) = await node.Gateway.GetAsync($"{Ark}/{node.IntruderTaskId}", node.Intruder);
        Assert.Equal((200, "queued"), (status, (string?)task["status"]));
    }

    // Queueing node: the owner's queued, v1-queued and running tasks hold 40,000 each (failed, expired and cancelled
    // ones released theirs); the intruder's one queued task holds its own 40,000. Rendering node: the owner's
    // standard-tier success is charged 120,000; the intruder's Fast-tier success is free and uses its own quota.
    [Theory]
    [InlineData(NodeKind.Queueing, Tenants.Intruder, 0L, 40_000L, 0)]
    [InlineData(NodeKind.Queueing, ApiKeys.DefaultAccountId, 0L, 120_000L, 0)]
    [InlineData(NodeKind.Rendering, Tenants.Intruder, 0L, 0L, 1)]
    [InlineData(NodeKind.Rendering, ApiKeys.DefaultAccountId, 120_000L, 0L, 0)]
    public async Task TheBalance_ShowsOnlyTheCallersMoney(NodeKind kind, string account, long charged, long reserved, int freeUsed)
    {
        var node = kind == NodeKind.Queueing ? _tenants.Queueing : _tenants.Rendering;

        var (status, balance) = await node.Gateway.GetAsync("/v1/balance", account == Tenants.Intruder ? node.Intruder : node.Gateway.Http);

        Assert.Equal(200, status);
        Assert.Equal(account, (string?)balance["account_id"]);
        Assert.Equal(
            (charged, reserved, freeUsed),
            ((long)balance["charged_micros"]!, (long)balance["reserved_micros"]!, (int)balance["free_fast_used"]!));
    }

    /// <summary>Ways to bend a valid link (the intruder's own) towards the owner's video.</summary>
    private static readonly Dictionary<string, Func<Tenants.Links, string>> Tampers = new()
    {
        ["their file under my signature"] = l => $"/files/{l.TheirKey}{l.MySignature}",
        ["their file with no signature"] = l => $"/files/{l.TheirKey}",
        ["my path renamed to their task"] = l =>
            $"/files/{l.MyKey.Replace(l.MyTask, l.TheirTask, StringComparison.Ordinal)}{l.MySignature}",
        ["a climb from my file to theirs"] = l => $"/files/outputs/{l.MyTask}/../../{l.TheirKey}{l.MySignature}",
        ["an encoded climb from my file to theirs"] = l => $"/files/outputs/{l.MyTask}/%2e%2e/%2e%2e/{l.TheirKey}{l.MySignature}",
        ["their file with encoded slashes"] = l => $"/files/{l.TheirKey.Replace("/", "%2F", StringComparison.Ordinal)}{l.MySignature}",
    };

    public static TheoryData<string> TamperNames() => [.. Tampers.Keys];

    [Theory]
    [MemberData(nameof(TamperNames))]
    public async Task ALinkBentTowardsAnotherTasksFile_IsRefusedAsAnyBadLink(string tamper)
    {
        var links = _tenants.Downloads;
        var server = _tenants.Rendering.Gateway.BaseAddress;

        var bent = await RawHttp.SendAsync(server, Request("GET", Tampers[tamper](links)));
        var nowhere = await RawHttp.SendAsync(
            server, Request("GET", $"/files/outputs/{Unknown(links.TheirTask)}/run/video.mp4{links.MySignature}"));

        // 403 before any look-up, the same answer whether the file exists or not: no oracle for other tasks' files.
        Assert.Equal(403, nowhere.Status);
        Assert.Equal("AuthenticationError", (string?)nowhere.Body!["error"]!["code"]);
        Assert.Equal(nowhere.Status, bent.Status);
        Assert.Equal(nowhere.Body!.ToJsonString(), bent.Body?.ToJsonString());
    }

    [Fact]
    public async Task ALinkUnbent_OpensItsFile()
    {
        // The control for the tampering above: the same transport, with the link as signed.
        var answer = await RawHttp.SendAsync(
            _tenants.Rendering.Gateway.BaseAddress, Request("HEAD", $"/files/{_tenants.Downloads.MyKey}{_tenants.Downloads.MySignature}"));

        Assert.Equal(200, answer.Status);
        Assert.Equal("video/mp4", answer.Headers["Content-Type"]);
    }

    private async Task AssertOwnerSeesAsync(Tenants.Node node, Foreign state)
    {
        var (status, task) = await node.Gateway.GetAsync($"{Ark}/{_tenants.Ids[state]}");
        Assert.Equal((200, Tenants.StatusOf(state)), (status, (string?)task["status"]));
    }

    /// <summary>An id of the same shape, length and time that nobody has.</summary>
    private static string Unknown(string id) => id[..^8] + "00000000";

    private static string[] IdsOf(JsonObject page) => [.. page["items"]!.AsArray().Select(t => (string)t!["id"]!)];

    private static string Request(string method, string target) =>
        $"{method} {target} HTTP/1.1\nHost: 127.0.0.1\nConnection: close\n\n";

    /// <summary>What a caller could compare between two answers: status, headers (names, and the content type), body, time.</summary>
    private sealed record Answer(int Status, string Headers, string Body, TimeSpan Elapsed);

    private static async Task<Answer> SendAsync(HttpClient client, HttpMethod method, string path)
    {
        using var request = new HttpRequestMessage(method, path);
        var clock = Stopwatch.StartNew();
        using var response = await client.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        var elapsed = clock.Elapsed;
        var names = response.Headers.Concat(response.Content.Headers).Select(h => h.Key).Order(StringComparer.OrdinalIgnoreCase);
        return new Answer((int)response.StatusCode, $"{response.Content.Headers.ContentType}; {string.Join(", ", names)}", body, elapsed);
    }

    /// <summary>
    /// Two nodes, each with the default account (the owner) and an intruder account. On the queueing node (API-only)
    /// the owner's tasks are put in each unfinished or failed state by acting as a worker through the store; on the
    /// rendering node each account renders one tiny video.
    /// </summary>
    public sealed class Tenants : IAsyncLifetime
    {
        public const string Intruder = "intruder";
        public const string SharedIdempotencyKey = "isolation-shared-key";
        private const string Worker = "isolation-test-worker";

        private readonly Dictionary<Foreign, string> _ids = [];

        public Node Queueing { get; private set; } = null!;
        public Node Rendering { get; private set; } = null!;
        public IReadOnlyDictionary<Foreign, string> Ids => _ids;
        public Links Downloads { get; private set; } = null!;

        /// <summary>
        /// The blob keys of the owner's video and of the intruder's, and the query of the intruder's link (?exp=…&amp;sig=…).
        /// </summary>
        public sealed record Links(string TheirTask, string TheirKey, string MyTask, string MyKey, string MySignature);

        public sealed class Node(Gateway gateway, HttpClient intruder)
        {
            public Gateway Gateway => gateway;
            public HttpClient Intruder => intruder;
            public string IntruderTaskId { get; set; } = "";
        }

        public (Node Node, string Id) Find(Foreign state) => (state == Foreign.Succeeded ? Rendering : Queueing, _ids[state]);

        public static string StatusOf(Foreign state) => state switch
        {
            Foreign.Queued or Foreign.QueuedThroughV1 => "queued",
            Foreign.Running => "running",
            Foreign.Failed => "failed",
            Foreign.Expired => "expired",
            Foreign.Cancelled => "cancelled",
            Foreign.Succeeded => "succeeded",
        };

        /// <summary>An Ark create of the smallest clip (480p, 4 s, silent): $0.010 a second on Fast, $0.030 on Standard.</summary>
        public static object TinyTask(string prompt, string model = "seedance-2.0-fast") => new
        {
            model,
            content = new object[] { new { type = "text", text = prompt } },
            resolution = "480p",
            duration = 4,
            generate_audio = false,
        };

        public async Task InitializeAsync()
        {
            Queueing = await StartAsync("--Seedgate:Dispatch:Enabled=false");
            Rendering = await StartAsync();

            // The renders first, so they run while the queueing node is set up.
            var (_, theirs) = await CreateAsync(Rendering.Gateway.Http, Ark, TinyTask("a harbour at dawn", "seedance-2.0"));
            var (_, mine) = await CreateAsync(Rendering.Intruder, Ark, TinyTask("a harbour at dusk"));
            await SetUpQueueingAsync();

            _ids[Foreign.Succeeded] = theirs;
            Rendering.IntruderTaskId = mine;
            var theirLink = await VideoOfAsync(theirs, Rendering.Gateway.Http);
            var myLink = await VideoOfAsync(mine, Rendering.Intruder);
            Downloads = new Links(theirs, KeyOf(theirLink), mine, KeyOf(myLink), myLink.Query);
        }

        public async Task DisposeAsync()
        {
            foreach (var node in new[] { Queueing, Rendering }.Where(n => n is not null))
            {
                node.Intruder.Dispose();
                await node.Gateway.DisposeAsync();
            }
        }

        /// <summary>Creates a task; returns the status and the task's id (either dialect's name for it).</summary>
        public static async Task<(int Status, string Id)> CreateAsync(
            HttpClient client, string path, object body, string? idempotencyKey = null)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = JsonContent.Create(body) };
            if (idempotencyKey is not null)
            {
                request.Headers.Add(IdempotencyKeys.HeaderName, idempotencyKey);
            }

            using var response = await client.SendAsync(request);
            var created = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
            Assert.True(response.IsSuccessStatusCode, created.ToJsonString());
            return ((int)response.StatusCode, (string)(created["id"] ?? created["job_id"])!);
        }

        private async Task SetUpQueueingAsync()
        {
            var gateway = Queueing.Gateway;
            var store = gateway.Services.GetRequiredService<IJobStore>();
            var time = gateway.Services.GetRequiredService<TimeProvider>();

            _ids[Foreign.Running] = await ClaimedAsync("a running task");
            _ids[Foreign.Failed] = await EndedAsync("a failed task", JobStatus.Failed);
            _ids[Foreign.Expired] = await EndedAsync("an expired task", JobStatus.Expired);

            (_, _ids[Foreign.Cancelled]) = await CreateAsync(gateway.Http, Ark, TinyTask("a cancelled task"));
            using (var cancel = await gateway.Http.DeleteAsync($"{Ark}/{_ids[Foreign.Cancelled]}"))
            {
                Assert.True(cancel.IsSuccessStatusCode);
            }

            (_, _ids[Foreign.Queued]) = await CreateAsync(gateway.Http, Ark, TinyTask("a lighthouse at night"), SharedIdempotencyKey);
            (_, _ids[Foreign.QueuedThroughV1]) = await CreateAsync(
                gateway.Http, V1, new { model = "seedance-2.0-fast", prompt = "a lighthouse by day", resolution = "480p", duration = 4 });

            // The intruder sends the owner's Idempotency-Key with the owner's very body.
            (_, Queueing.IntruderTaskId) = await CreateAsync(
                Queueing.Intruder, Ark, TinyTask("a lighthouse at night"), SharedIdempotencyKey);

            // Nothing else is queued when it is claimed, so the claim takes exactly this task (no dispatcher runs here).
            async Task<string> ClaimedAsync(string prompt)
            {
                var (_, id) = await CreateAsync(gateway.Http, Ark, TinyTask(prompt));
                var claimed = await store.ClaimAsync(Worker, 1, time.GetUtcNow(), TimeSpan.FromHours(1), default);
                Assert.Equal(id, Assert.Single(claimed).Id);
                return id;
            }

            async Task<string> EndedAsync(string prompt, JobStatus status)
            {
                var id = await ClaimedAsync(prompt);
                var error = new JobError(ErrorCodes.InternalServiceError, "The render broke.");
                Assert.True(await store.FailAsync(id, Worker, status, error, time.GetUtcNow(), default));
                return id;
            }
        }

        private async Task<Uri> VideoOfAsync(string id, HttpClient client)
        {
            var task = await Rendering.Gateway.WaitArkAsync(id, client);
            Assert.True((string?)task["status"] == "succeeded", task.ToJsonString());
            return new Uri((string)task["content"]!["video_url"]!);
        }

        private static string KeyOf(Uri link) => link.AbsolutePath["/files/".Length..];

        private static async Task<Node> StartAsync(params string[] configuration)
        {
            var gateway = await Gateway.StartAsync(configuration);
            var accounts = gateway.Services.GetRequiredService<IAccountStore>();
            await accounts.EnsureAccountAsync(Intruder, "Intruder", DateTimeOffset.UnixEpoch, default);
            var (key, record) = ApiKeys.Create(Intruder, "isolation", DateTimeOffset.UnixEpoch);
            await accounts.AddApiKeyAsync(record, default);
            var intruder = new HttpClient(new SocketsHttpHandler())
            {
                BaseAddress = gateway.BaseAddress,
                Timeout = TimeSpan.FromMinutes(2),
            };
            intruder.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
            return new Node(gateway, intruder);
        }
    }
}
