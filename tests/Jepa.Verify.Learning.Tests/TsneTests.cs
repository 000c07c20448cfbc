using Jepa.Verify.Learning.Collapse;
using Jepa.Verify.Learning.Tensors;
using Xunit;

namespace Jepa.Verify.Learning.Tests;

/// <summary>Tests for <see cref="Tsne"/>: calibrated affinities, known clusters kept apart, determinism, refused inputs.</summary>
public sealed class TsneTests
{
    /// <summary>Three Gaussian clusters of 25 points in 10 dimensions, centres 10 apart, unit noise.</summary>
    private static (List<float[]> Points, int[] Labels) Clusters(ulong seed)
    {
        var random = new SeededRandom(seed);
        var points = new List<float[]>();
        var labels = new List<int>();
        for (var c = 0; c < 3; c++)
        {
            for (var i = 0; i < 25; i++)
            {
                points.Add([.. Enumerable.Range(0, 10).Select(d => (float)((d == c ? 10 : 0) + random.NextGaussian()))]);
                labels.Add(c);
            }
        }

        return (points, [.. labels]);
    }

    [Fact]
    public void EachPointsAffinitiesHaveTheRequestedPerplexity()
    {
        var (points, _) = Clusters(1);
        var n = points.Count;
        var d = new double[n * n];
        for (var i = 0; i < n; i++)
        {
            for (var j = 0; j < n; j++)
            {
                d[(i * n) + j] = points[i].Zip(points[j], (a, b) => (double)(a - b) * (a - b)).Sum();
            }
        }

        var conditional = Tsne.Conditionals(d, 10);
        for (var i = 0; i < n; i++)
        {
            var row = conditional.AsSpan(i * n, n).ToArray();
            Assert.Equal(0, row[i]);
            Assert.Equal(1.0, row.Sum(), 9);
            Assert.Equal(Math.Log(10), -row.Where(q => q > 0).Sum(q => q * Math.Log(q)), 4);
        }

        var p = Tsne.Affinities(d, 10);
        Assert.Equal(1.0, p.Sum(), 6);
        for (var i = 0; i < n; i++)
        {
            for (var j = 0; j < n; j++)
            {
                Assert.Equal(p[(i * n) + j], p[(j * n) + i]);
            }
        }
    }

    [Fact]
    public void KnownClustersStayApartInTheEmbedding()
    {
        var (points, labels) = Clusters(2);
        var (y, divergence) = Tsne.Embed(points, perplexity: 10, seed: 3);
        Assert.True(double.IsFinite(divergence) && divergence >= 0, $"KL divergence {divergence}");
        var n = points.Count;
        for (var i = 0; i < n; i++)
        {
            var nearest = Enumerable.Range(0, n).Where(j => j != i).MinBy(j => Math.Pow(y[i, 0] - y[j, 0], 2) + Math.Pow(y[i, 1] - y[j, 1], 2));
            Assert.Equal(labels[i], labels[nearest]);
        }

        // Every cluster's spread is smaller than the distance from its centre to the other centres.
        var centres = Enumerable.Range(0, 3).Select(c => (X: Enumerable.Range(0, n).Where(i => labels[i] == c).Average(i => y[i, 0]), Y: Enumerable.Range(0, n).Where(i => labels[i] == c).Average(i => y[i, 1]))).ToArray();
        for (var c = 0; c < 3; c++)
        {
            var spread = Enumerable.Range(0, n).Where(i => labels[i] == c).Max(i => Math.Sqrt(Math.Pow(y[i, 0] - centres[c].X, 2) + Math.Pow(y[i, 1] - centres[c].Y, 2)));
            var gap = Enumerable.Range(0, 3).Where(o => o != c).Min(o => Math.Sqrt(Math.Pow(centres[o].X - centres[c].X, 2) + Math.Pow(centres[o].Y - centres[c].Y, 2)));
            Assert.True(spread < gap, $"cluster {c}: spread {spread}, nearest other centre {gap}");
        }
    }

    [Fact]
    public void TheSameSeedGivesTheSameEmbedding()
    {
        var (points, _) = Clusters(4);
        var a = Tsne.Embed(points, 5, seed: 7, iterations: 300).Embedding;
        var b = Tsne.Embed(points, 5, seed: 7, iterations: 300).Embedding;
        var c = Tsne.Embed(points, 5, seed: 8, iterations: 300).Embedding;
        Assert.Equal(a.Cast<double>(), b.Cast<double>());
        Assert.NotEqual(a.Cast<double>(), c.Cast<double>());
    }

    [Fact]
    public void BadInputsAreRefused()
    {
        var (points, _) = Clusters(5);
        Assert.Throws<ArgumentException>(() => Tsne.Embed(points, perplexity: 75));
        Assert.Throws<ArgumentException>(() => Tsne.Embed(points, perplexity: 0.5));
        Assert.Throws<ArgumentException>(() => Tsne.Embed([[1f, 2f]]));
        Assert.Throws<ArgumentException>(() => Tsne.Embed([[1f, 2f], [1f]]));
        Assert.Throws<ArgumentException>(() => Tsne.Embed([[1f, float.NaN], [1f, 2f]], perplexity: 1));
    }
}
