using Jepa.Verify.Learning.Tensors;

namespace Jepa.Verify.Learning.Collapse;

/// <summary>
/// Exact t-SNE (van der Maaten and Hinton, 2008) to two dimensions, for figures of latents coloured by a label:
/// the paper's reference plots its latents this way (perplexity 30).
/// </summary>
/// <remarks>
/// <para>
/// Written here because no .NET package served to this project does t-SNE. It follows the exact method of the
/// paper and of scikit-learn's <c>method="exact"</c>: per-point Gaussian affinities whose precision is found by
/// bisection so that each conditional distribution has the requested perplexity, symmetrised; a Student-t kernel
/// in the embedding; gradient descent on KL(P‖Q) with early exaggeration 12 for the first 250 iterations,
/// momentum 0.5 then 0.8, per-coordinate adaptive gains, and the learning rate max(n / 48, 50) ("auto").
/// The initial layout is Gaussian with standard deviation 1e-4, from the seed.
/// </para>
/// <para>
/// Cost: O(n²) memory and O(n²) time per iteration, so it is meant for up to a few thousand points (2,000 points:
/// 32 MB of affinities). Everything runs in double precision in a fixed order: the same points and seed give the
/// same embedding.
/// </para>
/// </remarks>
public static class Tsne
{
    private const int ExaggeratedIterations = 250;
    private const double Exaggeration = 12;

