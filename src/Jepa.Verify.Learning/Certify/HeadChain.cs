using System.Collections.Immutable;
using Jepa.Verify.Learning.Modules;
using MathNet.Numerics.LinearAlgebra;

namespace Jepa.Verify.Learning.Certify;

/// <summary>
/// A head (the latent transition <c>T̂</c> or the aux head <c>P̂</c>) as a chain of affine maps, element-wise
/// activations and layer normalisations, evaluated in double precision, with a sound upper bound on its Lipschitz
/// constant (2-norm): what the certificate (<see cref="Certificate"/>) needs of a model.
/// </summary>
/// <remarks>
/// <para>
/// The certificate measures its residuals with this double-precision evaluation, not the float32 forward pass, so
/// that the function whose Lipschitz constant is bounded is the function whose residuals are measured (a float32
/// pass differs from the real-arithmetic function by about 1e-7 relative, far more than the 1e-12 margins below).
/// </para>
/// <para>
/// Lipschitz constants: an affine layer contributes the spectral norm of its weights (only the first
/// <c>inputColumns</c> columns for the first layer: the transition's one-hot action columns are constant for a fixed
/// action); activations contribute the supremum of their derivative's magnitude: ReLU 1, tanh 1, Mish 1.1
/// (<see cref="ActivationConstant"/>); a layer normalisation with scale γ and epsilon ε contributes
/// <c>max|γ|/√ε</c> (its Jacobian is <c>diag(γ)/σ · (I − 11ᵀ/n − x̂x̂ᵀ/n)</c>, the bracket has norm ≤ 1 and
/// <c>σ = √(var + ε) ≥ √ε</c>): sound, and so large (316·max|γ| at ε = 1e-5) that a model with layer normalisation in a
/// head is rarely certified. The chain's constant is the product.
/// </para>
/// <para>
/// Spectral norms come from Math.NET's SVD in double precision, rounded up by <c>4·(m + n)·2⁻⁵²·‖W‖_F</c> (backward
/// stability of the Golub–Kahan SVD: the computed singular values are exact for a matrix within a small multiple of
/// <c>(m + n)·u·‖W‖</c>; the factor 4 is our margin) and then by a relative 1e-12.
/// </para>
/// </remarks>
public sealed class HeadChain
{
    /// <summary>Mish's constant: sup |mish′(x)| ≈ 1.0885 (at x ≈ 1.49), rounded up to 1.1; a test evaluates mish′ on a grid of step 1e-4 over [−20, 20] (|mish″| ≤ 0.65, so the grid misses at most 1e-4) and beyond it mish′ is within 1e-8 of 1 or 0.</summary>
    public const double MishConstant = 1.1;

    /// <summary>A chain of <paramref name="layers"/>, each layer's input width the previous one's output width.</summary>
    /// <exception cref="ArgumentException">Widths that do not chain, or no layers.</exception>
    public HeadChain(IReadOnlyList<HeadLayer> layers)
    {
        ArgumentNullException.ThrowIfNull(layers);
        if (layers.Count == 0)
        {
            throw new ArgumentException("a head needs at least one layer", nameof(layers));
        }

        for (var i = 1; i < layers.Count; i++)
        {
            if (layers[i].Inputs != layers[i - 1].Outputs)
            {
                throw new ArgumentException($"layer {i} takes {layers[i].Inputs} values but layer {i - 1} gives {layers[i - 1].Outputs}", nameof(layers));
            }
        }

        Layers = [.. layers];
    }

    /// <summary>The layers, in order.</summary>
    public ImmutableArray<HeadLayer> Layers { get; }

    /// <summary>Input width.</summary>
    public int Inputs => Layers[0].Inputs;

    /// <summary>Output width.</summary>
    public int Outputs => Layers[^1].Outputs;

    /// <summary>The chain of one of our MLPs (<see cref="Sequential"/> of <see cref="Linear"/>, <see cref="Activation"/> and <see cref="LayerNorm"/>).</summary>
    /// <exception cref="NotSupportedException">Another module type.</exception>
    public static HeadChain FromModule(Sequential module)
    {
        ArgumentNullException.ThrowIfNull(module);
        var layers = new List<HeadLayer>();
        var width = 0;
        foreach (var layer in module.Layers)
        {
            switch (layer)
            {
                case Linear linear:
                    layers.Add(HeadLayer.Affine(linear.Inputs, linear.Outputs, [.. linear.Weight.Data.Select(v => (double)v)], linear.Bias is { } b ? [.. b.Data.Select(v => (double)v)] : null));
                    width = linear.Outputs;
                    break;
                case Activation activation:
                    layers.Add(HeadLayer.Elementwise(width, activation.Kind));
                    break;
                case LayerNorm norm:
                    layers.Add(HeadLayer.Normalise([.. norm.Gamma.Data.Select(v => (double)v)], [.. norm.Beta.Data.Select(v => (double)v)], norm.Eps));
                    break;
                default:
                    throw new NotSupportedException($"no Lipschitz bound for a {layer.GetType().Name} layer");
            }
        }

        return new HeadChain(layers);
    }

