using System.Collections.Immutable;
using Jepa.Verify.Mdp.Bisimulation;

namespace Jepa.Verify.Learning.Collapse;

/// <summary>
/// Compares latents with what the theorem says they must keep apart: the bisimulation partition
/// (or, for incomplete data, the finite-data distinguishability relation).
/// </summary>
/// <remarks>
/// All pairs are compared, in double precision (O(n²·d) time, O(n·d) memory; tiles of pairs on all cores, see
/// <see cref="PairScan"/>); the result does not depend on the number of cores. Distances are divided by the RMS latent norm so that a uniformly rescaled encoder
/// gets the same report; a collapsed encoder (all latents near one point, whatever its norm) has
/// relative distances near 0. NaN latents make every distance NaN, which never counts as separated.
/// </remarks>
public static class CollapseAnalysis
{
    /// <summary>Analyses latents against a partition (e.g. <see cref="BisimulationResult.Partition"/>).</summary>
    /// <param name="latents">Row-major <c>[observations × latentDim]</c>.</param>
    /// <param name="latentDim">The latent dimension.</param>
    /// <param name="pairs">Which observations must be apart: a <see cref="Partition"/> (its size may exceed the latent count by a sink, which is ignored) or the finite-data <see cref="DistinguishabilityRelation"/> (then purity and spreads are left null). Take it from <see cref="BisimulationResult.Pairs"/>.</param>
    /// <param name="labels">Ground-truth labels to measure cluster purity against (may be empty).</param>
    /// <param name="options">Thresholds, or null for <see cref="CollapseOptions.Default"/>.</param>
    /// <param name="classBounds">
    /// A certificate's class-level bounds (<see cref="Certify.CertificateLevel.Bounds"/>) for this partition, or null: with
    /// them, class pairs already apart are not compared (<see cref="PairScan.RunByClass"/>; the report is the same) and
    /// up to <see cref="MaxObservationsWithClassBounds"/> observations are analysed.
    /// </param>
    /// <exception cref="ArgumentException">When sizes do not fit or there are more observations than <see cref="CollapseOptions.MaxObservations"/> (<see cref="MaxObservationsWithClassBounds"/> with class bounds).</exception>
    public static CollapseReport Analyze(IReadOnlyList<float> latents, int latentDim, IDistinguishedPairs pairs,
        IReadOnlyDictionary<string, ImmutableArray<string?>>? labels = null, CollapseOptions? options = null, Certify.ClassBounds? classBounds = null)
    {
        ArgumentNullException.ThrowIfNull(pairs);
        var n = Count(latents, latentDim);
        if (pairs.Size < n)
        {
            throw new ArgumentException($"the bisimulation covers {pairs.Size} observations, there are {n} latents", nameof(pairs));
        }

        int[]? classOf = pairs.Classes is { } classes ? [.. classes.Take(n)] : null;
        if (classBounds is not null && classOf is null)
        {
            throw new ArgumentException("class bounds need a partition", nameof(classBounds));
        }

        return Core(latents, latentDim, n, pairs.AreDistinguished, classOf, labels, options, classBounds);
    }

    /// <summary>The most observations analysed with a certificate's class bounds (the pairs within classes are still all compared).</summary>
    public const int MaxObservationsWithClassBounds = 4_000_000;

    private static int Count(IReadOnlyList<float> latents, int latentDim)
    {
        ArgumentNullException.ThrowIfNull(latents);
        ArgumentOutOfRangeException.ThrowIfLessThan(latentDim, 1);
        if (latents.Count % latentDim != 0)
        {
            throw new ArgumentException($"{latents.Count} latent values do not divide into rows of {latentDim}", nameof(latents));
        }

        return latents.Count / latentDim;
    }

