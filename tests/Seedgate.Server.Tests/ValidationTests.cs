using System.Text;
using System.Text.Json.Nodes;
using Seedgate.Server.Tests.Infrastructure;

namespace Seedgate.Server.Tests;

/// <summary>Every bad input gets its 400 (or 404) with the field named, in the dialect's own error shape.</summary>
public sealed class ValidationTests : IClassFixture<ApiOnlyGatewayFixture>
{
    private const string Ark = "/api/v3/contents/generations/tasks";
    private const string V1 = "/seedance/v1/videos";
    private const string Text = """{"type":"text","text":"a cat"}""";
    private const string Png = "data:image/png;base64,iVBORw0KGgo=";

    private static readonly string LongPrompt = new('x', 2001);
    private static readonly string TenImages = string.Join(",", Enumerable.Range(0, 10).Select(_ =>
        $$"""{"type":"image_url","image_url":{"url":"https://example.com/a.png"},"role":"reference_image"}"""));

    private readonly Gateway _gateway;

    public ValidationTests(ApiOnlyGatewayFixture fixture) => _gateway = fixture.Gateway;

    public static TheoryData<string, string, int, string, string> BadInputs => new()
    {
        // Ark dialect
        { Ark, """{"content":[TEXT]}""", 400, "MissingParameter", "model" },
        { Ark, """{"model":"seedance-9","content":[TEXT]}""", 404, "ModelNotOpen", "model" },
        { Ark, """{"model":"seedance-2.0"}""", 400, "MissingParameter", "content" },
        { Ark, """{"model":"seedance-2.0","content":[{"type":"text","text":"LONG"}]}""", 400, "InvalidParameter", "content[0].text" },
        { Ark, """{"model":"seedance-2.0","content":[TEXT],"negative_prompt":"NEG"}""", 400, "InvalidParameter", "negative_prompt" },
        { Ark, """{"model":"seedance-2.0","content":[TEXT],"duration":3}""", 400, "InvalidParameter", "duration" },
        { Ark, """{"model":"seedance-2.0","content":[TEXT],"duration":16}""", 400, "InvalidParameter", "duration" },
        { Ark, """{"model":"seedance-2.0","content":[TEXT],"duration":"5"}""", 400, "InvalidParameter", "duration" },
        { Ark, """{"model":"seedance-2.0-fast","content":[TEXT],"resolution":"1080p"}""", 400, "InvalidParameter", "resolution" },
        { Ark, """{"model":"seedance-2.0-fast","content":[TEXT],"resolution":"4k"}""", 400, "InvalidParameter", "resolution" },
        { Ark, """{"model":"seedance-2.0","content":[TEXT],"resolution":"2k"}""", 400, "InvalidParameter", "resolution" },
        { Ark, """{"model":"seedance-2.5","content":[TEXT],"resolution":"4k"}""", 400, "InvalidParameter", "resolution" },
        { Ark, """{"model":"seedance-2.0-mini","content":[TEXT],"resolution":"1080p"}""", 400, "InvalidParameter", "resolution" },
        { Ark, """{"model":"seedance-2.5","content":[TEXT],"duration":31}""", 400, "InvalidParameter", "duration" },
        { Ark, """{"model":"seedance-2.0","content":[TEXT],"output_format":"mov"}""", 400, "InvalidParameter", "output_format" },
        { Ark, """{"model":"seedance-2.5","content":[TEXT],"output_format":"avi"}""", 400, "InvalidParameter", "output_format" },
        { Ark, """{"model":"seedance-2.0","content":[TEXT],"output_format":5}""", 400, "InvalidParameter", "output_format" },
        { Ark, """{"model":"seedance-2.0","content":[TEXT],"tools":[{"type":"calculator"}]}""", 400, "InvalidParameter", "tools[0].type" },
        { Ark, """{"model":"seedance-2.0","content":[TEXT],"tools":[{"type":"web_search"},{}]}""", 400, "MissingParameter", "tools[1].type" },
        { Ark, """{"model":"seedance-2.0","content":[TEXT],"tools":[null]}""", 400, "InvalidParameter", "tools[0]" },
        { Ark, """{"model":"seedance-2.0","content":[TEXT],"tools":[{"type":"web_search"},{"type":"web_search"}]}""", 400, "InvalidParameter", "tools[1].type" },
        { Ark, """{"model":"seedance-2.0","content":[TEXT],"tools":{"type":"web_search"}}""", 400, "InvalidParameter", "tools" },
        { Ark, """{"model":"seedance-2.0","content":[TEXT],"draft":true}""", 400, "InvalidParameter", "draft" },
        { Ark, """{"model":"seedance-2.0","content":[TEXT],"safety_identifier":"SAFETYID"}""", 400, "InvalidParameter", "safety_identifier" },
        { Ark, """{"model":"seedance-2.0","content":[TEXT],"safety_identifier":"user\n1"}""", 400, "InvalidParameter", "safety_identifier" },
        { Ark, """{"model":"seedance-2.5","content":[{"type":"audio_url","audio_url":{"url":"https://example.com/a.mp3"},"role":"reference_audio"}]}""", 400, "MissingParameter", "content" },
        { Ark, """{"model":"seedance-2.0","content":[TEXT],"ratio":"5:4"}""", 400, "InvalidParameter", "ratio" },
        { Ark, """{"model":"seedance-2.0","content":[TEXT],"seed":-2}""", 400, "InvalidParameter", "seed" },
        { Ark, """{"model":"seedance-2.0","content":[TEXT],"seed":4294967296}""", 400, "InvalidParameter", "seed" },
        { Ark, """{"model":"seedance-2.0","content":[TEXT],"camera_motion":"spin"}""", 400, "InvalidParameter", "camera_motion" },
        { Ark, """{"model":"seedance-2.0","content":[TEXT],"style":"noir"}""", 400, "InvalidParameter", "style" },
        { Ark, """{"model":"seedance-2.0","content":[TEXT],"camera_fixed":true,"camera_motion":"pan_left"}""", 400, "InvalidParameter", "camera_fixed" },
        { Ark, """{"model":"seedance-2.0","content":[TEXT],"frames":49}""", 400, "InvalidParameter", "frames" },
        { Ark, """{"model":"seedance-2.0","content":[TEXT],"framespersecond":30}""", 400, "InvalidParameter", "framespersecond" },
        { Ark, """{"model":"seedance-2.0","content":[TEXT],"service_tier":"flex"}""", 400, "InvalidParameter", "service_tier" },
        { Ark, """{"model":"seedance-2.0","content":[TEXT],"execution_expires_after":60}""", 400, "InvalidParameter", "execution_expires_after" },
        { Ark, """{"model":"seedance-2.0","content":[TEXT],"priority":10}""", 400, "InvalidParameter", "priority" },
        { Ark, """{"model":"seedance-2.0","content":[TEXT],"callback_url":"not a url"}""", 400, "InvalidParameter", "callback_url" },
        { Ark, """{"model":"seedance-2.0","content":[TEXT],"callback_url":"http://169.254.169.254/latest/meta-data"}""", 400, "InvalidParameter", "callback_url" },
        { Ark, """{"model":"seedance-2.0","content":[TEXT],"callback_url":"http://10.1.2.3/hook"}""", 400, "InvalidParameter", "callback_url" },
        { Ark, """{"model":"seedance-2.0","content":[{"type":"banana"}]}""", 400, "InvalidParameter", "content[0].type" },
        { Ark, """{"model":"seedance-2.0","content":[{"type":"text"}]}""", 400, "MissingParameter", "content[0].text" },
        { Ark, """{"model":"seedance-2.0","content":[TEXT,{"type":"image_url","image_url":{}}]}""", 400, "MissingParameter", "content[1].image_url.url" },
        { Ark, """{"model":"seedance-2.0","content":[TEXT,{"type":"image_url","image_url":{"url":"PNG"},"role":"hero"}]}""", 400, "InvalidParameter", "content[1].role" },
        { Ark, """{"model":"seedance-2.0","content":[TEXT,{"type":"image_url","image_url":{"url":"PNG"}},{"type":"image_url","image_url":{"url":"PNG"}}]}""", 400, "MissingParameter", "content[1].role" },
        { Ark, """{"model":"seedance-2.0","content":[TEXT,{"type":"image_url","image_url":{"url":"PNG"},"role":"first_frame"},{"type":"image_url","image_url":{"url":"PNG"},"role":"reference_image"}]}""", 400, "InvalidParameter", "content[2].image_url.url" },
        { Ark, """{"model":"seedance-2.0","content":[TEXT,{"type":"image_url","image_url":{"url":"PNG"},"role":"last_frame"}]}""", 400, "InvalidParameter", "content[1].image_url.url" },
        { Ark, """{"model":"seedance-2.0","content":[TEXT,{"type":"audio_url","audio_url":{"url":"https://example.com/a.mp3"}}]}""", 400, "InvalidParameter", "content[1].audio_url.url" },
        { Ark, """{"model":"seedance-2.0","content":[TEXT,TENIMAGES]}""", 400, "InvalidParameter", "content[10].image_url.url" },
        { Ark, """{"model":"seedance-2.0","content":[TEXT,{"type":"image_url","image_url":{"url":"ftp://example.com/a.png"}}]}""", 400, "InvalidParameter", "content[1].image_url.url" },
        { Ark, """{"model":"seedance-2.0","content":[TEXT,{"type":"image_url","image_url":{"url":"http://10.1.2.3/a.png"}}]}""", 400, "InvalidParameter", "content[1].image_url.url" },
        { Ark, """{"model":"seedance-2.0","content":[TEXT,{"type":"image_url","image_url":{"url":"http://169.254.169.254/latest/meta-data"}}]}""", 400, "InvalidParameter", "content[1].image_url.url" },
        { Ark, """{"model":"seedance-2.0","content":[TEXT,{"type":"image_url","image_url":{"url":"https://example.com:0/a.png"}}]}""", 400, "InvalidParameter", "content[1].image_url.url" },
        { Ark, """{"model":"seedance-2.0","content":[TEXT,{"type":"image_url","image_url":{"url":"data:image/png;base64,***"}}]}""", 400, "InvalidParameter", "content[1].image_url.url" },
        { Ark, """{"model":"seedance-2.0","content":[TEXT,{"type":"image_url","image_url":{"url":"data:text/plain;base64,aGVsbG8="}}]}""", 400, "InvalidParameter", "content[1].image_url.url" },
        { Ark, """{"model":"seedance-2.0","content":[TEXT,{"type":"video_url","video_url":{"url":"https://example.com/v.mp4"},"role":"first_frame"}]}""", 400, "InvalidParameter", "content[1].role" },
        { Ark, """{"model":"seedance-2.0-i2v","content":[TEXT]}""", 400, "MissingParameter", "content" },
        { Ark, """{"model":"seedance-2.0-v2v","content":[TEXT,{"type":"image_url","image_url":{"url":"PNG"},"role":"reference_image"}]}""", 400, "MissingParameter", "content" },
        { Ark, """{"model":"seedance-2.0","content":[{"type":"text","text":"   "}]}""", 400, "MissingParameter", "content[0].text" },
        { Ark, """{"model": "seedance-2.0", "content": [""", 400, "InvalidParameter", "body" },
        // SeeDance v1 dialect
        { V1, """{"prompt":"a cat"}""", 400, "missing_parameter", "model" },
        { V1, """{"model":"seedance-9","prompt":"a cat"}""", 400, "model_not_found", "model" },
        { V1, """{"model":"seedance-2.0"}""", 400, "missing_parameter", "prompt" },
        { V1, """{"model":"seedance-2.0","prompt":"LONG"}""", 400, "invalid_parameter", "prompt" },
        { V1, """{"model":"seedance-2.0","prompt":"a cat","aspect_ratio":"2:1"}""", 400, "invalid_parameter", "aspect_ratio" },
        { V1, """{"model":"seedance-2.0","prompt":"a cat","duration":-1}""", 400, "invalid_parameter", "duration" },
        { V1, """{"model":"seedance-2.0","prompt":"a cat","audio":"yes"}""", 400, "invalid_parameter", "audio" },
        { V1, """{"model":"seedance-2.0","prompt":"a cat","resolution":"2k"}""", 400, "invalid_parameter", "resolution" },
        { V1, """{"model":"seedance-2.0","prompt":"a cat","image_url":"https://example.com/a.png","image_base64":"iVBORw0KGgo="}""", 400, "invalid_parameter", "image_base64" },
        { V1, """{"model":"seedance-2.0","prompt":"a cat","image_base64":"bm90IGFuIGltYWdlIGF0IGFsbA=="}""", 400, "invalid_parameter", "image_base64" },
        { V1, """{"model":"seedance-2.0","prompt":"a cat","references":[{"type":"gif","url":"https://example.com/a.gif"}]}""", 400, "invalid_parameter", "references[0].type" },
        { V1, """{"model":"seedance-2.0","prompt":"a cat","references":[{"type":"image","role":"audio","url":"https://example.com/a.png"}]}""", 400, "invalid_parameter", "references[0].role" },
        { V1, """{"model":"seedance-2.0","prompt":"a cat","references":[{"type":"image","role":"subject"}]}""", 400, "missing_parameter", "references[0].url" },
        { V1, """{"model":"seedance-2.0","prompt":"a cat","references":[{"type":"audio","role":"audio","url":"https://example.com/a.mp3"}]}""", 400, "invalid_parameter", "references[0].url" },
        { V1, """{"model":"seedance-2.0","prompt":"a cat","references":[{"type":"image","url":"http://192.168.0.10/a.png"}]}""", 400, "invalid_parameter", "references[0].url" },
        { V1, """{"model":"seedance-2.0","prompt":"a cat","image_url":"http://example.com:0/a.png"}""", 400, "invalid_parameter", "image_url" },
    };

