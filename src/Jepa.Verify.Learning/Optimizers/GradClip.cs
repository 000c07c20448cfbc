using Jepa.Verify.Learning.Tensors;

namespace Jepa.Verify.Learning.Optimizers;

/// <summary>Gradient clipping, as <c>torch.nn.utils.clip_grad_norm_</c>.</summary>
public static class GradClip
{
    /// <summary>
    /// Scales all gradients by <c>maxNorm / (‖g‖ + 1e-6)</c> when their joint Euclidean norm ‖g‖
    /// exceeds <paramref name="maxNorm"/>; returns ‖g‖ before clipping (NaN if a gradient is NaN, left unscaled).
    /// </summary>
    public static double ClipGradNorm(IEnumerable<Tensor> parameters, float maxNorm)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxNorm);
        var grads = parameters.Select(p => p.GradData).OfType<float[]>().ToList();
        double sq = 0;
        foreach (var g in grads)
        {
            foreach (var x in g)
            {
                sq += (double)x * x;
            }
        }

        var norm = Math.Sqrt(sq);
        var coefficient = maxNorm / (norm + 1e-6);
        if (coefficient < 1)
        {
            foreach (var g in grads)
            {
                Kernels.Backend.Multiply(g, (float)coefficient, g);
            }
        }

        return norm;
    }
}
