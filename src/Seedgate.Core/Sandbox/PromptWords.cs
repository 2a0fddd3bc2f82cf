namespace Seedgate.Core.Sandbox;

/// <summary>
/// The words of a prompt, lower-cased, with a crude plural strip ("waves" → "wave"); words in the negative prompt
/// are removed, so "no rain" in the negative prompt really turns the rain off.
/// </summary>
internal sealed class PromptWords
{
    private readonly HashSet<string> _words = new(StringComparer.Ordinal);

    public PromptWords(string prompt, string? negativePrompt)
    {
        foreach (var word in Split(prompt))
        {
            _words.Add(word);
        }

        foreach (var word in Split(negativePrompt ?? ""))
        {
            _words.Remove(word);
        }
    }

    public bool Any(params ReadOnlySpan<string> words)
    {
        foreach (var word in words)
        {
            if (_words.Contains(word))
            {
                return true;
            }
        }

        return false;
    }

    private static IEnumerable<string> Split(string text)
    {
        var start = -1;
        for (var i = 0; i <= text.Length; i++)
        {
            var letter = i < text.Length && char.IsLetter(text[i]);
            if (letter && start < 0)
            {
                start = i;
            }
            else if (!letter && start >= 0)
            {
                var word = text[start..i].ToLowerInvariant();
                start = -1;
                yield return word;
                if (word.Length > 3 && word.EndsWith('s') && !word.EndsWith("ss", StringComparison.Ordinal))
                {
                    yield return word[..^1];
                }
            }
        }
    }
}
