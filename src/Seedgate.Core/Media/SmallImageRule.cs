using System.Globalization;
using Seedgate.Core.Generation;

namespace Seedgate.Core.Media;

/// <summary>
/// The short-side rule for reference images: a model's <c>min_image_side</c> (512 px on Seedance 2.x, where smaller
/// images cause about a quarter of failed generations) and the configured <see cref="FetchOptions.MinReferenceSide"/>,
/// whichever is larger. An image under it is refused naming its field, or — where the account's plan says
/// <c>upscale_small_images</c> — scaled up with ffmpeg (lanczos, aspect ratio kept, short side = the minimum) into a
/// PNG. Sizes come from the header (<see cref="ImageHeader"/>), so nothing is decoded to measure a picture. Applied at
/// submit to inline images (before anything is stored) and by an engine to the images it fetched.
/// </summary>
public sealed class SmallImageRule(Ffmpeg ffmpeg, FetchOptions options)
{
    /// <summary>Enough of a file for <see cref="ImageHeader"/>: a JPEG's size may follow EXIF data and thumbnails.</summary>
    private const int HeaderBytes = 512 * 1024;

    /// <summary>The media type of a scaled-up image.</summary>
    public const string UpscaledMediaType = "image/png";

    /// <summary>The short side an image must have for a model whose <c>min_image_side</c> is <paramref name="modelMinSide"/>.</summary>
    public int MinSideFor(int modelMinSide) => Math.Max(modelMinSide, options.MinReferenceSide);

    /// <summary>
    /// The problem with a reference image of this size, or null when it may be used as it is or scaled up
    /// (<paramref name="upscale"/>). Each error is an InvalidParameter naming <paramref name="param"/>, with the size and the limit.
    /// </summary>
    public SeedgateError? Check(int width, int height, int modelMinSide, bool upscale, string param)
    {
        var min = MinSideFor(modelMinSide);
        var (shortSide, longSide) = (Math.Min(width, height), Math.Max(width, height));
        if (longSide > options.MaxReferenceSide)
        {
            return options.CheckPictureSize(width, height, param);
        }

        if (shortSide >= min)
        {
            return null;
        }

        if (!upscale)
        {
            return SeedgateError.Invalid(param, string.Create(
                CultureInfo.InvariantCulture,
                $"{param}: the image is {width}×{height} px; this model needs a short side of at least {min} px. Send a larger image (or use an account whose plan has upscale_small_images)."));
        }

        var (w, h) = Target(width, height, min);
        return Math.Max(w, h) > options.MaxReferenceSide
            ? SeedgateError.Invalid(param, string.Create(
                CultureInfo.InvariantCulture,
                $"{param}: the image is {width}×{height} px; scaled up to the minimum short side of {min} px it would be {w}×{h} px, over the {options.MaxReferenceSide} px limit."))
            : null;
    }

