using Jepa.Verify.Learning.Tensors;

namespace Jepa.Verify.Learning.Modules;

/// <summary>
/// A layer or network, shaped like TorchSharp's <c>nn.Module</c>: <see cref="Forward"/>,
/// <see cref="Parameters"/> / <see cref="NamedParameters"/> (dotted names such as <c>0.weight</c>),
/// <see cref="Train"/> / <see cref="Eval"/> and <see cref="ZeroGrad"/>.
/// </summary>
public abstract class Module
{
    private readonly List<(string Name, Tensor Parameter)> parameters = [];
    private readonly List<(string Name, Module Child)> children = [];

    /// <summary>Whether the module is in training mode (the default). No module here computes differently in evaluation mode; the flag is kept for API parity and propagates to children.</summary>
    public bool Training { get; private set; } = true;

    /// <summary>Applies the module to a batch (rows are examples).</summary>
    public abstract Tensor Forward(Tensor input);

    /// <summary>Every trainable tensor, in registration order (children after own parameters, depth first).</summary>
    public IReadOnlyList<Tensor> Parameters() => [.. NamedParameters().Select(p => p.Parameter)];

    /// <summary>Every trainable tensor with its dotted path, e.g. <c>encoder.2.weight</c>.</summary>
    public IEnumerable<(string Name, Tensor Parameter)> NamedParameters()
    {
        foreach (var p in parameters)
        {
            yield return p;
        }

        foreach (var (name, child) in children)
        {
            foreach (var (inner, p) in child.NamedParameters())
            {
                yield return ($"{name}.{inner}", p);
            }
        }
    }

    /// <summary>Sets training mode on this module and its children; returns this module.</summary>
    public Module Train(bool on = true)
    {
        Training = on;
        foreach (var (_, child) in children)
        {
            child.Train(on);
        }

        return this;
    }

    /// <summary>Sets evaluation mode (<c>Train(false)</c>); returns this module.</summary>
    public Module Eval() => Train(false);

    /// <summary>Clears the gradients of all parameters.</summary>
    public void ZeroGrad()
    {
        foreach (var p in Parameters())
        {
            p.ZeroGrad();
        }
    }

    /// <summary>Registers a trainable tensor (marks it as requiring a gradient).</summary>
    protected Tensor RegisterParameter(string name, Tensor parameter)
    {
        parameter.RequiresGrad = true;
        parameters.Add((name, parameter));
        return parameter;
    }

    /// <summary>A tensor of the given shape with entries uniform in [−bound, bound), drawn in row-major order (PyTorch's default initialisation of linear and convolution layers).</summary>
    protected static Tensor Uniform(SeededRandom random, float bound, params int[] shape)
    {
        var values = new float[shape.Aggregate(1, (a, d) => a * d)];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = random.NextFloat(-bound, bound);
        }

        return Tensor.FromArray(values, shape);
    }

    /// <summary>Registers a child module whose parameters are listed under <paramref name="name"/>.</summary>
    protected T RegisterModule<T>(string name, T child)
        where T : Module
    {
        children.Add((name, child));
        return child;
    }
}
