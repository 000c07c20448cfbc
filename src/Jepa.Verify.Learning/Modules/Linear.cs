using Jepa.Verify.Learning.Autograd;
using Jepa.Verify.Learning.Tensors;

namespace Jepa.Verify.Learning.Modules;

/// <summary>
/// A fully connected layer <c>y = x·Wᵀ + b</c> with <c>W[out×in]</c>, initialised as PyTorch's
/// <c>nn.Linear</c>: Kaiming-uniform with <c>a = √5</c>, i.e. weights and bias uniform in
/// <c>[−1/√in, 1/√in)</c>.
/// </summary>
public sealed class Linear : Module
{
    /// <summary>A layer from <paramref name="inputs"/> to <paramref name="outputs"/> features.</summary>
    /// <param name="inputs">Input features (at least 1).</param>
    /// <param name="outputs">Output features (at least 1).</param>
    /// <param name="random">The seeded source of the initial weights.</param>
    /// <param name="bias">Whether the layer adds a bias.</param>
    public Linear(int inputs, int outputs, SeededRandom random, bool bias = true)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(inputs, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(outputs, 1);
        ArgumentNullException.ThrowIfNull(random);
        Inputs = inputs;
        Outputs = outputs;
        var bound = 1f / MathF.Sqrt(inputs);
        Weight = RegisterParameter("weight", Uniform(random, bound, outputs, inputs));
        Bias = bias ? RegisterParameter("bias", Uniform(random, bound, outputs)) : null;
    }

    /// <summary>Input features.</summary>
    public int Inputs { get; }

    /// <summary>Output features.</summary>
    public int Outputs { get; }

    /// <summary>The weight matrix <c>[out×in]</c>.</summary>
    public Tensor Weight { get; }

    /// <summary>The bias <c>[out]</c>, or null.</summary>
    public Tensor? Bias { get; }

    /// <inheritdoc />
    public override Tensor Forward(Tensor input) => Ops.Linear(input, Weight, Bias);
}
