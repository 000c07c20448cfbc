using Jepa.Verify.Learning.Autograd;
using Jepa.Verify.Learning.Tensors;

namespace Jepa.Verify.Learning.Modules;

/// <summary>An element-wise non-linearity as a module (no parameters).</summary>
/// <param name="kind">Which function.</param>
public sealed class Activation(ActivationKind kind) : Module
{
    /// <summary>Which function this module applies.</summary>
    public ActivationKind Kind { get; } = kind;

    /// <inheritdoc />
    public override Tensor Forward(Tensor input) => Kind switch
    {
        ActivationKind.Relu => Ops.Relu(input),
        ActivationKind.Mish => Ops.Mish(input),
        ActivationKind.Tanh => Ops.Tanh(input),
        _ => throw new InvalidOperationException($"unknown activation {Kind}"),
    };
}
