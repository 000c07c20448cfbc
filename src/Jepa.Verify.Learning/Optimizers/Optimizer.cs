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
        scales = new float[Parameters.Count];
        Array.Fill(scales, 1f);
    }

    private readonly float[] scales;

    /// <summary>The parameters updated by <see cref="Step"/>.</summary>
    public IReadOnlyList<Tensor> Parameters { get; }

    /// <summary>The step size (may be changed between steps, e.g. by a schedule).</summary>
    public float LearningRate { get; set; }

    /// <summary>
    /// Gives <paramref name="group"/> the step size <see cref="LearningRate"/> × <paramref name="scale"/> from now on, as a
    /// PyTorch parameter group with its own <c>lr</c> does (the paper's reference trains its encoder at 0.3× the rate
    /// of the heads); a schedule that changes <see cref="LearningRate"/> scales every group alike.
    /// </summary>
    /// <exception cref="ArgumentException">When a tensor is not one of <see cref="Parameters"/>, or the scale is not finite and &gt; 0.</exception>
    public void ScaleLearningRate(IEnumerable<Tensor> group, float scale)
    {
        ArgumentNullException.ThrowIfNull(group);
        if (!(scale > 0) || !float.IsFinite(scale))
        {
            throw new ArgumentOutOfRangeException(nameof(scale), scale, "the learning-rate scale must be a finite number > 0");
        }

        foreach (var tensor in group)
        {
            var index = 0;
            while (index < Parameters.Count && !ReferenceEquals(Parameters[index], tensor))
            {
                index++;
            }

            scales[index < Parameters.Count ? index : throw new ArgumentException("the tensor is not one of this optimizer's parameters", nameof(group))] = scale;
        }
    }

    /// <summary>The step size of parameter number <paramref name="index"/>: <see cref="LearningRate"/> times its group's scale.</summary>
    protected float LearningRateOf(int index) => LearningRate * scales[index];

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
