using Jepa.Verify.Learning.Tensors;

namespace Jepa.Verify.Learning.Optimizers;

/// <summary>
/// Adam as <c>torch.optim.Adam</c> (or <c>AdamW</c> when <see cref="DecoupledWeightDecay"/>):
/// <c>g = ∇ + λ·p</c> (coupled) or <c>p ← p·(1 − lr·λ)</c> (decoupled);
/// <c>m = β₁m + (1−β₁)g</c>, <c>v = β₂v + (1−β₂)g²</c>,
/// <c>p ← p − lr · (m / (1−β₁ᵗ)) / (√(v / (1−β₂ᵗ)) + ε)</c>.
/// </summary>
public sealed class Adam : Optimizer
{
    private readonly float[]?[] m;
    private readonly float[]?[] v;
    private readonly int[] steps;

    /// <summary>Adam over <paramref name="parameters"/>.</summary>
    /// <param name="parameters">The tensors to update.</param>
    /// <param name="learningRate">lr &gt; 0 (PyTorch's default is 1e-3).</param>
    /// <param name="beta1">β₁ in [0, 1).</param>
    /// <param name="beta2">β₂ in [0, 1).</param>
    /// <param name="eps">ε &gt; 0.</param>
    /// <param name="weightDecay">λ ≥ 0.</param>
    /// <param name="decoupledWeightDecay">Decay the weights directly (AdamW) instead of adding λ·p to the gradient.</param>
    public Adam(IEnumerable<Tensor> parameters, float learningRate = 1e-3f, float beta1 = 0.9f, float beta2 = 0.999f,
        float eps = 1e-8f, float weightDecay = 0f, bool decoupledWeightDecay = false)
        : base(parameters, learningRate)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(beta1);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(beta1, 1f);
        ArgumentOutOfRangeException.ThrowIfNegative(beta2);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(beta2, 1f);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(eps);
        ArgumentOutOfRangeException.ThrowIfNegative(weightDecay);
        Beta1 = beta1;
        Beta2 = beta2;
        Eps = eps;
        WeightDecay = weightDecay;
        DecoupledWeightDecay = decoupledWeightDecay;
        m = new float[]?[Parameters.Count];
        v = new float[]?[Parameters.Count];
        steps = new int[Parameters.Count];
    }

    /// <summary>β₁.</summary>
    public float Beta1 { get; }

    /// <summary>β₂.</summary>
    public float Beta2 { get; }

    /// <summary>ε.</summary>
    public float Eps { get; }

    /// <summary>λ.</summary>
    public float WeightDecay { get; }

    /// <summary>Whether the decay is AdamW's (decoupled) rather than an L2 term in the gradient.</summary>
    public bool DecoupledWeightDecay { get; }

    /// <inheritdoc />
    protected override void Update(int index, Span<float> parameter, ReadOnlySpan<float> gradient)
    {
        var mi = m[index] ??= new float[parameter.Length];
        var vi = v[index] ??= new float[parameter.Length];
        var t = ++steps[index];
        var correction1 = 1.0 - Math.Pow(Beta1, t);
        var correction2 = 1.0 - Math.Pow(Beta2, t);
        var lr = LearningRateOf(index);
        var stepSize = (float)(lr / correction1);
        var sqrtCorrection2 = (float)Math.Sqrt(correction2);
        var (b1, b2, eps) = (Beta1, Beta2, Eps);
        var decay = WeightDecay > 0f && !DecoupledWeightDecay ? WeightDecay : 0f;
        if (WeightDecay > 0f && DecoupledWeightDecay)
        {
            Kernels.Backend.Multiply(parameter, 1f - (lr * WeightDecay), parameter);
        }

        Kernels.Backend.AdamStep(parameter, gradient, mi, vi, stepSize, sqrtCorrection2, b1, b2, eps, decay);
    }
}
