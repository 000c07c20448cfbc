using Jepa.Verify.Learning.Collapse;
using Jepa.Verify.Learning.Tensors;
using Xunit;

namespace Jepa.Verify.Learning.Tests;

/// <summary>Tests for <see cref="LatentProbe"/> and <see cref="LatentPca"/>.</summary>
public sealed class LatentProbeTests
{
    [Fact]
    public void LinearProbeReadsALinearlySeparableLabelAndIgnoresSkippedObservations()
    {
        var rng = new SeededRandom(3);
        const int n = 120, dim = 4;
        var z = new float[n * dim];
        var target = new int[n];
        for (var i = 0; i < n; i++)
        {
            target[i] = i % 3;
            for (var j = 0; j < dim; j++)
            {
                z[(i * dim) + j] = (float)(rng.NextGaussian() * 0.1) + (j == target[i] ? 2f : 0f);
            }
        }

        target[0] = -1;
        var (train, test) = LatentProbe.Split(n, 0.3, seed: 1);
        Assert.Equal(36, test.Length);
        Assert.Empty(train.Intersect(test));
        var probe = LatentProbe.Linear(z, dim, target, train, test)!;
        Assert.Equal(1.0, probe.Accuracy);
        Assert.Equal(3, probe.Classes);
        Assert.InRange(probe.Chance, 0.2, 0.5);
        Assert.Equal(train.Length + test.Length - 1, probe.TrainCount + probe.TestCount);
        Assert.Equal(1.0, LatentProbe.NearestCentroid(z, dim, target, train, test)!.Accuracy);
    }

    [Fact]
    public void ProbesOnConstantLatentsScoreNoBetterThanTheMajorityClass()
    {
        const int n = 60, dim = 3;
        var z = Enumerable.Repeat(0.25f, n * dim).ToArray();
        int[] target = [.. Enumerable.Range(0, n).Select(i => i % 4 == 0 ? 1 : 0)];
        var (train, test) = LatentProbe.Split(n, 0.3, seed: 2);
        var linear = LatentProbe.Linear(z, dim, target, train, test)!;
        Assert.Equal(linear.Chance, linear.Accuracy);
        Assert.Null(LatentProbe.Linear(z, dim, [.. Enumerable.Repeat(0, n)], train, test));
    }

    [Fact]
    public void PcaFindsTheAxisOfLargestVarianceAndIsDeterministic()
    {
        // Points along (1, 1, 0) with a little spread along (0, 0, 1).
        const int n = 50;
        var z = new float[n * 3];
        for (var i = 0; i < n; i++)
        {
            z[3 * i] = z[(3 * i) + 1] = i - 25;
            z[(3 * i) + 2] = (i % 2) - 0.5f;
        }

        var (xy, variances) = LatentPca.Project(z, 3);
        Assert.Equal(2 * n, xy.Length);
        Assert.True(variances[0] > 100 * variances[1]);
        Assert.Equal(Math.Sqrt(2) * (24 + 0.5), xy[2 * 49], 2); // (24, 24) minus the mean (−0.5, −0.5); the axis tilts slightly towards z
        Assert.Equal(0.5, Math.Abs(xy[1]), tolerance: 0.05);
        Assert.Equal(xy, LatentPca.Project(z, 3).Coordinates);
    }

    [Fact]
    public void EigenvectorsSatisfyTheirEquation()
    {
        double[] a = [4, 1, 0.5, 1, 3, 0.2, 0.5, 0.2, 1];
        var (values, vectors) = SymmetricEigen.Decompose(a, 3);
        for (var k = 0; k < 3; k++)
        {
            for (var i = 0; i < 3; i++)
            {
                var av = Enumerable.Range(0, 3).Sum(j => a[(i * 3) + j] * vectors[(j * 3) + k]);
                Assert.Equal(values[k] * vectors[(i * 3) + k], av, 10);
            }
        }

        Assert.Equal(SymmetricEigen.Values(a, 3), values);
    }
}
