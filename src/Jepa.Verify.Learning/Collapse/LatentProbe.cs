namespace Jepa.Verify.Learning.Collapse;

/// <summary>
/// Probes of frozen latents on a train/test split of the observations: a linear probe (multinomial
/// logistic regression) and a nearest-centroid classifier, with the chance level beside each.
/// </summary>
/// <remarks>
/// The linear probe standardises every latent coordinate with the training split's mean and
/// standard deviation (coordinates whose spread is below 1e-12 of the largest are dropped), then
/// runs <see cref="Iterations"/> full-batch gradient steps of size 0.5 on the mean cross-entropy
/// plus <c>1e-3·‖W‖²/2</c>, from zero weights, in double precision. No randomness: the same inputs
/// give the same answer. Targets below 0 mark observations the probe skips.
/// </remarks>
public static class LatentProbe
{
    /// <summary>Gradient steps of the linear probe.</summary>
    public const int Iterations = 500;

    private const double StepSize = 0.5;
    private const double L2 = 1e-3;

    /// <summary>A seeded split of <c>0 … n−1</c>: a shuffled <paramref name="testFraction"/> for testing, the rest for training (both sorted).</summary>
    /// <exception cref="ArgumentOutOfRangeException">When <paramref name="testFraction"/> is not in (0, 1).</exception>
    public static (int[] Train, int[] Test) Split(int n, double testFraction, ulong seed)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(n);
        if (!(testFraction is > 0 and < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(testFraction), testFraction, "must be in (0, 1)");
        }

