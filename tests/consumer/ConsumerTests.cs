// A user's own test project, as the README's "In your own xunit tests" writes it: it references only the
// Jepa.Verify.Testing package, restored from the packed .nupkg files (tests/consumer/run.sh builds and runs it).
using FsCheck.Xunit;
using Jepa.Verify.Mdp.Formats;
using Jepa.Verify.Testing;
using Jepa.Verify.Testing.Generators;
using Xunit;

namespace Consumer.Tests;

public sealed class ConsumerTests
{
    [Fact]
    public void MyEncoderKeepsNonBisimilarObservationsApart()
    {
        var mdp = MdpLoader.Load("counting.json");
        MdpAssert.HypothesesHold(mdp);
        MdpAssert.HasClassCount(mdp, 9);
        Assert.NotNull(MdpAssert.Distinguished(mdp, "count3", "count5"));
        float[][] z = [.. Enumerable.Range(0, mdp.ObservationCount).Select(o => new[] { (float)o, 1f })];
        CollapseAssert.NoUnhealthyCollapse(mdp, z);
    }

    [Fact]
    public void ACollapsedEncoderFailsWithTheLibrarysException()
    {
        var mdp = MdpLoader.Load("counting.json");
        float[][] z = [.. Enumerable.Range(0, mdp.ObservationCount).Select(_ => new[] { 1f, 1f })];
        Assert.Throws<JepaAssertionException>(() => CollapseAssert.NoUnhealthyCollapse(mdp, z));
    }

    [Property(Arbitrary = new[] { typeof(MdpArbitraries) }, MaxTest = 50, EndSize = 10, Replay = PropertyRuns.DefaultReplay)]
    public void OneLatentPerClassIsAlwaysHealthy(MdpSpec spec)
    {
        var mdp = spec.ToMdp();
        var classes = MdpAssert.Classes(mdp).Partition!;
        float[][] z = [.. Enumerable.Range(0, mdp.ObservationCount).Select(o => new[] { (float)classes.ClassOf[o] })];
        CollapseAssert.NoUnhealthyCollapse(mdp, z);
    }
}