    private static CollapseReport Core(IReadOnlyList<float> latents, int d, int n, Func<int, int, bool> apart, int[]? classOf,
        IReadOnlyDictionary<string, ImmutableArray<string?>>? labels, CollapseOptions? options, Certify.ClassBounds? classBounds)
    {
        options ??= CollapseOptions.Default;
        if (!(options.Tolerance >= 0) || !double.IsFinite(options.Tolerance))
        {
            throw new ArgumentException($"the tolerance must be a finite number >= 0, got {options.Tolerance}", nameof(options));
        }

        if (n > (classBounds is null ? options.MaxObservations : MaxObservationsWithClassBounds))
        {
            throw new ArgumentException(classBounds is null
                ? $"the collapse analysis compares all pairs and is limited to {options.MaxObservations} observations, got {n}; analyse a sample or raise the limit"
                : $"the collapse analysis with class bounds is limited to {MaxObservationsWithClassBounds} observations, got {n}; analyse a sample",
                nameof(latents));
        }

        var z = new double[n * d];
        for (var i = 0; i < z.Length; i++)
        {
            z[i] = latents[i];
        }

        var scale = RmsNorm(latents, d);
        var scan = classBounds is not null
            ? PairScan.RunByClass(z, d, n, scale, options, classOf!, (c, e) => classBounds[c, e])
            : PairScan.Run(z, d, n, scale, options, apart, classOf);
        var offending = scan.Offending;
        var clusters = scan.Clusters;
        var nonEquivalent = scan.NonEquivalent;
        var violations = scan.Violations;
        var min = Relative(Math.Sqrt(scan.MinSquared), scale);
        var clusterOf = clusters.Labels();
        var clusterCount = n == 0 ? 0 : clusterOf.Max() + 1;
        var labelPurity = ImmutableSortedDictionary.CreateBuilder<string, double>(StringComparer.Ordinal);
        foreach (var (name, values) in labels ?? new Dictionary<string, ImmutableArray<string?>>())
        {
            if (values.Length >= n)
            {
                labelPurity[name] = Purity(clusterOf, i => values[i], n);
            }
        }

        double? within = null, between = null;
        int? classCount = null;
        double? purity = null;
        if (classOf is not null)
        {
            classCount = n == 0 ? 0 : classOf.Max() + 1;
            purity = Purity(clusterOf, i => classOf[i].ToString(System.Globalization.CultureInfo.InvariantCulture), n);
            (within, between) = Spreads(z, d, n, classOf, classCount.Value, scale);
        }

        var ratio = nonEquivalent > 0 && scan.MaxSameSquared > 0 && !double.IsNaN(scan.MinSquared) ? Math.Sqrt(scan.MinSquared / scan.MaxSameSquared) : (double?)null;
        var sigma = SingularValues(z, n, d);
        var metrics = Metrics(latents, z, n, d, sigma, classOf, classCount, scale, ratio);
        return new CollapseReport(n, d, scale, options.Tolerance, nonEquivalent, nonEquivalent == 0 ? null : min, violations, offending,
            clusterCount, [.. clusterOf], classCount, purity, labelPurity.ToImmutable(), EffectiveRank(sigma), within, between, metrics);
    }

    /// <summary>The RMS latent norm <c>√(mean ‖zᵢ‖²)</c> of row-major latents (summed in double; 0 without rows): the unit of every relative distance.</summary>
    public static double RmsNorm(IReadOnlyList<float> latents, int dim)
    {
        ArgumentNullException.ThrowIfNull(latents);
        ArgumentOutOfRangeException.ThrowIfLessThan(dim, 1);
        var n = latents.Count / dim;
        double sq = 0;
        for (var i = 0; i < n * dim; i++)
        {
            double v = latents[i];
            sq += v * v;
        }

        return n == 0 ? 0 : Math.Sqrt(sq / n);
    }

    internal static double Relative(double distance, double scale) => scale > 0 ? distance / scale : distance == 0 ? 0 : double.NaN;

    /// <summary>Σ over clusters of the largest same-value count, over the observations that have a value.</summary>
    private static double Purity(int[] clusterOf, Func<int, string?> valueOf, int n)
    {
        var counts = new Dictionary<(int Cluster, string Value), int>();
        var labelled = 0;
        for (var i = 0; i < n; i++)
        {
            if (valueOf(i) is { } v)
            {
                labelled++;
                counts[(clusterOf[i], v)] = counts.GetValueOrDefault((clusterOf[i], v)) + 1;
            }
        }

        if (labelled == 0)
        {
            return 1;
        }

        var majority = counts.GroupBy(kv => kv.Key.Cluster).Sum(g => g.Max(kv => kv.Value));
        return (double)majority / labelled;
    }

    private static (double? Within, double? Between) Spreads(double[] z, int d, int n, int[] classOf, int classes, double scale)
    {
        var centroids = new double[classes * d];
        var sizes = new int[classes];
        for (var i = 0; i < n; i++)
        {
            sizes[classOf[i]]++;
            for (var k = 0; k < d; k++)
            {
                centroids[(classOf[i] * d) + k] += z[(i * d) + k];
            }
        }

        for (var c = 0; c < classes; c++)
        {
            for (var k = 0; k < d; k++)
            {
                centroids[(c * d) + k] /= Math.Max(1, sizes[c]);
            }
        }

        double within = 0;
        for (var i = 0; i < n; i++)
        {
            for (var k = 0; k < d; k++)
            {
                var diff = z[(i * d) + k] - centroids[(classOf[i] * d) + k];
                within += diff * diff;
            }
        }

        // Σ over pairs x < y of ‖cₓ − c_y‖² = m·Σ‖cₓ‖² − ‖Σcₓ‖² over the m classes present: O(m·d) instead of O(m²·d)
        // (a spread, not a near-zero threshold, so the subtraction's rounding is immaterial).
        double? between = null;
        var present = Enumerable.Range(0, classes).Where(c => sizes[c] > 0).ToArray();
        if (present.Length >= 2)
        {
            var total = new double[d];
            double squares = 0;
            foreach (var c in present)
            {
                for (var k = 0; k < d; k++)
                {
                    var v = centroids[(c * d) + k];
                    total[k] += v;
                    squares += v * v;
                }
            }

            var m = (double)present.Length;
            var sum = Math.Max(0, (m * squares) - total.Sum(v => v * v));
            between = Relative(Math.Sqrt(sum / (m * (m - 1) / 2)), scale);
        }

        return (n == 0 ? null : Relative(Math.Sqrt(within / n), scale), between);
    }