    /// <summary>The supremum of |f′| for an activation, rounded up: ReLU 1, tanh 1, Mish <see cref="MishConstant"/>.</summary>
    public static double ActivationConstant(ActivationKind kind) => kind switch
    {
        ActivationKind.Relu or ActivationKind.Tanh => 1,
        ActivationKind.Mish => MishConstant,
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "unknown activation"),
    };

    /// <summary>The chain applied to <paramref name="input"/>, in double precision.</summary>
    public double[] Evaluate(ReadOnlySpan<double> input)
    {
        if (input.Length != Inputs)
        {
            throw new ArgumentException($"the head takes {Inputs} values, got {input.Length}", nameof(input));
        }

        var x = input.ToArray();
        foreach (var layer in Layers)
        {
            x = Apply(layer, x);
        }

        return x;
    }

    /// <summary>A transition model's prediction T̂(z, a): the chain applied to <c>concat(z, onehot(a))</c>.</summary>
    /// <param name="latent">z.</param>
    /// <param name="action">a, in <c>0…actions−1</c>.</param>
    /// <param name="actions">How many actions the one-hot has.</param>
    public double[] EvaluateTransition(ReadOnlySpan<double> latent, int action, int actions)
    {
        var input = new double[latent.Length + actions];
        latent.CopyTo(input);
        input[latent.Length + action] = 1;
        return Evaluate(input);
    }

    /// <summary>
    /// A sound upper bound on the Lipschitz constant (2-norm) of the chain as a function of its first
    /// <paramref name="inputColumns"/> inputs, the others held fixed.
    /// </summary>
    public double Lipschitz(int inputColumns)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(inputColumns, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(inputColumns, Inputs);
        double product = 1;
        var first = true;
        foreach (var layer in Layers)
        {
            product *= layer.Kind switch
            {
                HeadLayerKind.Affine => SpectralNorm(layer, first ? inputColumns : layer.Inputs),
                HeadLayerKind.Activation => ActivationConstant(layer.Activation),
                _ => layer.Weight.Max(Math.Abs) / Math.Sqrt(layer.Eps),
            };
            first &= layer.Kind != HeadLayerKind.Affine;
        }

        return product * (1 + 1e-12);
    }

    /// <summary>An upper bound on the spectral norm of the first <paramref name="columns"/> columns of an affine layer's weights.</summary>
    internal static double SpectralNorm(HeadLayer layer, int columns)
    {
        var (rows, stride) = (layer.Outputs, layer.Inputs);
        var w = Matrix<double>.Build.Dense(rows, columns, (i, j) => layer.Weight[(i * stride) + j]);
        var frobenius = w.FrobeniusNorm();
        if (frobenius == 0)
        {
            return 0;
        }

        var sigma = w.L2Norm();
        return (Math.Min(sigma, frobenius) + (4.0 * (rows + columns) * Math.Pow(2, -52) * frobenius)) * (1 + 1e-12);
    }

    private static double[] Apply(HeadLayer layer, double[] x)
    {
        switch (layer.Kind)
        {
            case HeadLayerKind.Affine:
            {
                var y = new double[layer.Outputs];
                for (var i = 0; i < y.Length; i++)
                {
                    var s = layer.Bias[i];
                    for (var j = 0; j < x.Length; j++)
                    {
                        s += layer.Weight[(i * layer.Inputs) + j] * x[j];
                    }

                    y[i] = s;
                }

                return y;
            }

            case HeadLayerKind.Activation:
                return [.. x.Select(v => Activate(layer.Activation, v))];
            default:
            {
                var mean = x.Average();
                var variance = x.Sum(v => (v - mean) * (v - mean)) / x.Length;
                var scale = 1 / Math.Sqrt(variance + layer.Eps);
                return [.. x.Select((v, i) => (layer.Weight[i] * (v - mean) * scale) + layer.Bias[i])];
            }
        }
    }

    /// <summary>An activation in double precision (Mish as <c>x·tanh(softplus(x))</c>, softplus computed without overflow).</summary>
    internal static double Activate(ActivationKind kind, double x) => kind switch
    {
        ActivationKind.Relu => Math.Max(0, x),
        ActivationKind.Tanh => Math.Tanh(x),
        _ => x * Math.Tanh(x > 20 ? x : Math.Log(1 + Math.Exp(x))),
    };
}
