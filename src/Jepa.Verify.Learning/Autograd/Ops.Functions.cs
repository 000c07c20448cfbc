using Jepa.Verify.Learning.Tensors;

namespace Jepa.Verify.Learning.Autograd;

/// <content>Activations, layer normalisation and the squared-error losses.</content>
public static partial class Ops
{
    /// <summary>ReLU, <c>max(x, 0)</c>; its gradient at 0 is taken as 0 (as in PyTorch).</summary>
    public static Tensor Relu(Tensor x)
    {
        var y = new float[x.Length];
        Kernels.Backend.Max(x.Data, 0f, y);
        return Result(y, x.Shape, [x], g =>
        {
            if (x.RequiresGrad)
            {
                Kernels.Backend.AddWherePositive(x.Data, g, x.EnsureGrad());
            }
        });
    }

    /// <summary>Hyperbolic tangent; gradient <c>1 − tanh²(x)</c>.</summary>
    public static Tensor Tanh(Tensor x)
    {
        var y = new float[x.Length];
        Kernels.Backend.Tanh(x.Data, y);
        return Result(y, x.Shape, [x], g =>
        {
            if (x.RequiresGrad)
            {
                var d = new float[g.Length];
                for (var i = 0; i < d.Length; i++)
                {
                    d[i] = g[i] * (1f - (y[i] * y[i]));
                }

                x.Accumulate(d);
            }
        });
    }

    /// <summary>
    /// Mish, <c>x · tanh(softplus(x))</c> with <c>softplus(x) = ln(1 + eˣ)</c> (taken as x above 20, as PyTorch does).
    /// Gradient: <c>tanh(sp) + x · (1 − tanh²(sp)) · σ(x)</c>.
    /// </summary>
    public static Tensor Mish(Tensor x)
    {
        var y = new float[x.Length];
        var t = new float[x.Length];
        Parallelism.ForRanges(y.Length, ElementChunks(y.Length), (_, from, to) =>
        {
            for (var i = from; i < to; i++)
            {
                var v = x.Data[i];
                t[i] = MathF.Tanh(Softplus(v));
                y[i] = v * t[i];
            }
        });

        return Result(y, x.Shape, [x], g =>
        {
            if (x.RequiresGrad)
            {
                var d = new float[g.Length];
                Parallelism.ForRanges(d.Length, ElementChunks(d.Length), (_, from, to) =>
                {
                    for (var i = from; i < to; i++)
                    {
                        var v = x.Data[i];
                        var sigmoid = 1f / (1f + MathF.Exp(-v));
                        d[i] = g[i] * (t[i] + (v * (1f - (t[i] * t[i])) * sigmoid));
                    }
                });

                x.Accumulate(d);
            }
        });
    }

    /// <summary>
    /// Layer normalisation over the last dimension of <c>x[m×n]</c>:
    /// <c>(x − mean) / √(var + eps) · gamma + beta</c> with the biased variance (as PyTorch).
    /// Row statistics are accumulated in double.
    /// </summary>
    /// <param name="x">The input matrix.</param>
    /// <param name="gamma">Scale per column, or null for 1.</param>
    /// <param name="beta">Shift per column, or null for 0.</param>
    /// <param name="eps">Added to the variance (PyTorch's default 1e-5).</param>
    public static Tensor LayerNorm(Tensor x, Tensor? gamma, Tensor? beta, float eps = 1e-5f)
    {
        RequireMatrix(x, nameof(x));
        int m = x.Rows, n = x.Columns;
        if ((gamma is not null && gamma.Length != n) || (beta is not null && beta.Length != n))
        {
            throw new ArgumentException($"LayerNorm: gamma and beta need {n} elements", nameof(gamma));
        }

        var xhat = new float[x.Length];
        var rstd = new float[m];
        var y = new float[x.Length];
        for (var r = 0; r < m; r++)
        {
            var row = x.Data.AsSpan(r * n, n);
            double sum = 0, sq = 0;
            foreach (var v in row)
            {
                sum += v;
            }

            var mean = sum / n;
            foreach (var v in row)
            {
                sq += (v - mean) * (v - mean);
            }

            rstd[r] = (float)(1.0 / Math.Sqrt((sq / n) + eps));
            for (var c = 0; c < n; c++)
            {
                var h = (float)((row[c] - mean) * rstd[r]);
                xhat[(r * n) + c] = h;
                y[(r * n) + c] = (h * (gamma?.Data[c] ?? 1f)) + (beta?.Data[c] ?? 0f);
            }
        }

        Tensor[] inputs = [x, .. new[] { gamma, beta }.OfType<Tensor>()];
        return Result(y, x.Shape, inputs, g =>
        {
            if (gamma is not null && gamma.RequiresGrad)
            {
                var prod = new float[g.Length];
                Kernels.Backend.Multiply(g, xhat, prod);
                gamma.Accumulate(ColumnSums(prod, m, n));
            }

            if (beta is not null && beta.RequiresGrad)
            {
                beta.Accumulate(ColumnSums(g, m, n));
            }

            if (x.RequiresGrad)
            {
                var dx = new float[x.Length];
                var dh = new float[n];
                for (var r = 0; r < m; r++)
                {
                    var gRow = g.AsSpan(r * n, n);
                    var hRow = xhat.AsSpan(r * n, n);
                    if (gamma is null)
                    {
                        gRow.CopyTo(dh);
                    }
                    else
                    {
                        Kernels.Backend.Multiply(gRow, gamma.Data, dh);
                    }

                    double meanDh = 0, meanDhH = 0;
                    for (var c = 0; c < n; c++)
                    {
                        meanDh += dh[c];
                        meanDhH += dh[c] * hRow[c];
                    }

                    meanDh /= n;
                    meanDhH /= n;
                    for (var c = 0; c < n; c++)
                    {
                        dx[(r * n) + c] = (float)(rstd[r] * (dh[c] - meanDh - (hRow[c] * meanDhH)));
                    }
                }

                x.Accumulate(dx);
            }
        });
    }

