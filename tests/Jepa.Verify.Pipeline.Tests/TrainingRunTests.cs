using Jepa.Verify.Environments;
using Jepa.Verify.Learning.Collapse;
using Jepa.Verify.Learning.Jepa;
using Jepa.Verify.Mdp.Bisimulation;
using Xunit;

namespace Jepa.Verify.Pipeline.Tests;

/// <summary>Tests for <see cref="TrainingRun"/>: default training on a random complete MDP reaches a certificate.</summary>
public sealed class TrainingRunTests
{
    [Fact]
    public void DefaultTrainingCertifiesEveryPairOfARandomCompleteMdp()
    {
        // The smallest size of `bench certify --train` (50 observations × 4 actions, 3 aux values; docs/certificate.md
        // tabulates 50–500 over seeds): some pairs are told apart only after two steps, which the per-step clause
        // alone did not certify at these residuals.
        var run = TrainingRun.Of(RandomMdps.Complete(50, 4, 3, 1), new BisimulationOptions(), new PJepaConfig(Seed: 0), new CollapseOptions());
        var c = run.Separation.Certificate;
        Assert.NotNull(c);
        Assert.Equal(SeparationVerdict.Certified, run.Separation.Verdict);
        Assert.Equal(1225, c.NonEquivalentPairs);
        Assert.Equal(1225, c.CertifiedPairs);
        Assert.True(c.MinCertifiedDistance > 0);
    }
}
