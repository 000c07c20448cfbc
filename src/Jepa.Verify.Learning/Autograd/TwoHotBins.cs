using Jepa.Verify.Learning.Tensors;

namespace Jepa.Verify.Learning.Autograd;

/// <summary>
/// The discrete regression target of TD-MPC2's reward head (the paper's reference code): a scalar is mapped by
/// <see cref="Symlog"/> onto <paramref name="Count"/> evenly spaced bins on [<paramref name="Min"/>, <paramref name="Max"/>]
/// and spread over its two nearest bins ("two-hot"); the head predicts logits over the bins and is trained by soft
/// cross-entropy (<see cref="Ops.TwoHotCrossEntropy"/>); its prediction is <see cref="Symexp"/> of the expected bin.
/// </summary>
/// <param name="Count">Number of bins, at least 2 (the reference: 101).</param>
/// <param name="Min">The lowest bin, in symlog units (the reference: −10).</param>
/// <param name="Max">The highest bin, in symlog units (the reference: 10).</param>
public sealed record TwoHotBins(int Count = 101, float Min = -10f, float Max = 10f)
{
    /// <summary>The distance between neighbouring bins, in symlog units.</summary>
    public float Spacing => (Max - Min) / (Count - 1);

    /// <summary>What is wrong with the parameters (fewer than 2 bins, an empty or infinite range), or null.</summary>
    public string? Problem() =>
        Count >= 2 && float.IsFinite(Min) && float.IsFinite(Max) && Max > Min
            ? null
            : $"two-hot bins need at least 2 bins and a finite range min < max, got {Count} bins on [{Min}, {Max}]";

    /// <summary>Checks the parameters.</summary>
    /// <exception cref="ArgumentException">When <see cref="Problem"/> finds one.</exception>
    public TwoHotBins Validated() => Problem() is { } problem ? throw new ArgumentException(problem) : this;

    /// <summary>
    /// The KL divergence of the head's distribution (softmax of <paramref name="logits"/>) from the two-hot encoding of
    /// <paramref name="target"/>: the soft cross-entropy minus the target's entropy, so 0 exactly when the head puts the
    /// target's two weights on its two bins (the cross-entropy alone never reaches 0 between bins). In double.
    /// </summary>
    public double Divergence(ReadOnlySpan<float> logits, float target)
    {
        if (logits.Length != Count)
        {
            throw new ArgumentException($"expected {Count} logits, got {logits.Length}", nameof(logits));
        }

        var logTotal = LogSumExp(logits);
        var (lower, upper) = Encode(target);
        double Term(double weight, float logit) => weight > 0 ? weight * (Math.Log(weight) - (logit - logTotal)) : 0;
        return Math.Max(0, Term(1 - upper, logits[lower]) + Term(upper, logits[lower + 1]));
    }

    /// <summary>The bins' values in symlog units, lowest first: <c>Min + i·Spacing</c> in float, as <see cref="Decode"/> weighs them.</summary>
    public double[] Values() => [.. Enumerable.Range(0, Count).Select(i => (double)(Min + (i * Spacing)))];

    /// <summary>What a two-hot head's expected bin predicts of the aux value <paramref name="aux"/>: clamp(symlog(aux), min, max), in double.</summary>
    public double Target(double aux) => Math.Clamp(Math.Sign(aux) * Math.Log(1 + Math.Abs(aux)), Min, Max);

    /// <summary><c>sign(x)·ln(1 + |x|)</c>: compresses large magnitudes, the identity's slope at 0.</summary>
    public static float Symlog(float x) => MathF.Sign(x) * MathF.Log(1f + MathF.Abs(x));

    /// <summary>The inverse of <see cref="Symlog"/>: <c>sign(y)·(e^|y| − 1)</c>.</summary>
    public static float Symexp(float y) => MathF.Sign(y) * (MathF.Exp(MathF.Abs(y)) - 1f);

    /// <summary>
    /// The two bins <paramref name="value"/> is spread over and the weight of the upper one: symlog(value), clamped to the
    /// range, lies at <c>Lower + UpperWeight</c> bins from <see cref="Min"/>.
    /// </summary>
    public (int Lower, float UpperWeight) Encode(float value)
    {
        var y = Math.Clamp(Symlog(value), Min, Max);
        var position = (y - Min) / Spacing;
        var lower = Math.Min((int)MathF.Floor(position), Count - 2);
        return (lower, Math.Clamp(position - lower, 0f, 1f));
    }

    /// <summary>The scalar a head predicts from its logits over the bins: symexp of the softmax-weighted mean bin.</summary>
    public float Decode(ReadOnlySpan<float> logits)
    {
        if (logits.Length != Count)
        {
            throw new ArgumentException($"expected {Count} logits, got {logits.Length}", nameof(logits));
        }

        var max = Kernels.Backend.Max(logits);
        double total = 0, weighted = 0;
        for (var i = 0; i < Count; i++)
        {
            var p = Math.Exp(logits[i] - max);
            total += p;
            weighted += p * (Min + (i * Spacing));
        }

        return Symexp((float)(weighted / total));
    }

    /// <summary><c>log Σ exp(logits)</c>, shifted by the largest logit so that no term overflows; summed in double.</summary>
    internal static double LogSumExp(ReadOnlySpan<float> logits)
    {
        var max = Kernels.Backend.Max(logits);
        double total = 0;
        foreach (var logit in logits)
        {
            total += Math.Exp(logit - max);
        }

        return max + Math.Log(total);
    }
}
