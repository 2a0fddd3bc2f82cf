using Microsoft.AspNetCore.Http;
using Seedgate.Server.Dialects;
using Seedgate.Server.Dialects.Ark;
using Seedgate.Server.Dialects.SeedanceV1;
using Seedgate.Server.Dialects.Variants;

namespace Seedgate.Server.Edge;

/// <summary>Which dialect owns a path, so that errors found outside any endpoint answer in that route's own error shape.</summary>
internal static class DialectOwners
{
    private static readonly (PathString Root, IDialectErrors Errors)[] Roots =
    [
        (ArkDialect.Root, ArkDialect.Errors),
        (SeedanceV1Dialect.Root, SeedanceV1Dialect.Errors),
        (VariantDialect.Root, VariantDialect.Errors),
    ];

    /// <summary>The errors of the dialect whose root the path is under; the neutral shape for every other path.</summary>
    public static IDialectErrors ErrorsFor(PathString path)
    {
        foreach (var (root, errors) in Roots)
        {
            // Routing ignores case, so the owner must too.
            if (path.StartsWithSegments(root, StringComparison.OrdinalIgnoreCase))
            {
                return errors;
            }
        }

        return NeutralErrors.Instance;
    }
}
