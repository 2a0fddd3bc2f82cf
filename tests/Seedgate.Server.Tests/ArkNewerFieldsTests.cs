using System.Text;
using System.Text.Json.Nodes;
using Seedgate.Server.Tests.Infrastructure;

namespace Seedgate.Server.Tests;

/// <summary>
/// The Ark fields newer than the seeds (safety_identifier, output_format, tools, draft): accepted, kept with the job
/// and echoed in GET and list items as real Ark does; filter.service_tier on the list; newer models' ranges.
/// </summary>
public sealed class ArkNewerFieldsTests : IClassFixture<ApiOnlyGatewayFixture>
{
    private const string Ark = "/api/v3/contents/generations/tasks";
    private readonly Gateway _gateway;

    public ArkNewerFieldsTests(ApiOnlyGatewayFixture fixture) => _gateway = fixture.Gateway;

    [Fact]
    public async Task The_newer_fields_are_echoed_in_get_and_in_list_items()
    {
        var id = await CreateAsync("""
            {"model":"dreamina-seedance-2-5-260628","content":[{"type":"text","text":"a lighthouse at dusk"}],
             "safety_identifier":"end-user-42","output_format":"mov","tools":[{"type":"web_search"}],"draft":false}
            """);

        var (_, task) = await _gateway.GetAsync($"{Ark}/{id}");
        var (_, list) = await _gateway.GetAsync($"{Ark}?filter.task_ids={id}");

        foreach (var view in new[] { task, list["items"]![0]!.AsObject() })
        {
            Assert.Equal("end-user-42", (string?)view["safety_identifier"]);
            Assert.Equal("mov", (string?)view["output_format"]);
            Assert.Equal("""[{"type":"web_search"}]""", view["tools"]!.ToJsonString());
            Assert.False((bool)view["draft"]!);
            Assert.Equal("default", (string?)view["service_tier"]);
            Assert.Equal("720p", (string?)view["resolution"]); // 2.5's default
            Assert.Equal("dreamina-seedance-2-5-260628", (string?)view["model"]);
        }
    }

    [Fact]
    public async Task Without_them_a_task_shows_the_models_defaults()
    {
        var id = await CreateAsync("""{"model":"seedance-2.0","content":[{"type":"text","text":"a quiet harbour"}]}""");

        var (_, task) = await _gateway.GetAsync($"{Ark}/{id}");

        Assert.Equal("mp4", (string?)task["output_format"]);
        Assert.Equal("[]", task["tools"]!.ToJsonString());
        Assert.False((bool)task["draft"]!);
        Assert.Null(task["safety_identifier"]);
    }

    [Fact]
    public async Task A_body_as_the_Volcano_Python_SDK_sends_it_is_taken_with_nulls_as_not_given()
    {
        // Ark().content_generation.tasks.create(model=…, content=[…], callback_url=None, return_last_frame=None,
        // extra_body={…}): named arguments at the top level with None as null, extra_body merged in at the top level.
        var id = await CreateAsync("""
            {"model":"seedance-2.5","content":[{"type":"text","text":"a long walk on the beach"}],
             "callback_url":null,"return_last_frame":null,
             "duration":30,"ratio":"1:1","generate_audio":false,"service_tier":null,"execution_expires_after":null,
             "safety_identifier":"sdk-user","tools":null,"draft":null,"output_format":null,"priority":null,"seed":null,
             "omni_reference_task_type":null}
            """);

        var (_, task) = await _gateway.GetAsync($"{Ark}/{id}");

        Assert.Equal(30, (int)task["duration"]!);
        Assert.Equal("1:1", (string?)task["ratio"]);
        Assert.False((bool)task["generate_audio"]!);
        Assert.Equal("sdk-user", (string?)task["safety_identifier"]);
        Assert.Equal("mp4", (string?)task["output_format"]);
        Assert.Equal("[]", task["tools"]!.ToJsonString());
        Assert.Equal(172_800, (int)task["execution_expires_after"]!);
    }

    [Fact]
    public async Task Seedance_2_5_takes_30_seconds_where_2_0_refuses_16()
    {
        var (longOk, _) = await PostAsync("""{"model":"seedance-2.5","content":[{"type":"text","text":"x"}],"duration":30}""");
        var (tooLong, error) = await PostAsync("""{"model":"seedance-2.0","content":[{"type":"text","text":"x"}],"duration":16}""");

        Assert.Equal(200, longOk);
        Assert.Equal(400, tooLong);
        Assert.Equal("duration", (string?)error["error"]!["param"]);
        Assert.Contains("4–15", (string?)error["error"]!["message"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Four_k_is_taken_on_standard_2_0_in_any_case()
    {
        var id = await CreateAsync("""{"model":"seedance-2.0","content":[{"type":"text","text":"x"}],"resolution":"4K","duration":4}""");

        var (_, task) = await _gateway.GetAsync($"{Ark}/{id}");

        Assert.Equal("4k", (string?)task["resolution"]);
        Assert.Equal(600_000, (long)task["reserved_cost"]!["amount_micros"]!); // 4 s × $0.150
    }

    [Fact]
    public async Task Filter_service_tier_default_lists_the_tasks_flex_none_and_another_value_is_refused()
    {
        var id = await CreateAsync("""{"model":"seedance-2.0-fast","content":[{"type":"text","text":"x"}]}""");

        var (okDefault, byDefault) = await _gateway.GetAsync($"{Ark}?filter.task_ids={id}&filter.service_tier=default");
        var (okFlex, byFlex) = await _gateway.GetAsync($"{Ark}?filter.task_ids={id}&filter.service_tier=flex");
        var (bad, error) = await _gateway.GetAsync($"{Ark}?filter.service_tier=batch");
        var (badPage, pageError) = await _gateway.GetAsync($"{Ark}?filter.service_tier=flex&page_size=0");

        Assert.Equal((200, 1L), (okDefault, (long)byDefault["total"]!));
        Assert.Equal(id, (string?)byDefault["items"]![0]!["id"]);
        Assert.Equal((200, 0L), (okFlex, (long)byFlex["total"]!));
        Assert.Empty(byFlex["items"]!.AsArray());
        Assert.Equal(400, bad);
        Assert.Equal(("InvalidParameter", "filter.service_tier"), ((string?)error["error"]!["code"], (string?)error["error"]!["param"]));
        Assert.Contains("batch", (string?)error["error"]!["message"], StringComparison.Ordinal);
        Assert.Equal((400, "page_size"), (badPage, (string?)pageError["error"]!["param"]));
    }

    [Fact]
    public async Task A_SeeDance_v1_job_read_through_Ark_shows_the_defaults()
    {
        var (status, created) = await _gateway.PostAsync("/seedance/v1/videos", new { model = "seedance-2.0-fast", prompt = "snow" });
        Assert.Equal(200, status);

        var (_, task) = await _gateway.GetAsync($"{Ark}/{created["job_id"]}");

        Assert.Equal(("mp4", "[]", false), ((string?)task["output_format"], task["tools"]!.ToJsonString(), (bool)task["draft"]!));
    }

    private async Task<string> CreateAsync(string json)
    {
        var (status, body) = await PostAsync(json);
        Assert.True(status == 200, body.ToJsonString());
        return (string)body["id"]!;
    }

    private async Task<(int Status, JsonObject Body)> PostAsync(string json)
    {
        using var content = new StringContent(json, Encoding.UTF8, "application/json");
        using var response = await _gateway.Http.PostAsync(Ark, content);
        return ((int)response.StatusCode, JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsObject());
    }
}