    /// <summary>
    /// An inline image: its bytes as they are, or scaled up to a PNG; an image whose header declares no size (BMP,
    /// TIFF, HEIC) is left for the engine's check once it is a file.
    /// </summary>
    /// <exception cref="SeedgateException">InvalidParameter naming <paramref name="param"/>: too small (and no upscaling), or too large.</exception>
    public async Task<(string MediaType, byte[] Bytes)> ApplyAsync(
        string mediaType, byte[] bytes, int modelMinSide, bool upscale, string param, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        if (!ImageHeader.TryReadSize(bytes, out var width, out var height) || !NeedsWork(width, height, modelMinSide))
        {
            return (mediaType, bytes);
        }

        Throw(Check(width, height, modelMinSide, upscale, param));
        var directory = Path.Combine(Path.GetTempPath(), "seedgate-upscale-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        try
        {
            var input = Path.Combine(directory, "input");
            await File.WriteAllBytesAsync(input, bytes, cancellationToken).ConfigureAwait(false);
            await UpscaleAsync(input, width, height, MinSideFor(modelMinSide), param, cancellationToken).ConfigureAwait(false);
            return (UpscaledMediaType, await File.ReadAllBytesAsync(input, cancellationToken).ConfigureAwait(false));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    /// <summary>
    /// A reference image on disk (fetched, or copied from storage): left as it is, or replaced by a scaled-up PNG. A
    /// picture whose header declares no size is measured with ffprobe.
    /// </summary>
    /// <returns>True when the file was scaled up.</returns>
    /// <exception cref="SeedgateException">InvalidParameter (permanent) naming <paramref name="param"/>: too small, too large or not an image.</exception>
    public async Task<bool> ApplyToFileAsync(string path, int modelMinSide, bool upscale, string param, CancellationToken cancellationToken)
    {
        var (width, height) = await SizeOfAsync(path, param, cancellationToken).ConfigureAwait(false);
        if (!NeedsWork(width, height, modelMinSide))
        {
            return false;
        }

        Throw(Check(width, height, modelMinSide, upscale, param));
        await UpscaleAsync(path, width, height, MinSideFor(modelMinSide), param, cancellationToken).ConfigureAwait(false);
        return true;
    }

    /// <summary>The size an image of <paramref name="width"/>×<paramref name="height"/> is scaled to: short side <paramref name="minSide"/>, the ratio kept.</summary>
    public static (int Width, int Height) Target(int width, int height, int minSide)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(width);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(height);
        return width <= height
            ? (minSide, (int)Math.Round((double)height * minSide / width, MidpointRounding.AwayFromZero))
            : ((int)Math.Round((double)width * minSide / height, MidpointRounding.AwayFromZero), minSide);
    }

    private bool NeedsWork(int width, int height, int modelMinSide) =>
        Math.Min(width, height) < MinSideFor(modelMinSide) || Math.Max(width, height) > options.MaxReferenceSide;

    private async Task<(int Width, int Height)> SizeOfAsync(string path, string param, CancellationToken cancellationToken)
    {
        var head = new byte[HeaderBytes];
        int read;
        await using (var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 4096, useAsync: true))
        {
            read = await file.ReadAtLeastAsync(head, head.Length, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false);
        }

        if (ImageHeader.TryReadSize(head.AsSpan(0, read), out var width, out var height))
        {
            return (width, height);
        }

        var info = await InspectAsync(path, param, cancellationToken).ConfigureAwait(false);
        return (info.Width, info.Height);
    }

    private async Task<MediaInfo> InspectAsync(string path, string param, CancellationToken cancellationToken)
    {
        try
        {
            return await ffmpeg.InspectAsync(path, MediaKind.Image, cancellationToken).ConfigureAwait(false);
        }
        catch (InvalidMediaException ex)
        {
            throw new SeedgateException(SeedgateError.Invalid(param, $"{param}: {ex.Message}"), ex);
        }
    }

    /// <summary>Replaces <paramref name="path"/> with the image scaled up (its first frame, for an animation) as a PNG.</summary>
    private async Task UpscaleAsync(string path, int width, int height, int minSide, string param, CancellationToken cancellationToken)
    {
        // Inspect first: the decode then forces the demuxer ffprobe named, never a dangerous fallback.
        var info = await InspectAsync(path, param, cancellationToken).ConfigureAwait(false);
        var (w, h) = Target(width, height, minSide);
        var output = path + ".upscaled.png";
        var args = new List<string> { "-loglevel", "error", "-protocol_whitelist", Ffmpeg.InputProtocols, "-f", info.Demuxer };
        if (info.Demuxer == "image2")
        {
            args.AddRange(["-pattern_type", "none"]);
        }

        args.AddRange(
        [
            "-i", Ffmpeg.FileInput(path), "-map", "0:v:0", "-frames:v", "1",
            "-vf", string.Create(CultureInfo.InvariantCulture, $"scale={w}:{h}:flags=lanczos"),
            "-c:v", "png", "-f", "image2", "-update", "1", "-y", Ffmpeg.FileInput(output),
        ]);
        try
        {
            await ffmpeg.RunAsync(args, cancellationToken: cancellationToken).ConfigureAwait(false);
            File.Move(output, path, overwrite: true);
        }
        catch (FfmpegException ex) when (ex.ExitCode is > 0 and < 128)
        {
            // ffmpeg ran and could not decode it: the same image fails the same way on every attempt.
            throw new SeedgateException(SeedgateError.Invalid(param, $"{param}: the image could not be decoded to scale it up."), ex);
        }
        finally
        {
            File.Delete(output);
        }
    }

    private static void Throw(SeedgateError? problem)
    {
        if (problem is not null)
        {
            throw new SeedgateException(problem);
        }
    }
}
