using Jepa.Verify.Learning.Collapse;
using Jepa.Verify.Mdp.Bisimulation;
using Xunit;

namespace Jepa.Verify.Learning.Tests;

/// <summary>Tests for <see cref="SpectralMetrics"/> and the <see cref="CollapseMetrics"/> that <see cref="CollapseAnalysis"/> reports.</summary>
public sealed class SpectralMetricsTests
{
    [Fact]
    public void SRankCountsTheSingularValuesHolding99Percent()
    {
        Assert.Equal(2, SpectralMetrics.SRank([10, 1, 0.05]));
        Assert.Equal(3, SpectralMetrics.SRank([10, 1, 0.2]));
        Assert.Equal(0, SpectralMetrics.SRank([0, 0]));
    }

    [Fact]
    public void AlphaReqRecoversAnExactPowerLaw()
    {
        var eigen = Enumerable.Range(1, 20).Select(i => 3.0 * Math.Pow(i, -1.5)).ToArray();
        Assert.Equal(1.5, SpectralMetrics.AlphaReq(eigen)!.Value, 9);
        Assert.Null(SpectralMetrics.AlphaReq([1.0, 0]));
    }

    [Fact]
    public void LidarIsHighForSeparatedClassesAndOneForCollapsedOnes()
    {
        // Four classes of two observations each, spread over four axes, with a little noise within each class.
        var classOf = new[] { 0, 0, 1, 1, 2, 2, 3, 3 };
        var spread = new double[8 * 4];
        var collapsed = new double[8 * 4];
        for (var i = 0; i < 8; i++)
        {
            spread[(i * 4) + classOf[i]] = 1 + (0.01 * (i % 2));
            collapsed[(i * 4) + 0] = 1 + (0.01 * (i % 2)); // every class on one axis, told apart only by noise
        }

        var high = SpectralMetrics.Lidar(spread, 8, 4, classOf, 1)!.Value;
        var low = SpectralMetrics.Lidar(collapsed, 8, 4, classOf, 1)!.Value;
        Assert.InRange(high, 2.5, 3.0001); // 4 class means span 3 directions around their centre (ε = 1e-7 per eigenvalue adds a little)
        Assert.InRange(low, 0.99, 1.01);
        Assert.Null(SpectralMetrics.Lidar(spread, 8, 4, new int[8], 1));
    }

    [Fact]
    public void TheReportCarriesTheMetricsAndTheSeparationRatio()
    {
        // Classes {0,1} and {2}: the widest class has diameter 0.1, the nearest pair across classes is 1 apart.
        float[] z = [0, 0, 0.1f, 0, 1.1f, 0];
        var r = CollapseAnalysis.Analyze(z, 2, Partition.FromLabels([0, 0, 1]));
        var m = r.Metrics!;
        Assert.Equal(1.0 / 0.1, m.SeparationRatio!.Value, 4);
        Assert.Equal(1, m.SRank);
        Assert.Equal(1.0, m.ProbeAccuracy);

        // All singletons: no pair may share a latent, so there is no widest class to compare with.
        Assert.Null(CollapseAnalysis.Analyze(z, 2, Partition.FromLabels([0, 1, 2])).Metrics!.SeparationRatio);
    }
}
