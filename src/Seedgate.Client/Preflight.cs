using System.Buffers.Binary;
using System.Globalization;
using System.Text.Json;
using Seedgate.Core.Catalog;
using Seedgate.Core.Generation;
using WireDataUrl = Seedgate.Core.Generation.DataUrl;

namespace Seedgate.Client;

/// <summary>What <see cref="SeedgateClient.PreflightAsync"/> found, before anything was sent.</summary>
public sealed record PreflightReport
{
    /// <summary>The rule the request breaks, as the server would answer it (code, message, field); <see langword="null"/> when none.</summary>
    public PreflightProblem? Error { get; init; }

    /// <summary>Things that will likely go wrong or cost more than meant, that the server may still accept.</summary>
    public IReadOnlyList<string> Warnings { get; init; } = [];

    /// <summary>
    /// What the server holds for the task at submit (micro-dollars, before the monthly free quota), from the shipped
    /// catalog's prices; <see langword="null"/> when the request is refused or its model is not in the SDK's catalog.
    /// </summary>
    public long? EstimatedCostMicros { get; init; }

    /// <summary>The catalog model the request's model name stands for (an alias resolved), when known.</summary>
    public string? Model { get; init; }

    /// <summary>True when no rule is broken.</summary>
    public bool IsValid => Error is null;

    /// <summary>The request's references as the server reads them (for the HEAD checks), once it could be read.</summary>
    internal IReadOnlyList<Reference> References { get; init; } = [];
}

/// <summary>A broken rule: Ark's error code, the message and the field at fault in Ark's names (e.g. <c>content[1].image_url.url</c>).</summary>
/// <param name="Code">e.g. <c>InvalidParameter</c>.</param>
/// <param name="Message">What is wrong and what is allowed.</param>
/// <param name="Param">The field at fault.</param>
public sealed record PreflightProblem(string Code, string Message, string? Param);

/// <summary>
/// The server's own rules, run locally: the body is read by the same Ark reader and checked by the same validator
/// against the catalog shipped with the SDK (Seedgate.Contracts). A model that catalog does not know is left to the
/// server (it may run another catalog), with a warning.
/// </summary>
internal static class Preflight
{
    private static readonly Lazy<ModelCatalog> Catalog = new(ModelCatalog.LoadDefault);

    public static PreflightReport Check(byte[] body)
    {
        GenerationRequest request;
        ParamNames names;
        try
        {
            using var document = JsonDocument.Parse(body);
            (request, names) = ArkCreateReader.ToCanonical(ArkCreateReader.Deserialize<ArkCreateTaskBody>(document.RootElement));
        }
        catch (SeedgateException e)
        {
            return Refused(e.Error);
        }

        var catalog = Catalog.Value;
        if (catalog.Find(request.Model) is null)
        {
            return new PreflightReport
            {
                References = request.References,
                Warnings = [$"The model '{request.Model}' is not in the SDK's catalog; only the server can check this request."],
            };
        }

        if (request.DraftTaskId is not null)
        {
            // The server fills what the request leaves out from the draft before it validates: only it can check this one.
            return new PreflightReport
            {
                Model = catalog.Find(request.Model)!.Id,
                References = request.References,
                Warnings = ["A draft promotion is checked by the server (it fills fields from the draft)."],
            };
        }

        if (new RequestValidator(catalog).Validate(request, names, out var validated) is { } error)
        {
            return Refused(error);
        }

        return new PreflightReport
        {
            Model = validated!.Model.Id,
            References = request.References,
            EstimatedCostMicros = Pricing.EstimateMicros(catalog, validated.Request),
            Warnings = [.. SmallImages(validated)],
        };
    }

    /// <summary>The reference URLs to check over the network (http and https; data: URLs are checked locally).</summary>
    public static IEnumerable<(Reference Reference, Uri Url)> RemoteReferences(PreflightReport report) =>
        report.References
            .Select(r => (Reference: r, Url: Uri.TryCreate(r.Url, UriKind.Absolute, out var u) ? u : null))
            .Where(r => r.Url is not null && (r.Url.Scheme == Uri.UriSchemeHttp || r.Url.Scheme == Uri.UriSchemeHttps))
            .Select(r => (r.Reference, r.Url!));

    /// <summary>What a HEAD of a reference URL says: unreachable, not the right kind of file.</summary>
    public static string? CheckHead(Reference reference, HttpResponseMessage response)
    {
        if (!response.IsSuccessStatusCode)
        {
            return $"{reference.Param}: the URL answers HTTP {(int)response.StatusCode}; the server will not be able to fetch it either.";
        }

        var type = response.Content.Headers.ContentType?.MediaType;
        return type is not null && type != "application/octet-stream" && WireDataUrl.KindOf(type) != reference.Kind
            ? $"{reference.Param}: the URL serves {type}, not {reference.Kind.ToString().ToLowerInvariant()}."
            : null;
    }

    private static PreflightReport Refused(SeedgateError error) => new() { Error = new PreflightProblem(error.Code, error.Message, error.Param) };

    /// <summary>Reference images (data: URLs) whose short side is under the model's <c>min_image_side</c>.</summary>
    private static IEnumerable<string> SmallImages(ValidatedRequest validated)
    {
        foreach (var reference in validated.Request.References.Where(r => r.Kind == ReferenceKind.Image))
        {
            if (WireDataUrl.TryParse(reference.Url, out _, out var bytes, out _) && ImageSize(bytes) is var (width, height)
                && Math.Min(width, height) < validated.Model.MinImageSide)
            {
                yield return string.Create(
                    CultureInfo.InvariantCulture,
                    $"{reference.Param}: the image is {width}×{height}; under {validated.Model.MinImageSide} px on its short side it is refused, or scaled up where the account's plan allows.");
            }
        }
    }

    /// <summary>A PNG's or JPEG's pixel size from its header; <see langword="null"/> for other formats.</summary>
    internal static (int Width, int Height)? ImageSize(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length >= 24 && bytes[..8].SequenceEqual((ReadOnlySpan<byte>)[0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]))
        {
            return (BinaryPrimitives.ReadInt32BigEndian(bytes[16..]), BinaryPrimitives.ReadInt32BigEndian(bytes[20..]));
        }

        if (bytes.Length < 4 || bytes[0] != 0xFF || bytes[1] != 0xD8)
        {
            return null;
        }

        // JPEG: walk the segments to a start-of-frame marker (SOF0–SOF15, not DHT/JPG/DAC), which holds height then width.
        for (var i = 2; i + 9 < bytes.Length;)
        {
            if (bytes[i] != 0xFF)
            {
                return null;
            }

            var marker = bytes[i + 1];
            var length = BinaryPrimitives.ReadUInt16BigEndian(bytes[(i + 2)..]);
            if (marker is >= 0xC0 and <= 0xCF and not 0xC4 and not 0xC8 and not 0xCC)
            {
                return (BinaryPrimitives.ReadUInt16BigEndian(bytes[(i + 7)..]), BinaryPrimitives.ReadUInt16BigEndian(bytes[(i + 5)..]));
            }

            i += 2 + length;
        }

        return null;
    }
}
