using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;

namespace Seedgate.Server.Tests.Infrastructure;

/// <summary>HTTP/1.1 by hand over a socket, for requests HttpClient will not send (broken chunks, bodies that stall).</summary>
public static class RawHttp
{
    /// <summary>Sends the bytes, then reads the answer until the server closes the connection (bounded by a minute).</summary>
    public static async Task<RawResponse> SendAsync(Uri server, string head, byte[]? body = null)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(server.Host, server.Port, timeout.Token);
        await using var stream = new NetworkStream(socket, ownsSocket: false);
        await stream.WriteAsync(Encoding.ASCII.GetBytes(head.ReplaceLineEndings("\r\n")), timeout.Token);
        await stream.WriteAsync(body ?? [], timeout.Token);

        using var answer = new MemoryStream();
        await stream.CopyToAsync(answer, timeout.Token);
        return Parse(Encoding.UTF8.GetString(answer.ToArray()));
    }

    private static RawResponse Parse(string text)
    {
        var split = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        Assert.True(split > 0, $"Not an HTTP response: '{text}'");
        var lines = text[..split].Split("\r\n");
        var headers = lines.Skip(1)
            .Select(line => line.Split(':', 2))
            .ToDictionary(pair => pair[0].Trim(), pair => pair[1].Trim(), StringComparer.OrdinalIgnoreCase);
        var body = text[(split + 4)..];
        if (headers.TryGetValue("Transfer-Encoding", out var encoding) && encoding == "chunked")
        {
            var joined = new StringBuilder();
            for (var at = 0; ;)
            {
                var end = body.IndexOf("\r\n", at, StringComparison.Ordinal);
                var size = Convert.ToInt32(body[at..end], 16);
                if (size == 0)
                {
                    break;
                }

                joined.Append(body, end + 2, size); // the JSON bodies here are ASCII, so characters are bytes
                at = end + 2 + size + 2;
            }

            body = joined.ToString();
        }

        return new RawResponse(int.Parse(lines[0].Split(' ')[1]), headers, body.Length == 0 ? null : JsonNode.Parse(body) as JsonObject);
    }
}

public sealed record RawResponse(int Status, IReadOnlyDictionary<string, string> Headers, JsonObject? Body);