    [Theory]
    [MemberData(nameof(BadInputs))]
    public async Task BadInput_IsRefusedWithTheFieldNamed(string path, string body, int status, string code, string param)
    {
        var json = body.Replace("TEXT", Text).Replace("LONG", LongPrompt).Replace("NEG", new string('n', 501))
            .Replace("TENIMAGES", TenImages).Replace("SAFETYID", new string('u', 65)).Replace("\"PNG\"", $"\"{Png}\"");
        using var content = new StringContent(json, Encoding.UTF8, "application/json");
        using var response = await _gateway.Http.PostAsync(path, content);
        var error = JsonNode.Parse(await response.Content.ReadAsStringAsync())!["error"]!;

        Assert.True(status == (int)response.StatusCode, $"{(int)response.StatusCode}: {error.ToJsonString()}");
        Assert.Equal(code, (string?)error["code"]);
        Assert.Equal(param, (string?)error["param"]);
        Assert.False(string.IsNullOrWhiteSpace((string?)error["message"]));
    }

    [Theory]
    [InlineData(Ark, """{"model":"seedance-2.0","content":[{"type":"text","text":"TEXT"}]}""", "InvalidParameter", "content[0].text")]
    [InlineData(V1, """{"model":"seedance-2.0","prompt":"TEXT"}""", "invalid_parameter", "prompt")]
    [InlineData(V1, """{"model":"seedance-2.0","prompt":"a cat","negative_prompt":"TEXT"}""", "invalid_parameter", "negative_prompt")]
    public async Task OneLetterWithNineMillionCombiningMarks_IsRefusedFast(string path, string body, string code, string param)
    {
        // One grapheme cluster (one "character") of 9,000,001 UTF-16 code units, sent as 18 MB of raw UTF-8.
        var json = body.Replace("TEXT", "a" + new string('\u0301', 9_000_000));
        using var content = new StringContent(json, Encoding.UTF8, "application/json");
        var clock = System.Diagnostics.Stopwatch.StartNew();

        using var response = await _gateway.Http.PostAsync(path, content);

        var error = JsonNode.Parse(await response.Content.ReadAsStringAsync())!["error"]!;
        Assert.Equal(400, (int)response.StatusCode);
        Assert.Equal(code, (string?)error["code"]);
        Assert.Equal(param, (string?)error["param"]);
        Assert.InRange(clock.Elapsed.TotalSeconds, 0, 10);
    }

    [Fact]
    public async Task RefusedRequests_CreateNoJob()
    {
        var (_, before) = await _gateway.GetAsync(Ark + "?page_size=500");
        await _gateway.PostAsync(Ark, new { model = "seedance-2.0", content = new object[] { new { type = "text", text = "a" } }, duration = 99 });
        var (_, after) = await _gateway.GetAsync(Ark + "?page_size=500");
        Assert.Equal((long)before["total"]!, (long)after["total"]!);
    }
}
