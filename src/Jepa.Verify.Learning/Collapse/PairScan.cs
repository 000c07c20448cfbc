using System.Collections.Immutable;
using System.Numerics;
using System.Runtime.CompilerServices;

namespace Jepa.Verify.Learning.Collapse;

/// <summary>
/// The all-pairs pass of <see cref="CollapseAnalysis"/>: every pair's relative distance, the single-linkage clusters at the
/// tolerance, and, over the pairs that must be apart, their count, the smallest distance and the closest violations.
/// </summary>
/// <remarks>
/// The pairs are cut into square tiles of <see cref="Tile"/> × <see cref="Tile"/> observations (so both tiles' rows stay in
/// cache) and the tiles run on all cores, each worker with its own tallies and its own clusters, merged at the end. Every
/// pair's distance is computed the same way whichever worker takes it, and every merge is order-free (sums, minimum,
/// the closest pairs under a total order, unions), so the result does not depend on the number of cores or the schedule.
/// No library does this pass (it is not a nearest-neighbour query: every pair within the tolerance is needed, and the
/// minimum over the pairs in different classes); distances are direct differences, not the Gram-matrix expansion
/// ‖a‖² + ‖b‖² − 2a·b, which cancels catastrophically exactly at the near-zero distances the analysis is about.
/// </remarks>
internal sealed class PairScan
{
    /// <summary>Observations per tile side.</summary>
    public const int Tile = 128;

    private static readonly Comparer<OffendingPair> Closer = Comparer<OffendingPair>.Create(Compare);

    private readonly PriorityQueue<OffendingPair, OffendingPair> worst = new(Comparer<OffendingPair>.Create((x, y) => Compare(y, x)));
    private UnionFind? clusters;

    private PairScan()
    {
    }

    /// <summary>Pairs the relation separates.</summary>
    public long NonEquivalent { get; private set; }

    /// <summary>Of those, pairs within the tolerance.</summary>
    public long Violations { get; private set; }

    /// <summary>The smallest squared distance over the separated pairs (NaN when any is NaN; +∞ when there are none); relative distance is monotone in it.</summary>
    public double MinSquared { get; private set; } = double.PositiveInfinity;

    /// <summary>The largest squared distance over pairs that need not be apart (the widest class), NaN-free; 0 when there are none.</summary>
    public double MaxSameSquared { get; private set; }

    /// <summary>The closest violations, closest first (ties by observation numbers).</summary>
    public ImmutableArray<OffendingPair> Offending { get; private set; } = [];

    /// <summary>The clusters: single linkage at the tolerance.</summary>
    public UnionFind Clusters => clusters!;

    /// <summary>Scans every pair of the <paramref name="n"/> rows of <paramref name="z"/>.</summary>
    /// <param name="z">Row-major latents, <c>[n × d]</c>.</param>
    /// <param name="d">The latent dimension.</param>
    /// <param name="n">The number of rows.</param>
    /// <param name="scale">The RMS norm distances are divided by.</param>
    /// <param name="options">The tolerance and how many violations to list.</param>
    /// <param name="apart">Whether a pair must be apart (used when <paramref name="classOf"/> is null).</param>
    /// <param name="classOf">Each row's class, when the pairs that must be apart are those in different classes.</param>
    public static PairScan Run(double[] z, int d, int n, double scale, CollapseOptions options, Func<int, int, bool> apart, int[]? classOf)
    {
        var tiles = (n + Tile - 1) / Tile;
        var total = new PairScan { clusters = new UnionFind(n) };
        var gate = new object();
        Parallel.For(0L, (long)tiles * (tiles + 1) / 2, () => new PairScan(), (t, _, local) =>
        {
            var (rowTile, columnTile) = Unrank(t, tiles);
            local.ScanTile(z, d, n, scale, options, apart, classOf, rowTile * Tile, columnTile * Tile);
            return local;
        }, local =>
        {
            lock (gate)
            {
                total.Add(local, options.MaxListedPairs);
            }
        });

        total.Offending = [.. total.worst.UnorderedItems.Select(x => x.Element).Order(Closer)];
        return total;
    }

