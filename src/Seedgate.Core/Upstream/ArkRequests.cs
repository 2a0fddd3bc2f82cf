using System.Globalization;
using System.Text.Json.Nodes;
using Seedgate.Core.Catalog;
using Seedgate.Core.Generation;
using Seedgate.Core.Jobs;
using Seedgate.Core.Storage;

namespace Seedgate.Core.Upstream;

/// <summary>
/// Turns a job's canonical request into an Ark create body for one upstream account: its model id, the content items
/// (an http(s) reference goes as its URL, which the upstream fetches; an upload or inline input, kept in Seedgate's
/// storage, goes as a base64 <c>data:</c> URL, which Ark accepts), and only the fields the model's catalog
/// <see cref="FieldRules"/> say the upstream takes — Seedance 2.x refuses <c>service_tier</c> and <c>camera_fixed</c>
/// with a 400, even at their defaults, so a field the rules do not forward is never sent.
/// </summary>
internal sealed class ArkRequests(IBlobStore blobs)
{
    /// <summary>Ark's bounds on <c>execution_expires_after</c>.</summary>
    private const int MinExpirySeconds = 3600;

    private const int MaxExpirySeconds = 259200;

    /// <summary>Resolutions an upstream Seedance model can make (Seedgate's own 2k is not one).</summary>
    private static readonly string[] UpstreamResolutions = ["480p", "720p", "1080p", "4k"];

    public async Task<JsonObject> CreateBodyAsync(
        Job job, ModelSpec model, UpstreamLane lane, Uri? callbackUrl, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var request = job.Request;
        var upstreamModel = lane.Models.GetValueOrDefault(model.Id)
            ?? throw new SeedgateException(new SeedgateError(ErrorCodes.ModelNotOpen, $"The upstream {lane.Name} does not serve {model.Id}.", "model"));
        if (!UpstreamResolutions.Contains(request.Resolution, StringComparer.Ordinal))
        {
            throw new SeedgateException(SeedgateError.Invalid(
                "resolution", $"resolution {request.Resolution} exists only on Seedgate's sandbox; the upstream makes {string.Join(", ", UpstreamResolutions)}."));
        }

        var content = new JsonArray();
        if (request.Prompt is { Length: > 0 } prompt)
        {
            content.Add(new JsonObject { ["type"] = "text", ["text"] = prompt });
        }

        foreach (var reference in request.References)
        {
            var type = reference.Kind switch
            {
                ReferenceKind.Image => "image_url",
                ReferenceKind.Video => "video_url",
                _ => "audio_url",
            };
            content.Add(new JsonObject
            {
                ["type"] = type,
                [type] = new JsonObject { ["url"] = await UrlAsync(reference, cancellationToken) },
                ["role"] = WireNames.Of(reference.Role),
            });
        }

        var remaining = (int)Math.Ceiling((job.ExpiresAt - now).TotalSeconds);
        var body = new JsonObject
        {
            ["model"] = upstreamModel,
            ["content"] = content,
            ["resolution"] = request.Resolution,
            ["ratio"] = request.Ratio,
            ["duration"] = request.AutoDuration ? -1 : request.Duration,
            ["seed"] = request.Seed,
            ["generate_audio"] = request.GenerateAudio,
            ["watermark"] = request.Watermark,
            ["return_last_frame"] = request.ReturnLastFrame,
            ["execution_expires_after"] = Math.Clamp(remaining, MinExpirySeconds, MaxExpirySeconds),
        };
        var rules = model.FieldRules;
        if (rules.Priority)
        {
            body["priority"] = request.Priority;
        }

        if (rules.ServiceTier && request.ServiceTier is { } tier)
        {
            body["service_tier"] = tier;
        }

        if (rules.CameraFixed)
        {
            body["camera_fixed"] = request.CameraFixed;
        }

        if (request.SafetyIdentifier is { } safety)
        {
            body["safety_identifier"] = safety;
        }

        if (request.OutputFormat is { } format && rules.OutputFormats.Count > 1)
        {
            body["output_format"] = format; // sent only where there is a choice: older models know no such field
        }

        if (request.Tools.Count > 0)
        {
            body["tools"] = new JsonArray([.. request.Tools.Select(t => (JsonNode)new JsonObject { ["type"] = WireNames.Of(t) })]);
        }

        if (request.Draft)
        {
            body["draft"] = true;
        }

        if (callbackUrl is not null)
        {
            body["callback_url"] = callbackUrl.AbsoluteUri;
        }

        return body;
    }

    private async Task<string> UrlAsync(Reference reference, CancellationToken cancellationToken)
    {
        if (!reference.Url.StartsWith(JobSubmitter.BlobScheme, StringComparison.Ordinal))
        {
            return reference.Url; // http(s) or data:, as the caller sent it
        }

        var key = reference.Url[JobSubmitter.BlobScheme.Length..];
        await using var stream = await blobs.OpenReadAsync(key, cancellationToken)
            ?? throw new SeedgateException(new SeedgateError(
                ErrorCodes.InvalidParameter, $"{reference.Param}: the stored input is gone (it was deleted with the job's files).", reference.Param));
        using var bytes = new MemoryStream();
        await stream.CopyToAsync(bytes, cancellationToken);
        var mediaType = DataUrl.MediaTypeFor(Path.GetExtension(key).TrimStart('.')) ?? "application/octet-stream";
        return string.Create(CultureInfo.InvariantCulture, $"data:{mediaType};base64,{Convert.ToBase64String(bytes.GetBuffer(), 0, (int)bytes.Length)}");
    }
}