        var order = Enumerable.Range(0, n).ToArray();
        new Tensors.SeededRandom(seed).Shuffle(order.AsSpan());
        var testCount = (int)Math.Round(n * testFraction);
        return ([.. order[testCount..].Order()], [.. order[..testCount].Order()]);
    }

    /// <summary>Trains a linear probe on the training split and scores it on the test split.</summary>
    /// <param name="latents">Row-major <c>n × dim</c> latents.</param>
    /// <param name="dim">Latent dimension.</param>
    /// <param name="targets">A class index per observation, or −1 to skip it.</param>
    /// <param name="train">Training observations.</param>
    /// <param name="test">Test observations.</param>
    /// <returns>The accuracy and chance, or null when the training split has fewer than 2 classes or either split is empty.</returns>
    public static ProbeResult? Linear(ReadOnlySpan<float> latents, int dim, IReadOnlyList<int> targets, IReadOnlyList<int> train, IReadOnlyList<int> test)
    {
        var (trainSet, testSet, classes) = Usable(targets, train, test);
        if (classes.Length < 2 || testSet.Length == 0)
        {
            return null;
        }

        var k = classes.Length;
        var classOf = classes.Select((c, i) => (c, i)).ToDictionary(p => p.c, p => p.i);
        var (x, kept) = Standardise(latents, dim, trainSet, testSet);
        var w = new double[kept * k];
        var b = new double[k];
        var p = new double[k];
        var gw = new double[w.Length];
        var gb = new double[k];
        for (var it = 0; it < Iterations; it++)
        {
            Array.Clear(gw);
            Array.Clear(gb);
            foreach (var o in trainSet)
            {
                Softmax(x[o], w, b, p);
                p[classOf[targets[o]]] -= 1;
                for (var c = 0; c < k; c++)
                {
                    gb[c] += p[c];
                    for (var j = 0; j < kept; j++)
                    {
                        gw[(j * k) + c] += x[o][j] * p[c];
                    }
                }
            }

            for (var i = 0; i < w.Length; i++)
            {
                w[i] -= StepSize * ((gw[i] / trainSet.Length) + (L2 * w[i]));
            }

            for (var c = 0; c < k; c++)
            {
                b[c] -= StepSize * gb[c] / trainSet.Length;
            }
        }

        var correct = testSet.Count(o =>
        {
            Softmax(x[o], w, b, p);
            return classes[ArgMax(p)] == targets[o];
        });
        return Result(correct, targets, trainSet, testSet, classes);
    }

    /// <summary>Classifies each test observation by the nearest class centroid of the training split (Euclidean, raw latents).</summary>
    /// <returns>The accuracy and chance, or null when the training split has fewer than 2 classes or either split is empty.</returns>
    public static ProbeResult? NearestCentroid(ReadOnlySpan<float> latents, int dim, IReadOnlyList<int> targets, IReadOnlyList<int> train, IReadOnlyList<int> test)
    {
        var (trainSet, testSet, classes) = Usable(targets, train, test);
        if (classes.Length < 2 || testSet.Length == 0)
        {
            return null;
        }

        var centroids = new double[classes.Length * dim];
        var counts = new int[classes.Length];
        var classOf = classes.Select((c, i) => (c, i)).ToDictionary(p => p.c, p => p.i);
        foreach (var o in trainSet)
        {
            var c = classOf[targets[o]];
            counts[c]++;
            for (var j = 0; j < dim; j++)
            {
                centroids[(c * dim) + j] += latents[(o * dim) + j];
            }
        }

        for (var c = 0; c < classes.Length; c++)
        {
            for (var j = 0; j < dim; j++)
            {
                centroids[(c * dim) + j] /= counts[c];
            }
        }

        var correct = 0;
        foreach (var o in testSet)
        {
            var (best, bestDistance) = (0, double.PositiveInfinity);
            for (var c = 0; c < classes.Length; c++)
            {
                double d = 0;
                for (var j = 0; j < dim; j++)
                {
                    var diff = latents[(o * dim) + j] - centroids[(c * dim) + j];
                    d += diff * diff;
                }

                if (d < bestDistance)
                {
                    (best, bestDistance) = (c, d);
                }
            }

            correct += classes[best] == targets[o] ? 1 : 0;
        }

        return Result(correct, targets, trainSet, testSet, classes);
    }

    private static (int[] Train, int[] Test, int[] Classes) Usable(IReadOnlyList<int> targets, IReadOnlyList<int> train, IReadOnlyList<int> test)
    {
        ArgumentNullException.ThrowIfNull(targets);
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(test);
        int[] trainSet = [.. train.Where(o => targets[o] >= 0)];
        int[] testSet = [.. test.Where(o => targets[o] >= 0)];
        return (trainSet, testSet, [.. trainSet.Select(o => targets[o]).Distinct().Order()]);
    }

    private static ProbeResult Result(int correct, IReadOnlyList<int> targets, int[] train, int[] test, int[] classes)
    {
        // The majority class of the training split (smallest index on ties), scored on the test split.
        var majority = train.GroupBy(o => targets[o]).OrderByDescending(g => g.Count()).ThenBy(g => g.Key).First().Key;
        var chance = test.Count(o => targets[o] == majority) / (double)test.Length;
        return new ProbeResult(correct / (double)test.Length, chance, classes.Length, train.Length, test.Length);
    }

    private static (double[][] Rows, int Kept) Standardise(ReadOnlySpan<float> latents, int dim, int[] train, int[] test)
    {
        var (mean, sd) = MeanAndDeviation(latents, dim, train);
        var largest = sd.Max();
        int[] keep = [.. Enumerable.Range(0, dim).Where(j => sd[j] > 1e-12 * largest && sd[j] > 0)];
        var rows = new double[latents.Length / dim][];
        foreach (var o in train.Concat(test))
        {
            var row = new double[keep.Length];
            for (var i = 0; i < keep.Length; i++)
            {
                row[i] = (latents[(o * dim) + keep[i]] - mean[keep[i]]) / sd[keep[i]];
            }

            rows[o] = row;
        }

        return (rows, keep.Length);
    }

    /// <summary>
    /// Each latent coordinate's mean and (population) standard deviation over the given rows: what a probe standardises
    /// with (this one, and <see cref="DecoderProbe"/>).
    /// </summary>
    internal static (double[] Mean, double[] Deviation) MeanAndDeviation(ReadOnlySpan<float> latents, int dim, IReadOnlyList<int> rows)
    {
        var mean = new double[dim];
        var sd = new double[dim];
        foreach (var o in rows)
        {
            for (var j = 0; j < dim; j++)
            {
                mean[j] += latents[(o * dim) + j];
            }
        }

        for (var j = 0; j < dim; j++)
        {
            mean[j] /= rows.Count;
        }

        foreach (var o in rows)
        {
            for (var j = 0; j < dim; j++)
            {
                var d = latents[(o * dim) + j] - mean[j];
                sd[j] += d * d;
            }
        }

        for (var j = 0; j < dim; j++)
        {
            sd[j] = Math.Sqrt(sd[j] / rows.Count);
        }

        return (mean, sd);
    }

    private static void Softmax(double[] x, double[] w, double[] b, double[] p)
    {
        var k = b.Length;
        var max = double.NegativeInfinity;
        for (var c = 0; c < k; c++)
        {
            var s = b[c];
            for (var j = 0; j < x.Length; j++)
            {
                s += x[j] * w[(j * k) + c];
            }

            p[c] = s;
            max = Math.Max(max, s);
        }

        double total = 0;
        for (var c = 0; c < k; c++)
        {
            p[c] = Math.Exp(p[c] - max);
            total += p[c];
        }

        for (var c = 0; c < k; c++)
        {
            p[c] /= total;
        }
    }

    private static int ArgMax(double[] p)
    {
        var best = 0;
        for (var c = 1; c < p.Length; c++)
        {
            best = p[c] > p[best] ? c : best;
        }

        return best;
    }
}
