using System.Collections.Immutable;
using Jepa.Verify.Learning.Modules;

namespace Jepa.Verify.Learning.Certify;

/// <summary>
/// One layer of a <see cref="HeadChain"/>: an affine map <c>y = W·x + b</c> (<see cref="Weight"/> row-major
/// <c>[outputs × inputs]</c>), an element-wise activation, or a layer normalisation.
/// </summary>
/// <param name="Kind">Which of the three.</param>
/// <param name="Inputs">Input width.</param>
/// <param name="Outputs">Output width.</param>
/// <param name="Weight">Affine: the weights; LayerNorm: the scale γ; otherwise empty.</param>
/// <param name="Bias">Affine: the bias (or zeros); LayerNorm: the shift β; otherwise empty.</param>
/// <param name="Activation">The activation, for <see cref="HeadLayerKind.Activation"/>.</param>
/// <param name="Eps">LayerNorm's variance epsilon.</param>
/// <param name="Alpha">The activation's parameter: LeakyReLU's negative slope, ELU's α; otherwise 0.</param>
public sealed record HeadLayer(HeadLayerKind Kind, int Inputs, int Outputs, ImmutableArray<double> Weight, ImmutableArray<double> Bias, HeadActivation Activation = HeadActivation.Relu, double Eps = 0, double Alpha = 0)
{
    /// <summary>An affine layer from row-major weights <c>[outputs × inputs]</c> and a bias (null for none).</summary>
    public static HeadLayer Affine(int inputs, int outputs, IReadOnlyList<double> weight, IReadOnlyList<double>? bias = null)
    {
        ArgumentNullException.ThrowIfNull(weight);
        if (weight.Count != inputs * outputs || (bias is not null && bias.Count != outputs))
        {
            throw new ArgumentException($"an affine layer {inputs} → {outputs} needs {inputs * outputs} weights and {outputs} biases, got {weight.Count} and {bias?.Count}");
        }

        return new HeadLayer(HeadLayerKind.Affine, inputs, outputs, [.. weight], bias is null ? [.. new double[outputs]] : [.. bias]);
    }

    /// <summary>An element-wise activation over <paramref name="width"/> values (<paramref name="alpha"/>: LeakyReLU's negative slope, ELU's α).</summary>
    public static HeadLayer Elementwise(int width, HeadActivation activation, double alpha = 0) => new(HeadLayerKind.Activation, width, width, [], [], activation, Alpha: alpha);

    /// <summary>An element-wise activation of our own models over <paramref name="width"/> values.</summary>
    public static HeadLayer Elementwise(int width, ActivationKind activation) => Elementwise(width, activation switch
    {
        ActivationKind.Relu => HeadActivation.Relu,
        ActivationKind.Tanh => HeadActivation.Tanh,
        ActivationKind.Mish => HeadActivation.Mish,
        _ => throw new ArgumentOutOfRangeException(nameof(activation), activation, "unknown activation"),
    });

    /// <summary>A two-hot head's decoding: the softmax of its inputs (logits over the bins) times the bin values <paramref name="bins"/>, summed.</summary>
    public static HeadLayer SoftmaxExpectation(IReadOnlyList<double> bins)
    {
        ArgumentNullException.ThrowIfNull(bins);
        if (bins.Count < 2 || bins.Any(b => !double.IsFinite(b)))
        {
            throw new ArgumentException("a softmax expectation needs at least 2 finite bin values", nameof(bins));
        }

        return new HeadLayer(HeadLayerKind.SoftmaxExpectation, bins.Count, 1, [.. bins], []);
    }

    /// <summary>A layer normalisation with scale <paramref name="gamma"/>, shift <paramref name="beta"/> and epsilon <paramref name="eps"/> (&gt; 0).</summary>
    public static HeadLayer Normalise(IReadOnlyList<double> gamma, IReadOnlyList<double> beta, double eps)
    {
        ArgumentNullException.ThrowIfNull(gamma);
        ArgumentNullException.ThrowIfNull(beta);
        return new HeadLayer(HeadLayerKind.LayerNorm, gamma.Count, gamma.Count, [.. gamma], [.. beta], Eps: eps);
    }
}
