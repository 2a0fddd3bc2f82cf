namespace Seedgate.Core.Storage;

/// <summary>
/// The key rules every <see cref="IBlobStore"/> enforces, so a key valid on local disk is valid on S3 and back:
/// relative paths of lower-case letters, digits, '.', '_', '-' and '/', with no empty segment, no leading '/' and
/// no "..". Anything else could escape a root directory or alias another key.
/// </summary>
internal static class BlobKeys
{
    /// <summary>The longest key (S3's own limit is 1024 bytes, and keys are ASCII).</summary>
    public const int MaxLength = 1024;

    /// <summary>Throws <see cref="ArgumentException"/> naming the problem when <paramref name="key"/> is not a valid key.</summary>
    public static void Validate(string key) => Validate(key, nameof(key), allowTrailingSlash: false);

    /// <summary>
    /// Validates a prefix for <see cref="IBlobStore.DeletePrefixAsync"/>: a key, optionally ending in '/'.
    /// An empty prefix is refused rather than taken as "everything".
    /// </summary>
    public static void ValidatePrefix(string prefix) => Validate(prefix, nameof(prefix), allowTrailingSlash: true);

    internal static void Validate(string key, string paramName, bool allowTrailingSlash)
    {
        ArgumentNullException.ThrowIfNull(key, paramName);
        var problem = Problem(allowTrailingSlash && key.EndsWith('/') ? key[..^1] : key);
        if (problem is not null)
        {
            throw new ArgumentException($"The blob key '{key}' is invalid: {problem}.", paramName);
        }
    }

    /// <summary>Why <paramref name="key"/> is not a valid key, or null when it is.</summary>
    internal static string? Problem(string key)
    {
        if (key.Length == 0)
        {
            return "it is empty";
        }

        if (key.Length > MaxLength)
        {
            return $"it is longer than {MaxLength} characters";
        }

        foreach (var c in key)
        {
            if (c is not ((>= 'a' and <= 'z') or (>= '0' and <= '9') or '.' or '_' or '-' or '/'))
            {
                return $"the character '{c}' is not allowed (only a-z 0-9 . _ - /)";
            }
        }

        if (key[0] == '/')
        {
            return "it must be relative (no leading '/')";
        }

        if (key.Contains("..", StringComparison.Ordinal))
        {
            return "it must not contain '..'";
        }

        foreach (var segment in key.Split('/'))
        {
            if (segment.Length == 0)
            {
                return "it has an empty segment ('//' or a trailing '/')";
            }

            if (segment == ".")
            {
                return "it has a '.' segment";
            }
        }

        return null;
    }
}
