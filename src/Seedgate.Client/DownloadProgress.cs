namespace Seedgate.Client;

/// <summary>How far a download is.</summary>
/// <param name="BytesReceived">Bytes written to the destination so far.</param>
/// <param name="TotalBytes">The size announced by the server (<c>Content-Length</c>), when it announced one.</param>
public readonly record struct DownloadProgress(long BytesReceived, long? TotalBytes);
