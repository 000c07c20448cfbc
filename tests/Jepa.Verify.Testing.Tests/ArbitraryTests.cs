using FsCheck.Xunit;
using Jepa.Verify.Testing.Generators;

namespace Jepa.Verify.Testing.Tests;

/// <summary>Tests for <see cref="MdpArbitraries"/> and <see cref="DatasetArbitraries"/>, registered by type as the README shows.</summary>
[Properties(Replay = PropertyRuns.DefaultReplay)]
public sealed class ArbitraryTests
{
    [Property(Arbitrary = new[] { typeof(MdpArbitraries) }, MaxTest = 100, EndSize = 7)]
    public bool MdpArbitrariesGiveCompleteMdpsOfAtMostEndSizeStates(MdpSpec spec) =>
        spec.IsComplete && spec.States is >= 1 and <= 7 && spec.Actions is >= 1 and <= 3 && spec.Successors.All(t => t >= 0 && t < spec.States);

    [Property(Arbitrary = new[] { typeof(DatasetArbitraries) }, MaxTest = 100, EndSize = 9)]
    public bool DatasetArbitrariesLeaveTransitionsMissing(MdpSpec spec) =>
        spec.States <= 9 && spec.Successors.All(t => t >= -1 && t < spec.States);

    [Property(Arbitrary = new[] { typeof(MdpArbitraries) }, MaxTest = 100, EndSize = 10)]
    public void GeneratedMdpsMeetTheTheoremsHypotheses(MdpSpec spec) => MdpAssert.HypothesesHold(spec.ToMdp());

    /// <summary>The README's example, verbatim: a latent per class (one coordinate, the class index) never collapses.</summary>
    [Property(Arbitrary = new[] { typeof(MdpArbitraries) }, MaxTest = 200, EndSize = 10, Replay = PropertyRuns.DefaultReplay)]
    public void OneLatentPerClassIsAlwaysHealthy(MdpSpec spec)
    {
        var mdp = spec.ToMdp();
        var classes = MdpAssert.Classes(mdp).Partition!;
        float[][] z = [.. Enumerable.Range(0, mdp.ObservationCount).Select(o => new[] { (float)classes.ClassOf[o] })];
        CollapseAssert.NoUnhealthyCollapse(mdp, z);
    }
}