    /// <summary>
    /// The same figures as <see cref="Run"/> without comparing pairs known to be apart: with <paramref name="bound"/> a lower
    /// bound on the distance of every pair of members of two classes (a certificate's), raised where it is smaller by the
    /// geometric bound ‖z(r_c) − z(r_e)‖ − ρ_c − ρ_e (each class's first member r and the largest distance ρ of its members from
    /// it: the triangle inequality), a class pair whose bound is above the tolerance holds no violation and joins no cluster,
    /// and is compared only when it might hold the smallest distance (its bound below the smallest found so far). Every
    /// pair within a class is compared.
    /// </summary>
    /// <param name="z">Row-major latents, <c>[n × d]</c>.</param>
    /// <param name="d">The latent dimension.</param>
    /// <param name="n">The number of rows.</param>
    /// <param name="scale">The RMS norm distances are divided by.</param>
    /// <param name="options">The tolerance and how many violations to list.</param>
    /// <param name="classOf">Each row's class.</param>
    /// <param name="bound">A lower bound on ‖zᵤ − zᵥ‖ (absolute, not relative) for every u in class c and v in class e, c &lt; e.</param>
    /// <remarks>
    /// The smallest distance stays exact: after the class pairs that must be compared, the class pair with the smallest
    /// bound is compared, and then every class pair whose bound is below the smallest distance found; any other pair's
    /// distance is at least its bound, which is at least that minimum. The class pairs are enumerated again for each
    /// stage rather than kept (there may be 10⁸ of them).
    /// </remarks>
    public static PairScan RunByClass(double[] z, int d, int n, double scale, CollapseOptions options, int[] classOf, Func<int, int, double> bound)
    {
        var m = n == 0 ? 0 : classOf.Max() + 1;
        var members = Certify.ClassCertificate.Members(classOf, n, m);
        var radius = new double[m];
        for (var o = 0; o < n; o++)
        {
            var r = members[classOf[o]][0];
            radius[classOf[o]] = Math.Max(radius[classOf[o]], Math.Sqrt(SquaredDistance(z.AsSpan(o * d, d), z.AsSpan(r * d, d))));
        }

        double Bound(int c, int e)
        {
            var between = Math.Sqrt(SquaredDistance(z.AsSpan(members[c][0] * d, d), z.AsSpan(members[e][0] * d, d)));
            // Rounded down for the three square roots and sums: a relative 1e-12 of their size.
            var geometric = (between - radius[c] - radius[e]) - (1e-12 * (between + radius[c] + radius[e]));
            return Math.Max(bound(c, e), geometric);
        }

        var total = new PairScan { clusters = new UnionFind(n) };
        var usable = scale > 0 && double.IsFinite(scale);
        // Strictly above the tolerance with room for the scan's own rounding: such pairs are never close.
        var far = usable ? options.Tolerance * scale * (1 + 1e-6) : double.PositiveInfinity;
        var present = Enumerable.Range(0, m).Where(c => members[c].Length > 0).ToArray();
        total.ScanBlocks(z, d, n, scale, options, classOf, members, present, (c, e) => c == e || !(Bound(c, e) > far));

        // The class pair with the smallest bound among the rest, then every one whose bound is below the minimum found.
        var smallest = (Bound: double.PositiveInfinity, C: -1, E: -1);
        foreach (var c in present)
        {
            foreach (var e in present)
            {
                if (e > c && Bound(c, e) is var b && b > far && (b, c, e).CompareTo(smallest) < 0)
                {
                    smallest = (b, c, e);
                }
            }
        }

        if (smallest.C >= 0 && !double.IsNaN(total.MinSquared))
        {
            total.ScanBlocks(z, d, n, scale, options, classOf, members, present, (c, e) => (c, e) == (smallest.C, smallest.E));
            var limit = Math.Sqrt(total.MinSquared);
            total.ScanBlocks(z, d, n, scale, options, classOf, members, present, (c, e) => c != e && (c, e) != (smallest.C, smallest.E) && Bound(c, e) is var b && b > far && b < limit);
        }

        // Every pair in different classes is non-equivalent, compared or not.
        long sameClass = members.Sum(x => (long)x.Length * (x.Length - 1) / 2);
        total.NonEquivalent = ((long)n * (n - 1) / 2) - sameClass;
        total.Offending = [.. total.worst.UnorderedItems.Select(x => x.Element).Order(Closer)];
        return total;
    }

    /// <summary>
    /// Compares every pair of members of each class pair c ≤ e that <paramref name="chosen"/> picks (c = e: the pairs within a
    /// class). The rows of classes are split into one contiguous range per core, each with its own tallies, merged at the
    /// end (order-free, so the result does not depend on the schedule).
    /// </summary>
    private void ScanBlocks(double[] z, int d, int n, double scale, CollapseOptions options, int[] classOf, int[][] members, int[] present, Func<int, int, bool> chosen)
    {
        var gate = new object();
        var loose = Loose(scale, options);
        var parts = Math.Max(1, Math.Min(present.Length, Environment.ProcessorCount * 4));
        Parallel.For(0, parts, part =>
        {
            var local = new PairScan();
            for (var x = part; x < present.Length; x += parts)
            {
                var c = present[x];
                for (var y = x; y < present.Length; y++)
                {
                    var e = present[y];
                    if (!chosen(c, e))
                    {
                        continue;
                    }

                    var (rows, columns) = (members[c], members[e]);
                    for (var i = 0; i < rows.Length; i++)
                    {
                        for (var j = c == e ? i + 1 : 0; j < columns.Length; j++)
                        {
                            local.Compare(z, d, n, scale, loose, options, null, classOf, Math.Min(rows[i], columns[j]), Math.Max(rows[i], columns[j]));
                        }
                    }
                }
            }

            lock (gate)
            {
                Add(local, options.MaxListedPairs);
            }
        });
    }

