using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Jepa.Verify.Learning.Certify;
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
        var latents = Grid(c, random);
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

    [Property(Arbitrary = new[] { typeof(LearningArbitraries) }, MaxTest = 60)]
    public Property WithSoundClassBoundsTheScanReportsWhatTheFullScanReports(LatentCase c)
    {
        // Class bounds as a certificate gives them: at most each class pair's smallest distance, some exactly it, some
        // half of it, some 0; the analysis that skips pairs with them must report exactly what the full scan reports.
        var random = new SeededRandom((ulong)c.Seed);
        var latents = Grid(c, random);

        var pairs = Partition.FromLabels([.. Enumerable.Range(0, c.Rows).Select(_ => random.NextInt(c.Classes))]);
        var classes = pairs.ClassOf.ToArray(); // the partition's own numbering, which the bounds are indexed by
        var m = classes.DefaultIfEmpty(-1).Max() + 1;
        var rows = Certificate.RowStarts(m);
        var bounds = Enumerable.Repeat(double.PositiveInfinity, m * (m - 1) / 2).ToArray();
        for (var a = 0; a < c.Rows; a++)
        {
            for (var b = 0; b < c.Rows; b++)
            {
                if (classes[a] < classes[b])
                {
                    var at = Certificate.Position(rows, classes[a], classes[b]);
                    var distance = Certificate.Norm([.. latents.AsSpan(a * c.Dim, c.Dim).ToArray().Select(v => (double)v)], [.. latents.AsSpan(b * c.Dim, c.Dim).ToArray().Select(v => (double)v)]);
                    bounds[at] = Math.Min(bounds[at], distance);
                }
            }
        }

        for (var i = 0; i < bounds.Length; i++)
        {
            bounds[i] = double.IsFinite(bounds[i]) ? bounds[i] * (random.NextInt(3) / 2.0) : 0;
        }

        var options = new CollapseOptions(Tolerance: 0.2, MaxListedPairs: 7);
        var skipping = CollapseAnalysis.Analyze(latents, c.Dim, pairs, options: options, classBounds: new ClassBounds(bounds, rows));
        var full = CollapseAnalysis.Analyze(latents, c.Dim, pairs, options: options);
        return (skipping.NonEquivalentPairs == full.NonEquivalentPairs
                && skipping.Violations == full.Violations
                && Equals(skipping.MinNonEquivalentDistance, full.MinNonEquivalentDistance)
                && skipping.OffendingPairs.SequenceEqual(full.OffendingPairs)
                && skipping.ClusterOf.SequenceEqual(full.ClusterOf)
                && Equals(skipping.Metrics?.SeparationRatio, full.Metrics?.SeparationRatio))
            .Label($"skipping: {skipping.NonEquivalentPairs} pairs, {skipping.Violations} violations, min {skipping.MinNonEquivalentDistance}, {skipping.Clusters} clusters; " +
                   $"full: {full.NonEquivalentPairs}, {full.Violations}, {full.MinNonEquivalentDistance}, {full.Clusters}");
    }

    /// <summary>Latents on a coarse grid (multiples of 0.5 up to 2), so that duplicates and ties are common.</summary>
    private static float[] Grid(LatentCase c, SeededRandom random) => [.. Enumerable.Range(0, c.Rows * c.Dim).Select(_ => random.NextInt(5) * 0.5f)];

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
