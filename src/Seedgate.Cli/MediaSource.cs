using Seedgate.Client;

namespace Seedgate.Cli;

/// <summary>Turns a command-line media argument (a URL or a local file) into a content item; files go inline as data: URLs.</summary>
internal static class MediaSource
{
    private static readonly string[] UrlSchemes = ["http://", "https://", "data:", "asset://"];

    public static ContentItem Image(string value, string role) => Resolve(value, role, ContentItem.Image, ContentItem.ImageFile);

    public static ContentItem Video(string value) => Resolve(value, ContentRoles.ReferenceVideo, ContentItem.Video, ContentItem.VideoFile);

    public static ContentItem Audio(string value) => Resolve(value, ContentRoles.ReferenceAudio, ContentItem.Audio, ContentItem.AudioFile);

    private static ContentItem Resolve(string value, string role, Func<string, string, ContentItem> fromUrl, Func<string, string, ContentItem> fromFile)
    {
        if (UrlSchemes.Any(scheme => value.StartsWith(scheme, StringComparison.OrdinalIgnoreCase)))
        {
            return fromUrl(value, role);
        }

        if (!File.Exists(value))
        {
            throw new UsageException($"'{value}' is neither an http(s)/data: URL nor an existing file.");
        }

        try
        {
            return fromFile(value, role);
        }
        catch (ArgumentException e)
        {
            throw new UsageException(e.Message);
        }
    }
}