    /// <summary>The <paramref name="t"/>-th tile pair (row ≤ column) of the upper triangle, row by row.</summary>
    private static (int Row, int Column) Unrank(long t, int tiles)
    {
        var row = 0;
        long rowLength = tiles;
        while (t >= rowLength)
        {
            t -= rowLength;
            row++;
            rowLength--;
        }

        return (row, row + (int)t);
    }

    /// <summary>Closest first, NaN last, ties by observation numbers: a total order, so the listed pairs do not depend on the schedule.</summary>
    private static int Compare(OffendingPair x, OffendingPair y)
    {
        var dx = double.IsNaN(x.Distance) ? double.PositiveInfinity : x.Distance;
        var dy = double.IsNaN(y.Distance) ? double.PositiveInfinity : y.Distance;
        var c = dx.CompareTo(dy);
        return c != 0 ? c : x.A != y.A ? x.A.CompareTo(y.A) : x.B.CompareTo(y.B);
    }

    private void ScanTile(double[] z, int d, int n, double scale, CollapseOptions options, Func<int, int, bool> apart, int[]? classOf, int rowStart, int columnStart)
    {
        var rowEnd = Math.Min(n, rowStart + Tile);
        var columnEnd = Math.Min(n, columnStart + Tile);
        var loose = Loose(scale, options);
        for (var a = rowStart; a < rowEnd; a++)
        {
            for (var b = Math.Max(columnStart, a + 1); b < columnEnd; b++)
            {
                Compare(z, d, n, scale, loose, options, apart, classOf, a, b);
            }
        }
    }

    /// <summary>
    /// A pair is close when its relative distance is not above the tolerance (NaN counts as close). The squared distance
    /// is compared with this slightly loose square of the threshold first, so only pairs near it (or NaN) pay for the
    /// exact test; with no usable scale every pair takes the exact test.
    /// </summary>
    private static double Loose(double scale, CollapseOptions options) =>
        scale > 0 && double.IsFinite(scale) ? Math.BitIncrement(Math.Pow(options.Tolerance * scale, 2) * (1 + 1e-9)) : double.PositiveInfinity;

    /// <summary>Compares pair (a, b), a &lt; b, and tallies it.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void Compare(double[] z, int d, int n, double scale, double loose, CollapseOptions options, Func<int, int, bool>? apart, int[]? classOf, int a, int b)
    {
        var squared = SquaredDistance(z.AsSpan(a * d, d), z.AsSpan(b * d, d));
        var dist = double.NaN;
        var close = !(squared > loose) && !((dist = CollapseAnalysis.Relative(Math.Sqrt(squared), scale)) > options.Tolerance);
        if (close)
        {
            (clusters ??= new UnionFind(n)).Union(a, b);
        }

        if (classOf is not null ? classOf[a] == classOf[b] : !apart!(a, b))
        {
            MaxSameSquared = squared > MaxSameSquared ? squared : MaxSameSquared;
            return;
        }

        NonEquivalent++;
        MinSquared = double.IsNaN(squared) || double.IsNaN(MinSquared) ? double.NaN : Math.Min(MinSquared, squared);
        if (close)
        {
            Violations++;
            Keep(new OffendingPair(a, b, dist), options.MaxListedPairs);
        }
    }

    /// <summary>‖x − y‖², a vector of coordinates at a time (written out: TensorPrimitives.Distance's dispatch cost more than the sum at d = 32).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static double SquaredDistance(ReadOnlySpan<double> x, ReadOnlySpan<double> y)
    {
        var sum = Vector<double>.Zero;
        var k = 0;
        for (; k <= x.Length - Vector<double>.Count; k += Vector<double>.Count)
        {
            var diff = new Vector<double>(x[k..]) - new Vector<double>(y[k..]);
            sum += diff * diff;
        }

        var s = Vector.Sum(sum);
        for (; k < x.Length; k++)
        {
            var diff = x[k] - y[k];
            s += diff * diff;
        }

        return s;
    }

    private void Keep(OffendingPair pair, int limit)
    {
        worst.Enqueue(pair, pair);
        if (worst.Count > limit)
        {
            worst.Dequeue();
        }
    }

    private void Add(PairScan other, int limit)
    {
        NonEquivalent += other.NonEquivalent;
        Violations += other.Violations;
        MinSquared = double.IsNaN(other.MinSquared) || double.IsNaN(MinSquared) ? double.NaN : Math.Min(MinSquared, other.MinSquared);
        MaxSameSquared = Math.Max(MaxSameSquared, other.MaxSameSquared);
        foreach (var (pair, _) in other.worst.UnorderedItems)
        {
            Keep(pair, limit);
        }

        if (other.clusters is { } c)
        {
            clusters!.Merge(c);
        }
    }
}
