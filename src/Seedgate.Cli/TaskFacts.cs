using System.Globalization;
using Seedgate.Client;

namespace Seedgate.Cli;

/// <summary>A task as aligned <c>name  value</c> lines, the fields that are known only.</summary>
internal static class TaskFacts
{
    public static IEnumerable<(string Name, string Value)> Outcome(GenerationTask task)
    {
        if (task.Resolution is { } resolution)
        {
            yield return ("resolution", resolution);
        }

        if (task.Ratio is { } ratio)
        {
            yield return ("ratio", ratio);
        }

        if (task.Duration is { } duration)
        {
            yield return ("duration", duration.ToString(CultureInfo.InvariantCulture) + "s");
        }

        if (task.FramesPerSecond is { } fps)
        {
            yield return ("fps", fps.ToString(CultureInfo.InvariantCulture));
        }

        if (task.GenerateAudio is { } audio)
        {
            yield return ("audio", audio ? "yes" : "no");
        }

        if (task.Seed is { } seed)
        {
            yield return ("seed", seed.ToString(CultureInfo.InvariantCulture));
        }

        if (task.Cost?.ToString() is { Length: > 0 } cost)
        {
            yield return ("cost", cost + (task.Cost.FreeQuota ? " (free quota)" : ""));
        }

        if (task.ReservedCost?.ToString() is { Length: > 0 } reserved)
        {
            yield return ("reserved", reserved);
        }
    }

    public static IEnumerable<(string Name, string Value)> Summary(GenerationTask task)
    {
        yield return ("task", task.Id);
        yield return ("status", task.Status + (task.Progress is { } p && !task.IsTerminal ? $" ({p}%)" : ""));
        if (task.Model is { } model)
        {
            yield return ("model", model);
        }

        if (task.Error is { } error)
        {
            yield return ("error", $"{error.Code}: {error.Message}");
        }

        foreach (var fact in Outcome(task))
        {
            yield return fact;
        }

        if (task.Usage?.CompletionTokens is { } tokens)
        {
            yield return ("tokens", tokens.ToString(CultureInfo.InvariantCulture));
        }

        if (task.Content?.VideoUrl is { } video)
        {
            yield return ("video", video.ToString());
        }

        if (task.Content?.LastFrameUrl is { } lastFrame)
        {
            yield return ("last_frame", lastFrame.ToString());
        }

        if (task.CorrelationId is { } correlation)
        {
            yield return ("correlation", correlation);
        }

        if (task.CreatedAt is { } created)
        {
            yield return ("created", created.ToString("u", CultureInfo.InvariantCulture));
        }

        if (task.UpdatedAt is { } updated)
        {
            yield return ("updated", updated.ToString("u", CultureInfo.InvariantCulture));
        }
    }

    public static async Task WriteAsync(TextWriter writer, IEnumerable<(string Name, string Value)> facts)
    {
        foreach (var (name, value) in facts)
        {
            await writer.WriteLineAsync($"{name,-12}{value}").ConfigureAwait(false);
        }
    }
}
