using Jepa.Verify.Learning.Tensors;

namespace Jepa.Verify.Learning.Optimizers;

/// <summary>Updates parameters from their gradients, as TorchSharp's optimizers: <see cref="ZeroGrad"/>, backward, <see cref="Step"/>.</summary>
public abstract class Optimizer
{
    /// <summary>An optimizer over <paramref name="parameters"/> (each must require a gradient).</summary>
    protected Optimizer(IEnumerable<Tensor> parameters, float learningRate)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        if (!(learningRate > 0) || !float.IsFinite(learningRate))
        {
            throw new ArgumentOutOfRangeException(nameof(learningRate), learningRate, "the learning rate must be a finite number > 0");
        }

        Parameters = [.. parameters];
        LearningRate = learningRate;
    }

    /// <summary>The parameters updated by <see cref="Step"/>.</summary>
    public IReadOnlyList<Tensor> Parameters { get; }

    /// <summary>The step size (may be changed between steps, e.g. by a schedule).</summary>
    public float LearningRate { get; set; }

    /// <summary>Clears every parameter's gradient.</summary>
    public void ZeroGrad()
    {
        foreach (var p in Parameters)
        {
            p.ZeroGrad();
        }
    }

    /// <summary>Applies one update; parameters without a gradient yet are left alone.</summary>
    public void Step()
    {
        for (var i = 0; i < Parameters.Count; i++)
        {
            var p = Parameters[i];
            if (p.GradData is { } g)
            {
                Update(i, p.Data, g);
            }
        }
    }

    /// <summary>Updates parameter number <paramref name="index"/> in place from its gradient.</summary>
    protected abstract void Update(int index, Span<float> parameter, ReadOnlySpan<float> gradient);
}
