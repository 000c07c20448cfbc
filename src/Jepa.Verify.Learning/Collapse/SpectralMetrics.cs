using MathNet.Numerics.LinearAlgebra;

namespace Jepa.Verify.Learning.Collapse;

/// <summary>
/// The collapse metrics researchers gate training on today — srank, α-ReQ, LiDAR, a class-separation ratio and a linear
/// probe — computed beside RankMe and the certificate, so that no second tool is needed. None of them is a guarantee; the
/// certificate is. All in double precision, deterministic.
/// </summary>
public static class SpectralMetrics
{
    /// <summary>srank's δ: the share of the singular-value mass left out (1 %).</summary>
    public const double SRankDelta = 0.01;

    /// <summary>LiDAR's δ (added to the within-class covariance of latents divided by their RMS norm) and ε (added to each normalised eigenvalue), as in the paper.</summary>
    public const double LidarDelta = 1e-4;

    private const double LidarEpsilon = 1e-7;

    /// <summary>The widest latent LiDAR is computed for (its eigenproblems are d × d).</summary>
    public const int MaxLidarDim = 1024;

    /// <summary>The most work (observations × classes × dimension) the linear probe is run for; above it, no probe.</summary>
    public const long MaxProbeWork = 20_000_000;

    /// <summary>
    /// srank_δ (Kumar et al., 2021, "Implicit under-parameterization"): the smallest k whose k largest singular values hold
    /// at least 1 − δ of their sum; 0 when every singular value is 0.
    /// </summary>
    /// <param name="singularValues">Descending, non-negative.</param>
    /// <example>σ = (10, 1, 0.05) gives 2 at δ = 0.01 (11 of 11.05 is 99.5 %).</example>
    public static int SRank(IReadOnlyList<double> singularValues)
    {
        ArgumentNullException.ThrowIfNull(singularValues);
        var total = singularValues.Sum();
        if (!(total > 0))
        {
            return 0;
        }

        double running = 0;
        for (var k = 0; k < singularValues.Count; k++)
        {
            running += singularValues[k];
            if (running >= (1 - SRankDelta) * total)
            {
                return k + 1;
            }
        }

        return singularValues.Count;
    }

    /// <summary>
    /// α-ReQ (Agrawal et al., 2022): α in λᵢ ∝ i^−α, the negated slope of the least-squares line through (ln i, ln λᵢ) over
    /// the covariance eigenvalues above 1e-12 of the largest; null with fewer than two such eigenvalues.
    /// </summary>
    /// <param name="covarianceEigenvalues">Descending eigenvalues of the latents' covariance.</param>
    public static double? AlphaReq(IReadOnlyList<double> covarianceEigenvalues)
    {
        ArgumentNullException.ThrowIfNull(covarianceEigenvalues);
        var top = covarianceEigenvalues.Count > 0 ? covarianceEigenvalues[0] : 0;
        var points = covarianceEigenvalues.Select((v, i) => (X: Math.Log(i + 1), Y: v > 1e-12 * top && v > 0 ? Math.Log(v) : double.NaN))
            .Where(p => !double.IsNaN(p.Y)).ToArray();
        if (points.Length < 2 || !(top > 0))
        {
            return null;
        }

        var mx = points.Average(p => p.X);
        var my = points.Average(p => p.Y);
        var sxy = points.Sum(p => (p.X - mx) * (p.Y - my));
        var sxx = points.Sum(p => (p.X - mx) * (p.X - mx));
        return -sxy / sxx;
    }

    /// <summary>
    /// LiDAR (Thilak et al., 2024) with the bisimulation classes as labels: exp of the entropy of the normalised eigenvalues
    /// of (Σ_w + δI)^−½ Σ_b (Σ_w + δI)^−½, Σ_b the covariance of the class means and Σ_w the mean within-class covariance, of
    /// the latents divided by their RMS norm (so δ is relative). Null with fewer than two classes, or latents wider than
    /// <see cref="MaxLidarDim"/>.
    /// </summary>
    /// <param name="z">Row-major <c>[n × d]</c> latents.</param>
    /// <param name="n">Rows.</param>
    /// <param name="d">Columns.</param>
    /// <param name="classOf">Each row's class, 0 … classes − 1.</param>
    /// <param name="scale">The RMS latent norm.</param>
    public static double? Lidar(double[] z, int n, int d, int[] classOf, double scale)
    {
        ArgumentNullException.ThrowIfNull(z);
        ArgumentNullException.ThrowIfNull(classOf);
        var classes = n == 0 ? 0 : classOf.Take(n).Max() + 1;
        if (classes < 2 || d > MaxLidarDim || !(scale > 0) || z.Any(v => !double.IsFinite(v)))
        {
            return null;
        }

        var x = Matrix<double>.Build.Dense(n, d, (i, k) => z[(i * d) + k] / scale);
        var sizes = new int[classes];
        var means = Matrix<double>.Build.Dense(classes, d);
        for (var i = 0; i < n; i++)
        {
            sizes[classOf[i]]++;
            means.SetRow(classOf[i], means.Row(classOf[i]) + x.Row(i));
        }

        for (var c = 0; c < classes; c++)
        {
            means.SetRow(c, means.Row(c) / Math.Max(1, sizes[c]));
        }

        var centre = means.ColumnSums() / classes;
        var between = Matrix<double>.Build.Dense(d, d);
        for (var c = 0; c < classes; c++)
        {
            var v = means.Row(c) - centre;
            between += v.OuterProduct(v);
        }

        between /= classes;
        var within = Matrix<double>.Build.Dense(d, d);
        for (var i = 0; i < n; i++)
        {
            var v = x.Row(i) - means.Row(classOf[i]);
            within += v.OuterProduct(v);
        }

        within = (within / n) + (LidarDelta * Matrix<double>.Build.DenseIdentity(d));
        var evd = within.Evd(Symmetricity.Symmetric);
        var inverseRoot = evd.EigenVectors * Matrix<double>.Build.DiagonalOfDiagonalVector(evd.EigenValues.Map(c => 1 / Math.Sqrt(c.Real))) * evd.EigenVectors.Transpose();
        var lda = inverseRoot * between * inverseRoot;
        var values = (0.5 * (lda + lda.Transpose())).Evd(Symmetricity.Symmetric).EigenValues.Select(c => Math.Max(0, c.Real)).ToArray();
        var total = values.Sum();
        if (!(total > 0))
        {
            return 1;
        }

        double entropy = 0;
        foreach (var value in values)
        {
            var p = (value / total) + LidarEpsilon;
            entropy -= p * Math.Log(p);
        }

        return Math.Exp(entropy);
    }
}
