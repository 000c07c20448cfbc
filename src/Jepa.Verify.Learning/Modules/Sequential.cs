using System.Collections.Immutable;
using System.Globalization;
using Jepa.Verify.Learning.Tensors;

namespace Jepa.Verify.Learning.Modules;

/// <summary>Modules applied one after another; parameters are named by position (<c>0.weight</c>, <c>2.bias</c>, …).</summary>
public sealed class Sequential : Module
{
    /// <summary>A chain of <paramref name="layers"/> (at least one).</summary>
    public Sequential(params Module[] layers)
    {
        ArgumentNullException.ThrowIfNull(layers);
        if (layers.Length == 0)
        {
            throw new ArgumentException("Sequential needs at least one module", nameof(layers));
        }

        for (var i = 0; i < layers.Length; i++)
        {
            RegisterModule(i.ToString(CultureInfo.InvariantCulture), layers[i]);
        }

        Layers = [.. layers];
    }

    /// <summary>The modules, in order.</summary>
    public ImmutableArray<Module> Layers { get; }

    /// <summary>
    /// A multi-layer perceptron over <paramref name="sizes"/> (e.g. <c>[12288, 256, 256, 32]</c>):
    /// Linear layers with an optional LayerNorm and the activation between them, none after the last.
    /// </summary>
    /// <exception cref="ArgumentException">With fewer than two sizes.</exception>
    public static Sequential Mlp(IReadOnlyList<int> sizes, ActivationKind activation, SeededRandom random, bool layerNorm = false)
    {
        ArgumentNullException.ThrowIfNull(sizes);
        if (sizes.Count < 2)
        {
            throw new ArgumentException("an MLP needs an input and an output size", nameof(sizes));
        }

        var layers = new List<Module>();
        for (var i = 0; i + 1 < sizes.Count; i++)
        {
            layers.Add(new Linear(sizes[i], sizes[i + 1], random));
            if (i + 2 < sizes.Count)
            {
                if (layerNorm)
                {
                    layers.Add(new LayerNorm(sizes[i + 1]));
                }

                layers.Add(new Activation(activation));
            }
        }

        return new Sequential([.. layers]);
    }

    /// <inheritdoc />
    public override Tensor Forward(Tensor input)
    {
        var x = input;
        foreach (var layer in Layers)
        {
            x = layer.Forward(x);
        }

        return x;
    }
}
