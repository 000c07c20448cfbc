using Jepa.Verify.Learning.Collapse;
using Jepa.Verify.Mdp.Bisimulation;
using Xunit;

namespace Jepa.Verify.Learning.Tests;

/// <summary>Tests for <see cref="CollapseAnalysis"/> on hand-made latents.</summary>
public sealed class CollapseAnalysisTests
{
    private static readonly Partition ThreeClasses = Partition.FromLabels([0, 0, 1, 2]);

    [Fact]
    public void SeparatedClassesWithAHealthyCollapseHaveNoViolations()
    {
        // Observations 0 and 1 are bisimilar and share a latent (healthy); 2 and 3 are apart.
        float[] z = [1, 0, 1, 0, 0, 1, -1, 0];
        var r = CollapseAnalysis.Analyze(z, 2, ThreeClasses);
        Assert.Equal(5, r.NonEquivalentPairs);
        Assert.Equal(0, r.Violations);
        Assert.Equal(3, r.Clusters);
        Assert.Equal(1.0, r.Purity);
        Assert.Equal(Math.Sqrt(2) / 1.0, r.MinNonEquivalentDistance!.Value, 9);
        Assert.Equal(0.0, r.WithinClassSpread!.Value, 12);
        Assert.True(r.Separated);
    }

    [Fact]
    public void AMergedNonEquivalentPairIsAnOffendingPair()
    {
        float[] z = [1, 0, 1, 0, 1, 0.0001f, -1, 0];
        var r = CollapseAnalysis.Analyze(z, 2, ThreeClasses);
        Assert.Equal(2, r.Violations);
        Assert.Equal([(0, 2), (1, 2)], r.OffendingPairs.Select(p => (p.A, p.B)).ToArray());
        Assert.Equal(2, r.Clusters);
        Assert.Equal(0.75, r.Purity);
        Assert.False(r.Separated);
    }

    [Fact]
    public void DistancesAreRelativeToTheRmsNormSoScalingChangesNothing()
    {
        float[] z = [1, 2, 3, 4, 5, 6, 7, 9];
        var a = CollapseAnalysis.Analyze(z, 2, ThreeClasses);
        var b = CollapseAnalysis.Analyze(z.Select(v => v * 1000f).ToArray(), 2, ThreeClasses);
        Assert.Equal(a.MinNonEquivalentDistance!.Value, b.MinNonEquivalentDistance!.Value, 5);
        Assert.Equal(a.Clusters, b.Clusters);
    }

    [Fact]
    public void AllZeroLatentsAreOneClusterWithEveryPairOffending()
    {
        var r = CollapseAnalysis.Analyze(new float[8], 2, ThreeClasses);
        Assert.Equal(0, r.Scale);
        Assert.Equal(1, r.Clusters);
        Assert.Equal(r.NonEquivalentPairs, r.Violations);
        Assert.Equal(0, r.EffectiveRank);
    }

    [Fact]
    public void NaNLatentsNeverCountAsSeparated()
    {
        float[] z = [float.NaN, 0, 1, 0, 2, 0, 3, 0];
        var r = CollapseAnalysis.Analyze(z, 2, ThreeClasses);
        Assert.True(r.Violations > 0);
        Assert.True(double.IsNaN(r.EffectiveRank));
    }

    [Fact]
    public void EffectiveRankCountsTheSpannedDimensions()
    {
        // Four orthogonal directions of equal length: RankMe ≈ 4. A line: RankMe ≈ 1.
        var square = new float[16];
        for (var i = 0; i < 4; i++)
        {
            square[(i * 4) + i] = 1;
        }

        var flat = new float[] { 1, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0, 4, 0, 0, 0 };
        var partition = Partition.FromLabels([0, 1, 2, 3]);
        Assert.Equal(4, CollapseAnalysis.Analyze(square, 4, partition).EffectiveRank, 2);
        Assert.Equal(1, CollapseAnalysis.Analyze(flat, 4, partition).EffectiveRank, 2);
    }

    [Fact]
    public void LabelPuritySkipsObservationsWithoutTheLabel()
    {
        float[] z = [0, 0, 0, 0, 5, 5, 5, 5];
        var labels = new Dictionary<string, System.Collections.Immutable.ImmutableArray<string?>>
        {
            ["colour"] = ["red", "blue", "red", null],
        };
        var r = CollapseAnalysis.Analyze(z, 2, ThreeClasses, labels);
        Assert.Equal(2.0 / 3, r.LabelPurity["colour"], 9);
    }

    [Fact]
    public void TooManyObservationsAreRefusedBeforeComparingPairs()
    {
        var ex = Assert.Throws<ArgumentException>(() =>
            CollapseAnalysis.Analyze(new float[20], 2, Partition.FromLabels(new int[10]), options: new CollapseOptions(MaxObservations: 5)));
        Assert.Contains("limited to 5 observations", ex.Message);
    }
}
