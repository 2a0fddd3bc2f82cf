using System.Text.Json;
using Seedgate.Core.Generation;
using Seedgate.Core.Jobs;
using Seedgate.Core.Tests.Storage;

namespace Seedgate.Core.Tests.Jobs;

public sealed class JobJsonTests
{
    [Fact]
    public void Full_request_sets_every_property_so_the_round_trip_tests_cover_them_all()
    {
        var request = JobSamples.FullRequest();
        foreach (var property in typeof(GenerationRequest).GetProperties())
        {
            var value = property.GetValue(request);
            Assert.NotNull(value);
            if (property.PropertyType.IsValueType)
            {
                var type = Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;
                Assert.NotEqual(Activator.CreateInstance(type), value);
            }
        }

        Assert.Equal(Enum.GetValues<ReferenceKind>().Length, request.References.Select(r => r.Kind).Distinct().Count());
        Assert.Equal(Enum.GetValues<ReferenceRole>().Length, request.References.Select(r => r.Role).Distinct().Count());
    }

    [Fact]
    public void Request_round_trips_exactly()
    {
        var request = JobSamples.FullRequest();
        var json = JobJson.Serialize(request);
        var back = JobJson.Deserialize<GenerationRequest>(json);

        Assert.Equal(request.References, back.References);
        Assert.Equal(request.Tools, back.Tools);
        Assert.Equal(request with { References = back.References, Tools = back.Tools }, back);
        Assert.Equal(json, JobJson.Serialize(back));
    }

    [Fact]
    public void Names_are_snake_case_and_enums_are_strings()
    {
        using var document = JsonDocument.Parse(JobJson.Serialize(JobSamples.FullRequest()));
        var root = document.RootElement;
        Assert.Equal("orbit_left", root.GetProperty("camera_motion").GetString());
        Assert.Equal(7200, root.GetProperty("execution_expires_after").GetInt32());
        Assert.True(root.GetProperty("return_last_frame").GetBoolean());
        var reference = root.GetProperty("references")[0];
        Assert.Equal("image", reference.GetProperty("kind").GetString());
        Assert.Equal("first_frame", reference.GetProperty("role").GetString());
        Assert.Equal(JsonValueKind.String, root.GetProperty("style").ValueKind);
        Assert.Equal("web_search", root.GetProperty("tools")[0].GetString());
        Assert.Equal("end-user-42", root.GetProperty("safety_identifier").GetString());
    }

    [Fact]
    public void A_request_stored_before_the_newer_fields_reads_them_as_none()
    {
        var back = JobJson.Deserialize<GenerationRequest>("""{"model":"seedance-2.0","prompt":"a cat","resolution":"720p"}""");

        Assert.Equal((null, null, false, false), (back.SafetyIdentifier, back.OutputFormat, back.Draft, back.UpscaleSmallImages));
        Assert.Empty(back.Tools);
    }

    [Fact]
    public void Outputs_round_trip_exactly()
    {
        var outputs = new JobOutputs("outputs/cgt-x/video.mp4", null, 1280, 720, 24, 0.1 + 0.2, false, "9:16", long.MaxValue);
        var back = JobJson.Deserialize<JobOutputs>(JobJson.Serialize(outputs));
        Assert.Equal(outputs, back);
        Assert.Contains("\"last_frame_key\":null", JobJson.Serialize(outputs), StringComparison.Ordinal);
    }

    [Fact]
    public void Null_documents_and_numeric_enums_are_refused()
    {
        Assert.Throws<JsonException>(() => JobJson.Deserialize<GenerationRequest>("null"));
        Assert.Throws<JsonException>(() => JobJson.Deserialize<GenerationRequest>("""{"model":"m","style":2}"""));
    }

    [Fact]
    public void Options_are_frozen()
    {
        Assert.True(JobJson.Options.IsReadOnly);
    }
}
