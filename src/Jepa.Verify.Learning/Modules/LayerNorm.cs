using Jepa.Verify.Learning.Autograd;
using Jepa.Verify.Learning.Tensors;

namespace Jepa.Verify.Learning.Modules;

/// <summary>Layer normalisation over the last dimension with a learnt scale (init 1) and shift (init 0), as <c>nn.LayerNorm</c>.</summary>
public sealed class LayerNorm : Module
{
    /// <summary>Normalises rows of <paramref name="features"/> elements.</summary>
    /// <param name="features">The normalised dimension.</param>
    /// <param name="eps">Added to the variance (default 1e-5, as PyTorch).</param>
    public LayerNorm(int features, float eps = 1e-5f)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(features, 1);
        Eps = eps;
        var ones = new float[features];
        Array.Fill(ones, 1f);
        Gamma = RegisterParameter("weight", Tensor.FromArray(ones, features));
        Beta = RegisterParameter("bias", Tensor.Zeros(features));
    }

    /// <summary>The variance epsilon.</summary>
    public float Eps { get; }

    /// <summary>The scale per feature.</summary>
    public Tensor Gamma { get; }

    /// <summary>The shift per feature.</summary>
    public Tensor Beta { get; }

    /// <inheritdoc />
    public override Tensor Forward(Tensor input) => Ops.LayerNorm(input, Gamma, Beta, Eps);
}