    /// <summary>The singular values of the <c>[n×d]</c> latents, descending; null when one is not finite.</summary>
    private static double[]? SingularValues(double[] z, int n, int d) =>
        z.Any(v => !double.IsFinite(v)) ? null : n == 0 ? [] : [.. SquaredSingularValues(z, n, d).Select(v => Math.Sqrt(Math.Max(0, v)))];

    private static CollapseMetrics Metrics(IReadOnlyList<float> latents, double[] z, int n, int d, double[]? sigma, int[]? classOf, int? classes, double scale, double? ratio)
    {
        if (n == 0 || sigma is null)
        {
            return new CollapseMetrics(0, null, null, ratio, null);
        }

        var mean = new double[d];
        for (var i = 0; i < n; i++)
        {
            for (var k = 0; k < d; k++)
            {
                mean[k] += z[(i * d) + k];
            }
        }

        for (var k = 0; k < d; k++)
        {
            mean[k] /= n;
        }

        var covariance = SquaredSingularValues(z, n, d, mean).Select(v => Math.Max(0, v) / n).ToArray();
        double? lidar = null, probe = null;
        if (classOf is not null && classes is > 1)
        {
            lidar = SpectralMetrics.Lidar(z, n, d, classOf, scale);
            if ((long)n * classes.Value * d <= SpectralMetrics.MaxProbeWork)
            {
                var all = Enumerable.Range(0, n).ToArray();
                var floats = latents as float[] ?? [.. latents];
                probe = LatentProbe.Linear(floats, d, classOf, all, all)?.Accuracy;
            }
        }

        return new CollapseMetrics(SpectralMetrics.SRank(sigma), SpectralMetrics.AlphaReq(covariance), lidar, ratio, probe);
    }

    /// <summary>RankMe (Garrido et al., 2023) with ε = 1e-7, from the eigenvalues of the Gram matrix.</summary>
    /// <param name="sigma">The latents' singular values (<see cref="SingularValues"/>): empty without rows, null when a latent is not finite.</param>
    private static double EffectiveRank(double[]? sigma)
    {
        if (sigma is null)
        {
            return double.NaN;
        }

        var total = sigma.Sum();
        if (!(total > 0))
        {
            return double.IsNaN(total) ? double.NaN : 0;
        }

        double entropy = 0;
        foreach (var s in sigma)
        {
            var p = (s / total) + 1e-7;
            entropy -= p * Math.Log(p);
        }

        return Math.Exp(entropy);
    }

    /// <summary>
    /// The squared singular values of the <c>[n×d]</c> latents: the eigenvalues of <c>ZᵀZ</c> (<c>d×d</c>) or, when there
    /// are fewer rows than columns, of <c>ZZᵀ</c> (<c>n×n</c>), which has the same non-zero eigenvalues, so a 2,000-wide
    /// latent of 9 observations costs a 9×9 decomposition.
    /// </summary>
    internal static double[] SquaredSingularValues(double[] z, int n, int d, double[]? mean = null)
    {
        // With a mean, the rows are centred on the fly (no copy of the latents).
        double At(int i, int k) => z[(i * d) + k] - (mean?[k] ?? 0);
        var rows = n < d;
        var m = rows ? n : d;
        var g = new double[m * m];
        if (rows)
        {
            for (var i = 0; i < n; i++)
            {
                for (var j = i; j < n; j++)
                {
                    double dot = 0;
                    for (var k = 0; k < d; k++)
                    {
                        dot += At(i, k) * At(j, k);
                    }

                    g[(i * n) + j] = g[(j * n) + i] = dot;
                }
            }
        }
        else
        {
            var row = new double[d];
            for (var i = 0; i < n; i++)
            {
                for (var k = 0; k < d; k++)
                {
                    row[k] = At(i, k);
                }

                for (var a = 0; a < d; a++)
                {
                    var za = row[a];
                    for (var b = a; b < d; b++)
                    {
                        g[(a * d) + b] += za * row[b];
                    }
                }
            }

            for (var a = 0; a < d; a++)
            {
                for (var b = 0; b < a; b++)
                {
                    g[(a * d) + b] = g[(b * d) + a];
                }
            }
        }

        return SymmetricEigen.Values(g, m);
    }
}
