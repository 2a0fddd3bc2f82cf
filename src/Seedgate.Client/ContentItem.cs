namespace Seedgate.Client;

/// <summary>
/// One item of <see cref="CreateTaskRequest.Content"/>, shaped as Ark sends it:
/// <c>{"type":"text","text":…}</c>, <c>{"type":"image_url","image_url":{"url":…},"role":…}</c>,
/// <c>{"type":"video_url",…}</c>, <c>{"type":"audio_url",…}</c> or <c>{"type":"draft_task","draft_task":{"id":…}}</c>.
/// Use the factory methods to build one.
/// </summary>
public sealed record ContentItem
{
    /// <summary>The item type: <c>text</c>, <c>image_url</c>, <c>video_url</c>, <c>audio_url</c> or <c>draft_task</c>.</summary>
    public required string Type { get; init; }

    /// <summary>The prompt, for a <c>text</c> item.</summary>
    public string? Text { get; init; }

    /// <summary>The image, for an <c>image_url</c> item.</summary>
    public MediaUrl? ImageUrl { get; init; }

    /// <summary>The video, for a <c>video_url</c> item.</summary>
    public MediaUrl? VideoUrl { get; init; }

    /// <summary>The audio clip, for an <c>audio_url</c> item.</summary>
    public MediaUrl? AudioUrl { get; init; }

    /// <summary>The earlier task to promote, for a <c>draft_task</c> item.</summary>
    public DraftTaskReference? DraftTask { get; init; }

    /// <summary>What the reference is for; see <see cref="ContentRoles"/>.</summary>
    public string? Role { get; init; }

    /// <summary>
    /// Draft → final: re-run one of your succeeded tasks (its prompt, references, seed, camera motion, style, ratio and
    /// duration) on the request's model; the request's own content and fields take precedence.
    /// </summary>
    /// <param name="taskId">The task to promote, e.g. one made on <c>seedance-2.0-fast</c>.</param>
    public static ContentItem FromDraft(string taskId)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(taskId);
        return new ContentItem { Type = "draft_task", DraftTask = new DraftTaskReference(taskId) };
    }

    /// <summary>A text prompt.</summary>
    /// <param name="text">The prompt.</param>
    public static ContentItem FromText(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return new ContentItem { Type = "text", Text = text };
    }

    /// <summary>An image by URL (<c>http(s)://</c> or <c>data:</c>).</summary>
    /// <param name="url">Where the image is.</param>
    /// <param name="role">
    /// <see cref="ContentRoles.FirstFrame"/>, <see cref="ContentRoles.LastFrame"/> or <see cref="ContentRoles.ReferenceImage"/>;
    /// <see langword="null"/> leaves it out (Ark then takes a single image as the first frame).
    /// </param>
    public static ContentItem Image(string url, string? role = ContentRoles.FirstFrame) =>
        new() { Type = "image_url", ImageUrl = new MediaUrl(Checked(url)), Role = role };

    /// <summary>A reference video by URL (<c>http(s)://</c> or <c>data:</c>).</summary>
    /// <param name="url">Where the video is.</param>
    /// <param name="role">Normally <see cref="ContentRoles.ReferenceVideo"/>.</param>
    public static ContentItem Video(string url, string role = ContentRoles.ReferenceVideo) =>
        new() { Type = "video_url", VideoUrl = new MediaUrl(Checked(url)), Role = role };

    /// <summary>A reference audio clip by URL (<c>http(s)://</c> or <c>data:</c>).</summary>
    /// <param name="url">Where the audio is.</param>
    /// <param name="role">Normally <see cref="ContentRoles.ReferenceAudio"/>.</param>
    public static ContentItem Audio(string url, string role = ContentRoles.ReferenceAudio) =>
        new() { Type = "audio_url", AudioUrl = new MediaUrl(Checked(url)), Role = role };

    /// <summary>An image read from a local file and sent inline as a <c>data:</c> URL (MIME type from the extension).</summary>
    /// <param name="path">The image file (jpeg, png, webp, bmp, tiff, gif, heic, heif).</param>
    /// <param name="role"><see cref="ContentRoles.FirstFrame"/>, <see cref="ContentRoles.LastFrame"/> or <see cref="ContentRoles.ReferenceImage"/>.</param>
    /// <exception cref="ArgumentException">The extension is not a known image type.</exception>
    public static ContentItem ImageFile(string path, string role = ContentRoles.FirstFrame) =>
        Image(DataUrl.FromFile(path, "image/"), role);

    /// <summary>A reference video read from a local file and sent inline as a <c>data:</c> URL.</summary>
    /// <param name="path">The video file (mp4, mov).</param>
    /// <param name="role">Normally <see cref="ContentRoles.ReferenceVideo"/>.</param>
    /// <exception cref="ArgumentException">The extension is not a known video type.</exception>
    public static ContentItem VideoFile(string path, string role = ContentRoles.ReferenceVideo) =>
        Video(DataUrl.FromFile(path, "video/"), role);

    /// <summary>A reference audio clip read from a local file and sent inline as a <c>data:</c> URL.</summary>
    /// <param name="path">The audio file (mp3, wav, m4a, aac, ogg, flac).</param>
    /// <param name="role">Normally <see cref="ContentRoles.ReferenceAudio"/>.</param>
    /// <exception cref="ArgumentException">The extension is not a known audio type.</exception>
    public static ContentItem AudioFile(string path, string role = ContentRoles.ReferenceAudio) =>
        Audio(DataUrl.FromFile(path, "audio/"), role);

    private static string Checked(string url)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(url);
        return url;
    }
}

/// <summary>The <c>{"id":…}</c> object inside a <c>draft_task</c> content item.</summary>
/// <param name="Id">The task to promote.</param>
public sealed record DraftTaskReference(string Id);

/// <summary>The <c>{"url":…}</c> object inside an image, video or audio content item.</summary>
/// <param name="Url">An <c>http(s)://</c>, <c>data:</c> or <c>asset://</c> URL. A string, not a <see cref="Uri"/>: data URLs can be megabytes long.</param>
#pragma warning disable CA1054, CA1056 // data: URLs of many megabytes make a poor System.Uri.
public sealed record MediaUrl(string Url);
#pragma warning restore CA1054, CA1056

/// <summary>The <c>role</c> values of Ark content items.</summary>
public static class ContentRoles
{
    /// <summary>The image the video starts from (image-to-video).</summary>
    public const string FirstFrame = "first_frame";

    /// <summary>The image the video ends on (with a first frame).</summary>
    public const string LastFrame = "last_frame";

    /// <summary>A reference image (multimodal reference mode, up to 9).</summary>
    public const string ReferenceImage = "reference_image";

    /// <summary>A reference video (up to 3).</summary>
    public const string ReferenceVideo = "reference_video";

    /// <summary>A reference audio clip (up to 3).</summary>
    public const string ReferenceAudio = "reference_audio";
}
