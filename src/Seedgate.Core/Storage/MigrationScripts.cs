using System.Globalization;

namespace Seedgate.Core.Storage;

/// <summary>One numbered schema migration (an embedded Migrations/NNN_name.sql script).</summary>
internal sealed record MigrationScript(int Version, string Name, string Sql);

/// <summary>Loads a store's embedded migration scripts, in version order, numbered 1, 2, 3… without gaps.</summary>
internal static class MigrationScripts
{
    public static List<MigrationScript> Load(string resourcePrefix, string storeName)
    {
        var assembly = typeof(MigrationScripts).Assembly;
        var migrations = new List<MigrationScript>();
        foreach (var resource in assembly.GetManifestResourceNames())
        {
            if (!resource.StartsWith(resourcePrefix, StringComparison.Ordinal) || !resource.EndsWith(".sql", StringComparison.Ordinal))
            {
                continue;
            }

            var name = resource[resourcePrefix.Length..^".sql".Length];
            var underscore = name.IndexOf('_', StringComparison.Ordinal);
            if (underscore <= 0 ||
                !int.TryParse(name.AsSpan(0, underscore), NumberStyles.None, CultureInfo.InvariantCulture, out var version))
            {
                throw new InvalidOperationException($"Migration resource '{resource}' is not named NNN_name.sql.");
            }

            using var stream = assembly.GetManifestResourceStream(resource)!;
            using var reader = new StreamReader(stream);
            migrations.Add(new MigrationScript(version, name, reader.ReadToEnd()));
        }

        migrations.Sort((a, b) => a.Version.CompareTo(b.Version));
        if (migrations.Count == 0)
        {
            throw new InvalidOperationException($"No {storeName} migrations are embedded in Seedgate.Core.");
        }

        for (var i = 0; i < migrations.Count; i++)
        {
            if (migrations[i].Version != i + 1)
            {
                throw new InvalidOperationException($"Migrations must be numbered 1, 2, 3… without gaps; found {migrations[i].Name}.");
            }
        }

        return migrations;
    }
}
