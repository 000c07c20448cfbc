using Jepa.Verify.Learning.Autograd;
using Jepa.Verify.Learning.Tensors;

namespace Jepa.Verify.Learning.Modules;

/// <summary>
/// A convolution layer over images <c>[N, C, H, W]</c> (<see cref="Ops.Conv2d"/>), initialised as PyTorch's <c>nn.Conv2d</c>:
/// weights and bias uniform in <c>[−1/√(C·k·k), 1/√(C·k·k))</c>.
/// </summary>
public sealed class Conv2d : Module
{
    /// <summary>A <paramref name="kernel"/>×<paramref name="kernel"/> convolution from <paramref name="inputs"/> to <paramref name="outputs"/> channels.</summary>
    public Conv2d(int inputs, int outputs, int kernel, SeededRandom random, int stride = 1, int padding = 0, bool bias = true)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(inputs, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(outputs, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(kernel, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(stride, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(padding);
        ArgumentNullException.ThrowIfNull(random);
        (Inputs, Outputs, Kernel, Stride, Padding) = (inputs, outputs, kernel, stride, padding);
        var bound = 1f / MathF.Sqrt(inputs * kernel * kernel);
        Weight = RegisterParameter("weight", Uniform(random, bound, outputs, inputs, kernel, kernel));
        Bias = bias ? RegisterParameter("bias", Uniform(random, bound, outputs)) : null;
    }

    /// <summary>Input channels.</summary>
    public int Inputs { get; }

    /// <summary>Output channels.</summary>
    public int Outputs { get; }

    /// <summary>The side of the square kernel.</summary>
    public int Kernel { get; }

    /// <summary>The stride along both axes.</summary>
    public int Stride { get; }

    /// <summary>The zero padding on every side.</summary>
    public int Padding { get; }

    /// <summary>The weight <c>[out, in, k, k]</c>.</summary>
    public Tensor Weight { get; }

    /// <summary>The bias <c>[out]</c>, or null.</summary>
    public Tensor? Bias { get; }

    /// <inheritdoc />
    public override Tensor Forward(Tensor input) => Ops.Conv2d(input, Weight, Bias, Stride, Padding);

    /// <summary>The convolution followed by a ReLU, fused (<see cref="Ops.Conv2d"/> with <c>relu</c>).</summary>
    public Tensor ForwardRelu(Tensor input) => Ops.Conv2d(input, Weight, Bias, Stride, Padding, relu: true);

    /// <summary>The convolution, a ReLU and max pooling, fused (<see cref="Ops.Conv2dReluMaxPool"/>).</summary>
    public Tensor ForwardReluMaxPool(Tensor input, int kernel, int stride, int padding) =>
        Ops.Conv2dReluMaxPool(input, Weight, Bias, Stride, Padding, kernel, stride, padding);
}