    /// <summary>PyTorch's <c>MSELoss</c> (mean reduction): the mean over all elements of <c>(pred − target)²</c>.</summary>
    public static Tensor MseLoss(Tensor pred, Tensor target) => SquaredError(pred, target, pred.Length, "MseLoss");

    /// <summary>
    /// The mean over rows of the squared Euclidean distance, <c>(1/m) Σᵢ ‖predᵢ − targetᵢ‖²</c> —
    /// the form of <c>L_dyn</c> and <c>L_p</c> in DESIGN.md §1. Gradients flow into both arguments.
    /// </summary>
    public static Tensor MeanSquaredDistance(Tensor pred, Tensor target) => SquaredError(pred, target, Math.Max(1, pred.Rows), "MeanSquaredDistance");

    /// <summary>
    /// The soft cross-entropy of <c>logits[B, bins]</c> against the two-hot encodings of <paramref name="targets"/>
    /// (one scalar per row, see <see cref="TwoHotBins"/>), averaged over the rows: <c>−(1/B) Σᵢ Σⱼ tᵢⱼ log softmax(logitsᵢ)ⱼ</c>.
    /// The targets are constants; the gradient into the logits is <c>(softmax − t)/B</c>.
    /// </summary>
    /// <exception cref="ArgumentException">When the logits do not have one column per bin or one row per target.</exception>
    public static Tensor TwoHotCrossEntropy(Tensor logits, ReadOnlySpan<float> targets, TwoHotBins bins)
    {
        RequireMatrix(logits, nameof(logits));
        bins.Validated();
        int rows = logits.Rows, count = logits.Columns;
        if (count != bins.Count || targets.Length != rows)
        {
            throw new ArgumentException($"TwoHotCrossEntropy: logits [{rows}×{count}] need {bins.Count} columns and one row per target ({targets.Length})", nameof(logits));
        }

        var softmax = new float[logits.Length];
        var encoded = new (int Lower, float Upper)[rows];
        double loss = 0;
        for (var r = 0; r < rows; r++)
        {
            var row = logits.Data.AsSpan(r * count, count);
            var p = softmax.AsSpan(r * count, count);
            var logTotal = TwoHotBins.LogSumExp(row);
            for (var j = 0; j < count; j++)
            {
                p[j] = (float)Math.Exp(row[j] - logTotal);
            }

            var (lower, upper) = encoded[r] = bins.Encode(targets[r]);
            loss -= ((1 - upper) * (row[lower] - logTotal)) + (upper * (row[lower + 1] - logTotal));
        }

        return Result([(float)(loss / Math.Max(1, rows))], [], [logits], g =>
        {
            var d = new float[softmax.Length];
            var scale = g[0] / Math.Max(1, rows);
            for (var r = 0; r < rows; r++)
            {
                var (lower, upper) = encoded[r];
                for (var j = 0; j < count; j++)
                {
                    var t = j == lower ? 1 - upper : j == lower + 1 ? upper : 0f;
                    d[(r * count) + j] = (softmax[(r * count) + j] - t) * scale;
                }
            }

            logits.Accumulate(d);
        });
    }

    /// <summary>How many threads an element-wise loop of <paramref name="length"/> elements pays for: all of them from 16,384 on, else one.</summary>
    private static int ElementChunks(int length) => length >= 1 << 14 ? Parallelism.MaxThreads : 1;

    internal static float Softplus(float v) => v > 20f ? v : MathF.Log(1f + MathF.Exp(v));

    private static Tensor SquaredError(Tensor pred, Tensor target, int divisor, string op)
    {
        RequireSameShape(pred, target, op);
        var diff = new float[pred.Length];
        Kernels.Backend.Subtract(pred.Data, target.Data, diff);
        var loss = Kernels.Backend.Dot(diff, diff) / divisor;
        return Result([loss], [], [pred, target], g =>
        {
            var d = new float[diff.Length];
            Kernels.Backend.Multiply(diff, 2f * g[0] / divisor, d);
            pred.Accumulate(d);
            if (target.RequiresGrad)
            {
                Kernels.Backend.Negate(d, d);
                target.Accumulate(d);
            }
        });
    }
}
