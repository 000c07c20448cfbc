using FsCheck;
using Jepa.Verify.Testing.Generators;

namespace Jepa.Verify.Properties;

/// <summary>The one place that fixes how many cases each property runs and with which seed.</summary>
internal static class PropertyConfig
{
    /// <summary>The seed of every property; change it to explore, and turn any failure into a named regression fact.</summary>
    public const ulong Seed = PropertyRuns.DefaultSeed;

    /// <summary>A throwing configuration with a bounded test count and a fixed seed.</summary>
    public static Config Runs(int maxTest) => PropertyRuns.Seeded(maxTest, Seed);
}
