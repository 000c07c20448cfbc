using Jepa.Verify.Learning.Autograd;
using Jepa.Verify.Learning.Modules;
using Jepa.Verify.Learning.Tensors;

namespace Jepa.Verify.Learning.Jepa;

/// <summary>
/// The sum over the two heads of the product of their layers' spectral norms, a differentiable estimate of
/// L_T + L_P, the Lipschitz constants the certificate divides by: adding it to the loss keeps them in check.
/// </summary>
/// <remarks>
/// Each norm is estimated as in spectral normalisation (Miyato et al., 2018): one power-iteration step per training
/// step on persistent vectors u, v (seeded), then σ ≈ uᵀWv with u and v held constant, whose gradient is uvᵀ. The
/// estimate is from below; the certificate itself computes sound bounds from an SVD, not from this.
/// </remarks>
internal sealed class LipschitzPenalty
{
    private readonly Linear[] layers;
    private readonly int transitionLayers;
    private readonly float[][] u;
    private readonly float[][] v;

    public LipschitzPenalty(PJepaModel model, SeededRandom random)
    {
        transitionLayers = model.Transition.Layers.OfType<Linear>().Count();
        layers = [.. model.Transition.Layers.Concat(model.AuxHead.Layers).OfType<Linear>()];
        u = [.. layers.Select(l => Unit(l.Outputs, random))];
        v = [.. layers.Select(l => Unit(l.Inputs, random))];
    }

    /// <summary>One power-iteration step per layer, then Σ over heads of ∏ uᵀWv as a scalar tensor with gradients into the weights.</summary>
    public Tensor Value() => Ops.Add(Product(0, transitionLayers), Product(transitionLayers, layers.Length));

    private Tensor Product(int first, int end)
    {
        Tensor? product = null;
        for (var i = first; i < end; i++)
        {
            var w = layers[i].Weight;
            Iterate(w.Data, layers[i].Outputs, layers[i].Inputs, u[i], v[i]);
            var sigma = Ops.Sum(Ops.MatMul(Ops.MatMul(Tensor.FromArray((float[])u[i].Clone(), 1, u[i].Length), w), Tensor.FromArray((float[])v[i].Clone(), v[i].Length, 1)));
            product = product is null ? sigma : Ops.Mul(product, sigma);
        }

        return product!;
    }

    /// <summary>v ← Wᵀu/‖Wᵀu‖, u ← Wv/‖Wv‖ (W row-major <c>[rows × columns]</c>).</summary>
    private static void Iterate(float[] w, int rows, int columns, float[] u, float[] v)
    {
        for (var j = 0; j < columns; j++)
        {
            double s = 0;
            for (var i = 0; i < rows; i++)
            {
                s += w[(i * columns) + j] * u[i];
            }

            v[j] = (float)s;
        }

        Normalise(v);
        for (var i = 0; i < rows; i++)
        {
            double s = 0;
            for (var j = 0; j < columns; j++)
            {
                s += w[(i * columns) + j] * v[j];
            }

            u[i] = (float)s;
        }

        Normalise(u);
    }

    private static void Normalise(float[] x)
    {
        var norm = Math.Sqrt(x.Sum(a => (double)a * a));
        if (norm > 0)
        {
            for (var i = 0; i < x.Length; i++)
            {
                x[i] = (float)(x[i] / norm);
            }
        }
    }

    private static float[] Unit(int n, SeededRandom random)
    {
        var x = new float[n];
        for (var i = 0; i < n; i++)
        {
            x[i] = (float)random.NextGaussian();
        }

        Normalise(x);
        return x;
    }
}
