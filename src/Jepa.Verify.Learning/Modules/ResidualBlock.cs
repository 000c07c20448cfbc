using Jepa.Verify.Learning.Autograd;
using Jepa.Verify.Learning.Tensors;

namespace Jepa.Verify.Learning.Modules;

/// <summary>
/// ResNet's basic block without normalisation (the paper's reference encoder has none):
/// <c>act(x' + conv₂(act(conv₁(x))))</c> with two 3×3 convolutions, where <c>x'</c> is <c>x</c>, or a 1×1
/// convolution of it when the block changes the channel count or strides.
/// </summary>
public sealed class ResidualBlock : Module
{
    private readonly Conv2d first;
    private readonly Conv2d second;
    private readonly Conv2d? shortcut;
    private readonly Activation activation;

    /// <summary>A block from <paramref name="inputs"/> to <paramref name="outputs"/> channels whose first convolution has <paramref name="stride"/>.</summary>
    public ResidualBlock(int inputs, int outputs, int stride, ActivationKind activation, SeededRandom random)
    {
        first = RegisterModule("conv1", new Conv2d(inputs, outputs, 3, random, stride, padding: 1));
        second = RegisterModule("conv2", new Conv2d(outputs, outputs, 3, random, 1, padding: 1));
        shortcut = inputs != outputs || stride != 1 ? RegisterModule("shortcut", new Conv2d(inputs, outputs, 1, random, stride)) : null;
        this.activation = new Activation(activation);
    }

    /// <inheritdoc />
    /// <remarks>With ReLU, the first convolution and the sum take their activation fused (<see cref="Ops.Conv2d"/> with <c>relu</c>, <see cref="Ops.AddRelu"/>): the same values and gradients, fewer image-sized arrays.</remarks>
    public override Tensor Forward(Tensor input)
    {
        var relu = activation.Kind == ActivationKind.Relu;
        var path = second.Forward(relu ? first.ForwardRelu(input) : activation.Forward(first.Forward(input)));
        var identity = shortcut is null ? input : shortcut.Forward(input);
        return relu ? Ops.AddRelu(identity, path) : activation.Forward(Ops.Add(identity, path));
    }
}
