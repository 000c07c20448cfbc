using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Jepa.Verify.Learning.Collapse;
using Jepa.Verify.Learning.Jepa;
using Jepa.Verify.Learning.Tensors;
using Jepa.Verify.Mdp;
using Jepa.Verify.Mdp.Bisimulation;
using Jepa.Verify.Properties.Generators;
using Jepa.Verify.Testing.Generators;
using Xunit;

namespace Jepa.Verify.Properties.Learning;

/// <summary>
/// Tests for the theorem on trained models (<see cref="PJepaTrainer"/> + <see cref="CollapseAnalysis"/>):
/// random deterministic MDPs trained in joint mode to near-zero loss keep every non-bisimilar pair apart.
/// </summary>
[Properties(Replay = PropertyConfig.Replay)]
public sealed class TheoremTrainingProperties
{
    /// <summary>Features per observation: random, so that distinct observations have distinct inputs (E is a function of them).</summary>
    private const int FeatureDim = 8;

    /// <summary>The training seed (the generated MDPs vary; shrinking keeps the seed).</summary>
    private const ulong Seed = 1;

    /// <summary>Trains <paramref name="spec"/> jointly and analyses the latents against its bisimulation partition.</summary>
    internal static (TrainingResult Result, CollapseReport Report) TrainJoint(MdpSpec spec, ulong seed)
    {
        var random = new SeededRandom(seed);
        var features = new float[spec.States * FeatureDim];
        for (var i = 0; i < features.Length; i++)
        {
            features[i] = random.NextFloat(-1f, 1f);
        }

        var transitions = new List<Transition>();
        for (var s = 0; s < spec.States; s++)
        {
            for (var a = 0; a < spec.Actions; a++)
            {
                transitions.Add(new Transition(s, a, spec.Successors[(s * spec.Actions) + a]));
            }
        }

        var data = TrainingData.FromArrays(spec.States, features, spec.Actions, transitions, [.. spec.Aux.Select(v => (float)v)]);
        // One-step losses (the paper's model, the theorem's premise as stated): this is the theorem's claim about training to
        // near-zero loss, with no certification goal and no witness words to steer it.
        var result = PJepaTrainer.Train(data, new PJepaConfig(Seed: seed, Steps: 8000, Horizon: 1));
        var partition = Bisimilarity.Compute(spec.Table, spec.Keys).Partition!;
        return (result, CollapseAnalysis.Analyze(result.Latents, result.LatentDim, partition));
    }

    [Property(Arbitrary = new[] { typeof(MdpArbitraries) }, MaxTest = 20, EndSize = 24)]
    public Property JointTrainingToNearZeroLossSeparatesEveryNonBisimilarPair(MdpSpec spec)
    {
        var (result, report) = TrainJoint(spec, Seed);
        return (result.BothLossesBelowTarget && report.Separated).Label(
            $"L_dyn {result.LossDyn:E2}, L_p {result.LossAux:E2} (target {result.Config.LossTarget:E0}), " +
            $"{report.Violations} of {report.NonEquivalentPairs} non-equivalent pairs within {report.Tolerance}, min {report.MinNonEquivalentDistance:G3}");
    }

    /// <summary>
    /// Found by the property with a 3,000-step budget: L_dyn stopped at 1.6e-4, above the target
    /// (separation was fine, min 0.029). The budget is now 8,000 steps; this MDP must converge and separate.
    /// </summary>
    [Fact]
    public void RegressionSixteenStatesThatNeededMoreThan3000Steps()
    {
        var spec = new MdpSpec(16, 2,
            [2, 11, 7, 8, 9, 10, 14, 14, 14, 9, 3, 7, 10, 7, 8, 6, 8, 15, 14, 14, 3, 8, 10, 12, 15, 14, 14, 11, 2, 6, 14, 8],
            [2, 2, 2, 2, 2, 1, 0, 2, 0, 0, 1, 2, 1, 1, 2, 2]);
        var (result, report) = TrainJoint(spec, 1033838);
        Assert.True(result.BothLossesBelowTarget, $"L_dyn {result.LossDyn}, L_p {result.LossAux}");
        Assert.True(report.NonEquivalentPairs > 100);
        Assert.Equal(0, report.Violations);
    }
}
