using Jepa.Verify.Learning.Autograd;
using Jepa.Verify.Learning.Tensors;

namespace Jepa.Verify.Properties.Learning;

/// <summary>
/// Compares back-propagated gradients with central finite differences of the scalar
/// <c>L = Σ w ⊙ f(inputs)</c> for fixed random weights w.
/// </summary>
/// <remarks>
/// The engine computes in float32, so the check does too, with the step h = 1e-2 and the tolerance
/// |analytic − numeric| ≤ 2e-3 + 2e-2·max(|analytic|, |numeric|). Justification: the rounding error
/// of L is about 6e-8 per term, a few e-6 for the ≤ 100 terms here, divided by 2h that is ≤ 1e-3;
/// the truncation error is h²/6·|f'''| ≈ 2e-5·|f'''|, well inside the relative term for these smooth
/// functions. Inputs of ReLU are kept at least 0.1 away from its kink (larger than h).
/// A wrong gradient (a dropped term, a transposed product, a wrong sign) misses by O(1).
/// </remarks>
internal static class GradCheck
{
    private const float H = 1e-2f;

    /// <summary>Null when every gradient matches, else a description of the first mismatch.</summary>
    /// <param name="f">The function of the inputs.</param>
    /// <param name="inputs">Its inputs (all get gradients).</param>
    /// <param name="seed">Seeds the weights w.</param>
    /// <param name="step">The finite-difference step: 1e-2 (see the remarks); 1e-3 for a deep chain with max pooling, where
    /// a larger step can change which element of a window is largest (the rounding error, ~5e-4·|L|, stays inside the tolerance).</param>
    public static string? Mismatch(Func<Tensor[], Tensor> f, Tensor[] inputs, ulong seed, float step = H)
    {
        foreach (var t in inputs)
        {
            t.RequiresGrad = true;
            t.ZeroGrad();
        }

        var random = new SeededRandom(seed);
        var y = f(inputs);
        var weights = new float[y.Length];
        for (var i = 0; i < weights.Length; i++)
        {
            weights[i] = random.NextFloat(-1f, 1f);
        }

        var w = Tensor.FromArray(weights, [.. y.Shape]);
        Ops.Sum(Ops.Mul(y, w)).Backward();
        for (var k = 0; k < inputs.Length; k++)
        {
            var x = inputs[k];
            var analytic = x.Grad?.ToArray() ?? new float[x.Length];
            for (var j = 0; j < x.Length; j++)
            {
                var keep = x.Data[j];
                x.Data[j] = keep + step;
                var plus = Project(f, inputs, weights);
                x.Data[j] = keep - step;
                var minus = Project(f, inputs, weights);
                x.Data[j] = keep;
                var numeric = (plus - minus) / (2 * step);
                var a = analytic[j];
                if (!(Math.Abs(a - numeric) <= 2e-3 + (2e-2 * Math.Max(Math.Abs(a), Math.Abs(numeric)))))
                {
                    return $"input {k} [{string.Join("×", x.Shape)}] element {j}: analytic {a}, numeric {numeric}";
                }
            }
        }

        return null;
    }

    /// <summary>Uniform values in [−1, 1], or at least 0.1 away from 0 when <paramref name="awayFromZero"/>.</summary>
    public static Tensor Random(SeededRandom random, bool awayFromZero, params int[] shape)
    {
        var values = new float[shape.Aggregate(1, (a, b) => a * b)];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = awayFromZero
                ? random.NextFloat(0.1f, 1f) * (random.NextInt(2) == 0 ? -1 : 1)
                : random.NextFloat(-1f, 1f);
        }

        return Tensor.FromArray(values, shape);
    }

    private static double Project(Func<Tensor[], Tensor> f, Tensor[] inputs, float[] weights)
    {
        using var _ = GradMode.NoGrad();
        var y = f(inputs);
        double s = 0;
        for (var i = 0; i < y.Length; i++)
        {
            s += (double)y.Data[i] * weights[i];
        }

        return s;
    }
}
