using Jepa.Verify.Testing.Generators;

namespace Jepa.Verify.Properties;

/// <summary>The one place that fixes the seed every property starts from.</summary>
internal static class PropertyConfig
{
    /// <summary>
    /// FsCheck's replay of <see cref="PropertyRuns.DefaultSeed"/> (seed, gamma), set on every property class with
    /// <c>[Properties(Replay = PropertyConfig.Replay)]</c> so each run checks the same cases. To explore, change it;
    /// a failure prints its own replay line, which becomes a named regression <c>[Fact]</c>.
    /// </summary>
    public const string Replay = PropertyRuns.DefaultReplay;
}
