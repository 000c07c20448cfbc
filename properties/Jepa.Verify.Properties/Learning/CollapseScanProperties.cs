using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Jepa.Verify.Learning.Collapse;
using Jepa.Verify.Learning.Tensors;
using Jepa.Verify.Mdp.Bisimulation;

namespace Jepa.Verify.Properties.Learning;

/// <summary>
/// Tests for <see cref="CollapseAnalysis"/>'s tiled, parallel pair scan: it reports exactly what the plain all-pairs loop
/// (one pair after another, one union-find) reports, on matrices spanning several tiles, with duplicates and NaN.
/// </summary>
[Properties(Replay = PropertyConfig.Replay)]
public sealed class CollapseScanProperties
{
    [Property(Arbitrary = new[] { typeof(LearningArbitraries) }, MaxTest = 60)]
    public Property TheTiledScanReportsWhatThePlainLoopReports(LatentCase c)
    {
        var random = new SeededRandom((ulong)c.Seed);
        var latents = new float[c.Rows * c.Dim];
        for (var i = 0; i < latents.Length; i++)
        {
            latents[i] = random.NextInt(5) * 0.5f;
        }

        if (c.WithNaN && latents.Length > 0)
        {
            latents[random.NextInt(latents.Length)] = float.NaN;
        }

        var classes = Enumerable.Range(0, c.Rows).Select(_ => random.NextInt(c.Classes)).ToArray();
        var options = new CollapseOptions(Tolerance: 0.2, MaxListedPairs: 7);
        var report = CollapseAnalysis.Analyze(latents, c.Dim, Partition.FromLabels(classes), options: options);
        var expected = Plain(latents, c.Dim, classes, options);
        return (report.NonEquivalentPairs == expected.NonEquivalent
                && report.Violations == expected.Violations
                && Equals(report.MinNonEquivalentDistance, expected.Min)
                && report.OffendingPairs.SequenceEqual(expected.Offending)
                && report.ClusterOf.SequenceEqual(expected.ClusterOf))
            .Label($"scan: {report.NonEquivalentPairs} pairs, {report.Violations} violations, min {report.MinNonEquivalentDistance}, {report.Clusters} clusters; " +
                   $"plain: {expected.NonEquivalent}, {expected.Violations}, {expected.Min}, {expected.ClusterOf.DefaultIfEmpty(-1).Max() + 1}");
    }

    /// <summary>The reference: every pair in order, distances summed term by term.</summary>
    private static (long NonEquivalent, long Violations, double? Min, List<OffendingPair> Offending, int[] ClusterOf) Plain(
        float[] latents, int d, int[] classOf, CollapseOptions options)
    {
        var n = classOf.Length;
        var scale = n == 0 ? 0 : Math.Sqrt(latents.Sum(v => (double)v * v) / n);
        var parent = Enumerable.Range(0, n).ToArray();
        int Find(int x) => parent[x] == x ? x : parent[x] = Find(parent[x]);
        long nonEquivalent = 0, violations = 0;
        var min = double.PositiveInfinity;
        var close = new List<OffendingPair>();
        for (var a = 0; a < n; a++)
        {
            for (var b = a + 1; b < n; b++)
            {
                double s = 0;
                for (var k = 0; k < d; k++)
                {
                    var diff = (double)latents[(a * d) + k] - latents[(b * d) + k];
                    s += diff * diff;
                }

                var dist = scale > 0 ? Math.Sqrt(s) / scale : s == 0 ? 0 : double.NaN;
                var near = !(dist > options.Tolerance);
                if (near)
                {
                    var (ra, rb) = (Find(a), Find(b));
                    parent[Math.Max(ra, rb)] = Math.Min(ra, rb);
                }

                if (classOf[a] == classOf[b])
                {
                    continue;
                }

                nonEquivalent++;
                min = double.IsNaN(dist) || double.IsNaN(min) ? double.NaN : Math.Min(min, dist);
                if (near)
                {
                    violations++;
                    close.Add(new OffendingPair(a, b, dist));
                }
            }
        }

        var numbers = new Dictionary<int, int>();
        var clusterOf = Enumerable.Range(0, n).Select(i => numbers.TryGetValue(Find(i), out var c) ? c : numbers[Find(i)] = numbers.Count).ToArray();
        var offending = close.OrderBy(p => double.IsNaN(p.Distance) ? double.PositiveInfinity : p.Distance).ThenBy(p => p.A).ThenBy(p => p.B)
            .Take(options.MaxListedPairs).ToList();
        return (nonEquivalent, violations, nonEquivalent == 0 ? null : min, offending, clusterOf);
    }
}