    /// <summary>Embeds <paramref name="points"/> (one row each, all of the same length) in the plane.</summary>
    /// <param name="points">At least 2 points with finite coordinates.</param>
    /// <param name="perplexity">The effective number of neighbours, 1 ≤ perplexity &lt; number of points (the reference: 30).</param>
    /// <param name="seed">Seeds the initial layout.</param>
    /// <param name="iterations">Gradient steps (at least 251; scikit-learn's default is 1,000).</param>
    /// <returns>The coordinates, <c>[n, 2]</c>, centred, and the final Kullback–Leibler divergence.</returns>
    /// <exception cref="ArgumentException">On too few points, ragged or non-finite rows, or a perplexity out of range.</exception>
    public static (double[,] Embedding, double Divergence) Embed(IReadOnlyList<float[]> points, double perplexity = 30, ulong seed = 0, int iterations = 1000)
    {
        ArgumentNullException.ThrowIfNull(points);
        var n = points.Count;
        if (n < 2 || points.Any(p => p.Length != points[0].Length || p.Any(v => !float.IsFinite(v))))
        {
            throw new ArgumentException("t-SNE needs at least 2 points of the same length with finite coordinates", nameof(points));
        }

        if (!(perplexity >= 1) || perplexity >= n)
        {
            throw new ArgumentException($"the perplexity must be at least 1 and below the number of points ({n}), got {perplexity}", nameof(perplexity));
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(iterations, ExaggeratedIterations + 1);
        var p = Affinities(SquaredDistances(points), perplexity);
        var random = new SeededRandom(seed);
        var y = new double[n, 2];
        for (var i = 0; i < n; i++)
        {
            y[i, 0] = 1e-4 * random.NextGaussian();
            y[i, 1] = 1e-4 * random.NextGaussian();
        }

        var rate = Math.Max(n / Exaggeration / 4, 50);
        var update = new double[n, 2];
        var gains = new double[n, 2];
        for (var i = 0; i < n; i++)
        {
            gains[i, 0] = gains[i, 1] = 1;
        }

        var num = new double[n * n];
        var grad = new double[n, 2];
        for (var it = 0; it < iterations; it++)
        {
            var exaggeration = it < ExaggeratedIterations ? Exaggeration : 1;
            var momentum = it < ExaggeratedIterations ? 0.5 : 0.8;
            var total = Kernel(y, num);
            Array.Clear(grad);
            for (var i = 0; i < n; i++)
            {
                for (var j = 0; j < n; j++)
                {
                    if (i != j)
                    {
                        var k = num[(i * n) + j];
                        var f = 4 * ((exaggeration * p[(i * n) + j]) - (k / total)) * k;
                        grad[i, 0] += f * (y[i, 0] - y[j, 0]);
                        grad[i, 1] += f * (y[i, 1] - y[j, 1]);
                    }
                }
            }

            for (var i = 0; i < n; i++)
            {
                for (var d = 0; d < 2; d++)
                {
                    gains[i, d] = update[i, d] * grad[i, d] < 0 ? gains[i, d] + 0.2 : Math.Max(gains[i, d] * 0.8, 0.01);
                    update[i, d] = (momentum * update[i, d]) - (rate * gains[i, d] * grad[i, d]);
                    y[i, d] += update[i, d];
                }
            }

            Centre(y);
        }

        var z = Kernel(y, num);
        double divergence = 0;
        for (var i = 0; i < n * n; i++)
        {
            if (i / n != i % n)
            {
                divergence += p[i] * Math.Log(p[i] / Math.Max(num[i] / z, 1e-300));
            }
        }

        return (y, divergence);
    }

    /// <summary>
    /// The symmetrised affinities <c>p_ij = (p_j|i + p_i|j) / 2n</c> (at least 1e-12), row-major <c>[n·n]</c>, where each
    /// <c>p_·|i</c> is a Gaussian around point i whose precision is bisected (to 1e-5 in entropy, at most 100 steps)
    /// so that its entropy is ln(perplexity).
    /// </summary>
    internal static double[] Affinities(double[] distances, double perplexity)
    {
        var n = (int)Math.Round(Math.Sqrt(distances.Length));
        var conditional = Conditionals(distances, perplexity);
        var p = new double[n * n];
        for (var i = 0; i < n; i++)
        {
            for (var j = 0; j < n; j++)
            {
                p[(i * n) + j] = Math.Max((conditional[(i * n) + j] + conditional[(j * n) + i]) / (2.0 * n), 1e-12);
            }
        }

        return p;
    }

    /// <summary>The conditional distributions <c>p_j|i</c>, row i for point i, each bisected to entropy ln(perplexity).</summary>
    internal static double[] Conditionals(double[] distances, double perplexity)
    {
        var n = (int)Math.Round(Math.Sqrt(distances.Length));
        var target = Math.Log(perplexity);
        var conditional = new double[n * n];
        for (var i = 0; i < n; i++)
        {
            double beta = 1, low = double.NegativeInfinity, high = double.PositiveInfinity;
            var row = conditional.AsSpan(i * n, n);
            for (var step = 0; step < 100; step++)
            {
                var entropy = Conditional(distances.AsSpan(i * n, n), i, beta, row);
                if (Math.Abs(entropy - target) < 1e-5)
                {
                    break;
                }

                if (entropy > target)
                {
                    low = beta;
                    beta = double.IsPositiveInfinity(high) ? beta * 2 : (beta + high) / 2;
                }
                else
                {
                    high = beta;
                    beta = double.IsNegativeInfinity(low) ? beta / 2 : (beta + low) / 2;
                }
            }
        }

        return conditional;
    }

    /// <summary>Fills <paramref name="row"/> with <c>p_j|i ∝ exp(−β d_ij)</c> (0 at j = i) and returns its entropy in nats.</summary>
    private static double Conditional(ReadOnlySpan<double> distances, int i, double beta, Span<double> row)
    {
        // Shifted by the smallest distance to another point, so that far-away points do not underflow to an all-zero row.
        var nearest = double.PositiveInfinity;
        for (var j = 0; j < distances.Length; j++)
        {
            if (j != i)
            {
                nearest = Math.Min(nearest, distances[j]);
            }
        }

        double sum = 0, weighted = 0;
        for (var j = 0; j < distances.Length; j++)
        {
            row[j] = j == i ? 0 : Math.Exp(-beta * (distances[j] - nearest));
            sum += row[j];
            weighted += row[j] * (distances[j] - nearest);
        }

        for (var j = 0; j < distances.Length; j++)
        {
            row[j] /= sum;
        }

        return Math.Log(sum) + (beta * weighted / sum);
    }

    private static double[] SquaredDistances(IReadOnlyList<float[]> points)
    {
        var n = points.Count;
        var d = new double[n * n];
        for (var i = 0; i < n; i++)
        {
            for (var j = i + 1; j < n; j++)
            {
                double s = 0;
                for (var k = 0; k < points[i].Length; k++)
                {
                    var diff = (double)points[i][k] - points[j][k];
                    s += diff * diff;
                }

                d[(i * n) + j] = d[(j * n) + i] = s;
            }
        }

        return d;
    }

    /// <summary>Fills <paramref name="num"/> with the Student-t kernel <c>1 / (1 + ‖yᵢ − yⱼ‖²)</c> (0 on the diagonal) and returns its sum.</summary>
    private static double Kernel(double[,] y, double[] num)
    {
        var n = y.GetLength(0);
        double total = 0;
        for (var i = 0; i < n; i++)
        {
            num[(i * n) + i] = 0;
            for (var j = i + 1; j < n; j++)
            {
                var dx = y[i, 0] - y[j, 0];
                var dy = y[i, 1] - y[j, 1];
                var k = 1 / (1 + (dx * dx) + (dy * dy));
                num[(i * n) + j] = num[(j * n) + i] = k;
                total += 2 * k;
            }
        }

        return total;
    }

    private static void Centre(double[,] y)
    {
        var n = y.GetLength(0);
        for (var d = 0; d < 2; d++)
        {
            double mean = 0;
            for (var i = 0; i < n; i++)
            {
                mean += y[i, d];
            }

            mean /= n;
            for (var i = 0; i < n; i++)
            {
                y[i, d] -= mean;
            }
        }
    }
}
