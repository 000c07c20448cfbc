using Jepa.Verify.Learning.Tensors;

namespace Jepa.Verify.Learning.Optimizers;

/// <summary>
/// Stochastic gradient descent as <c>torch.optim.SGD</c>: <c>g = ∇ + λ·p</c>; with momentum μ,
/// <c>b = g</c> on the first step and <c>b = μ·b + g</c> after; <c>p ← p − lr·b</c> (lr·g without momentum).
/// </summary>
public sealed class Sgd : Optimizer
{
    private readonly float[]?[] buffers;

    /// <summary>SGD over <paramref name="parameters"/>.</summary>
    /// <param name="parameters">The tensors to update.</param>
    /// <param name="learningRate">lr &gt; 0.</param>
    /// <param name="momentum">μ in [0, 1) (0 = none).</param>
    /// <param name="weightDecay">λ ≥ 0, an L2 penalty added to the gradient.</param>
    public Sgd(IEnumerable<Tensor> parameters, float learningRate, float momentum = 0f, float weightDecay = 0f)
        : base(parameters, learningRate)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(momentum);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(momentum, 1f);
        ArgumentOutOfRangeException.ThrowIfNegative(weightDecay);
        Momentum = momentum;
        WeightDecay = weightDecay;
        buffers = new float[]?[Parameters.Count];
    }

    /// <summary>μ.</summary>
    public float Momentum { get; }

    /// <summary>λ.</summary>
    public float WeightDecay { get; }

    /// <inheritdoc />
    protected override void Update(int index, Span<float> parameter, ReadOnlySpan<float> gradient)
    {
        var first = buffers[index] is null;
        var buffer = buffers[index] ??= new float[parameter.Length];
        var lr = LearningRateOf(index);
        for (var i = 0; i < parameter.Length; i++)
        {
            var g = gradient[i] + (WeightDecay * parameter[i]);
            if (Momentum > 0f)
            {
                buffer[i] = first ? g : (Momentum * buffer[i]) + g;
                g = buffer[i];
            }

            parameter[i] -= lr * g;
        }
    }
}
