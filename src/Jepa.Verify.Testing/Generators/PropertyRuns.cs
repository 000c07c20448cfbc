using FsCheck;
using Microsoft.FSharp.Core;

namespace Jepa.Verify.Testing.Generators;

/// <summary>Seeded FsCheck configurations, so a property checks the same cases on every run and a failure reproduces.</summary>
public static class PropertyRuns
{
    /// <summary>The seed used when none is given.</summary>
    public const ulong DefaultSeed = 20261121;

    /// <summary>
    /// <see cref="DefaultSeed"/> as an FsCheck.Xunit replay string (seed, gamma): put it on a property or a class,
    /// <c>[Properties(Replay = PropertyRuns.DefaultReplay)]</c>, and the property checks the same cases on every run.
    /// </summary>
    public const string DefaultReplay = "(20261121,11400714819323198485)";

    /// <summary>A configuration that throws on failure, runs at most <paramref name="maxTest"/> cases, and draws them from <paramref name="seed"/>.</summary>
    /// <example><c>Prop.ForAll(MdpGenerators.Complete(), spec => …).Check(PropertyRuns.Seeded(200));</c></example>
    public static Config Seeded(int maxTest, ulong seed = DefaultSeed) =>
        Config.QuickThrowOnFailure
            .WithMaxTest(maxTest)
            .WithReplay(FSharpOption<Replay>.Some(new Replay(new Rnd(seed), FSharpOption<int>.None)));
}
