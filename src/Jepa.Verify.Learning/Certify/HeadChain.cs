using System.Collections.Immutable;
using Jepa.Verify.Learning.Modules;
using MathNet.Numerics.LinearAlgebra;

namespace Jepa.Verify.Learning.Certify;

/// <summary>
/// A head (the latent transition <c>T̂</c> or the aux head <c>P̂</c>) as a chain of affine maps, element-wise
/// activations and layer normalisations, evaluated in double precision, with a sound upper bound on its Lipschitz
/// constant (2-norm): what the certificate (<see cref="Certificate"/>) needs of a model.
/// </summary>
/// <remarks>
/// <para>
/// The certificate measures its residuals with this double-precision evaluation, not the float32 forward pass, so
/// that the function whose Lipschitz constant is bounded is the function whose residuals are measured (a float32
/// pass differs from the real-arithmetic function by about 1e-7 relative, far more than the 1e-12 margins below).
/// </para>
/// <para>
/// Lipschitz constants: an affine layer contributes the spectral norm of its weights (only the first
/// <c>inputColumns</c> columns for the first layer: the transition's one-hot action columns are constant for a fixed
/// action); activations contribute the supremum of their derivative's magnitude: ReLU 1, tanh 1, Mish 1.1
/// (<see cref="ActivationConstant"/>); a layer normalisation with scale γ and epsilon ε contributes
/// <c>max|γ|/√ε</c> (its Jacobian is <c>diag(γ)/σ · (I − 11ᵀ/n − x̂x̂ᵀ/n)</c>, the bracket has norm ≤ 1 and
/// <c>σ = √(var + ε) ≥ √ε</c>): sound, and so large (316·max|γ| at ε = 1e-5) that a model with layer normalisation in a
/// head is rarely certified. The chain's constant is the smaller of the product of these and the averaged-activation
/// bound (<see cref="AveragedBound"/>), which multiplies neighbouring weight matrices out and is never larger.
/// </para>
/// <para>
/// Spectral norms come from Math.NET's SVD in double precision, rounded up by <c>4·(m + n)·2⁻⁵²·‖W‖_F</c> (backward
/// stability of the Golub–Kahan SVD: the computed singular values are exact for a matrix within a small multiple of
/// <c>(m + n)·u·‖W‖</c>; the factor 4 is our margin) and then by a relative 1e-12.
/// </para>
/// </remarks>
public sealed class HeadChain : IHead
{
    /// <summary>Mish's constant: sup |mish′(x)| ≈ 1.0885 (at x ≈ 1.49), rounded up to 1.1; a test evaluates mish′ on a grid of step 1e-4 over [−20, 20] (|mish″| ≤ 0.65, so the grid misses at most 1e-4) and beyond it mish′ is within 1e-8 of 1 or 0.</summary>
    public const double MishConstant = 1.1;

    /// <summary>A chain of <paramref name="layers"/>, each layer's input width the previous one's output width.</summary>
    /// <exception cref="ArgumentException">Widths that do not chain, or no layers.</exception>
    public HeadChain(IReadOnlyList<HeadLayer> layers)
    {
        ArgumentNullException.ThrowIfNull(layers);
        if (layers.Count == 0)
        {
            throw new ArgumentException("a head needs at least one layer", nameof(layers));
        }

        for (var i = 1; i < layers.Count; i++)
        {
            if (layers[i].Inputs != layers[i - 1].Outputs)
            {
                throw new ArgumentException($"layer {i} takes {layers[i].Inputs} values but layer {i - 1} gives {layers[i - 1].Outputs}", nameof(layers));
            }
        }

        Layers = [.. layers];
        bounds = new Dictionary<string, double>(StringComparer.Ordinal);
        segment = new Lazy<SegmentBound.Prepared>(() => new SegmentBound.Prepared(this));
        firstNorm = new Lazy<(HeadLayer, double, double)>(() =>
        {
            var norm = Layers.First(l => l.Kind == HeadLayerKind.LayerNorm);
            return (norm, MixingConstant(norm), norm.Weight.Max(Math.Abs));
        });
    }

    private readonly Dictionary<string, double> bounds;

    /// <summary>What <see cref="SegmentBound"/> needs of the layers, computed once.</summary>
    private readonly Lazy<SegmentBound.Prepared> segment;

    /// <summary>
    /// The most multiply–adds the directional bounds (<see cref="SegmentBound"/>) may cost one head's local constants in
    /// one certificate: they fix how many pieces each segment is cut into (<see cref="SegmentBound.PiecesFor"/>); when not
    /// even the fewest fit, pairs keep the LayerNorm-only local constant.
    /// </summary>
    public const long DirectionalBudget = 10_000_000_000;

    /// <summary>The first layer normalisation, its global constant and max|γ|, found once (the certificate asks per pair).</summary>
    private readonly Lazy<(HeadLayer Norm, double Global, double Scale)> firstNorm;

    /// <summary>The layers, in order.</summary>
    public ImmutableArray<HeadLayer> Layers { get; }

    /// <summary>Input width.</summary>
    public int Inputs => Layers[0].Inputs;

    /// <summary>Output width.</summary>
    public int Outputs => Layers[^1].Outputs;

    /// <summary>The chain of one of our MLPs (<see cref="Sequential"/> of <see cref="Linear"/>, <see cref="Activation"/> and <see cref="LayerNorm"/>).</summary>
    /// <exception cref="NotSupportedException">Another module type.</exception>
    public static HeadChain FromModule(Sequential module)
    {
        ArgumentNullException.ThrowIfNull(module);
        var layers = new List<HeadLayer>();
        var width = 0;
        foreach (var layer in module.Layers)
        {
            switch (layer)
            {
                case Linear linear:
                    layers.Add(HeadLayer.Affine(linear.Inputs, linear.Outputs, [.. linear.Weight.Data.Select(v => (double)v)], linear.Bias is { } b ? [.. b.Data.Select(v => (double)v)] : null));
                    width = linear.Outputs;
                    break;
                case Activation activation:
                    layers.Add(HeadLayer.Elementwise(width, activation.Kind));
                    break;
                case LayerNorm norm:
                    layers.Add(HeadLayer.Normalise([.. norm.Gamma.Data.Select(v => (double)v)], [.. norm.Beta.Data.Select(v => (double)v)], norm.Eps));
                    break;
                default:
                    throw new NotSupportedException($"no Lipschitz bound for a {layer.GetType().Name} layer");
            }
        }

        return new HeadChain(layers);
    }

    /// <summary>The supremum of |f′| for an activation, rounded up: the larger end of <see cref="DerivativeRange"/> in magnitude.</summary>
    public static double ActivationConstant(HeadActivation kind, double alpha = 0)
    {
        var (min, max) = DerivativeRange(kind, alpha);
        return Math.Max(Math.Abs(min), Math.Abs(max));
    }

    /// <summary>The chain applied to <paramref name="input"/>, in double precision.</summary>
    public double[] Evaluate(ReadOnlySpan<double> input)
    {
        if (input.Length != Inputs)
        {
            throw new ArgumentException($"the head takes {Inputs} values, got {input.Length}", nameof(input));
        }

        var x = input.ToArray();
        foreach (var layer in Layers)
        {
            x = Apply(layer, x);
        }

        return x;
    }

    /// <summary>
    /// A sound upper bound on the Lipschitz constant (2-norm) of the chain as a function of its first
    /// <paramref name="inputColumns"/> inputs, the others held fixed: the smaller of the product of the layers'
    /// constants and the averaged-activation bound (<see cref="AveragedBound"/>).
    /// </summary>
    public double Lipschitz(int inputColumns)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(inputColumns, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(inputColumns, Inputs);
        return Lipschitz([.. Enumerable.Range(0, inputColumns)]);
    }

    /// <summary>
    /// A sound upper bound on the Lipschitz constant (2-norm) of the chain as a function of the inputs at
    /// <paramref name="columns"/>, the others held fixed. Only the first affine layer's weights are restricted to those
    /// columns, and only when nothing but element-wise activations comes before it (they keep a fixed input fixed; a
    /// layer normalisation mixes every input, so after one all columns count).
    /// </summary>
    public double Lipschitz(IReadOnlyList<int> columns)
    {
        ArgumentNullException.ThrowIfNull(columns);
        if (columns.Count == 0)
        {
            return 0;
        }

        if (columns.Any(c => c < 0 || c >= Inputs))
        {
            throw new ArgumentOutOfRangeException(nameof(columns), $"columns must lie in 0…{Inputs - 1}");
        }

        int[] chosen = [.. columns];
        var key = string.Join(",", chosen);
        lock (bounds)
        {
            if (bounds.TryGetValue(key, out var known))
            {
                return known;
            }
        }

        // The bound depends only on the weights and the columns: kept, since the certificate asks once per pair.
        var bound = Math.Min(ProductBound(chosen), AveragedBound(chosen)) * (1 + 1e-12);
        lock (bounds)
        {
            bounds[key] = bound;
        }

        return bound;
    }

    /// <summary>The input of the first layer normalisation when only affine layers come before it, or null.</summary>
    internal double[]? NormInput(double[] input)
    {
        var x = input;
        foreach (var layer in Layers)
        {
            switch (layer.Kind)
            {
                case HeadLayerKind.Affine:
                    x = Apply(layer, x);
                    continue;
                case HeadLayerKind.LayerNorm:
                    return x;
                default:
                    return null;
            }
        }

        return null;
    }

    /// <summary>The local factor between two points given by <see cref="NormInput"/> (1 when there are none).</summary>
    internal double NormFactor(double[]? a, double[]? b)
    {
        if (a is null || b is null)
        {
            return 1;
        }

        var (norm, global, scale) = firstNorm.Value;
        return Math.Min(1, LayerNormConstant(scale, norm.Eps, a, b) / global);
    }

    /// <inheritdoc/>
    /// <remarks>
    /// The global bound with the first layer normalisation's constant max|γ|/√ε replaced, per pair, by max|γ|/√(σ²_min + ε),
    /// where σ²_min is the smallest variance of its input along the pair's segment: when only affine layers come before
    /// it, that input moves on a segment too, and its variance is a convex quadratic in the segment's parameter with a
    /// closed-form minimum (<see cref="LayerNormConstant"/>). Each input's LayerNorm input is computed once here. When
    /// <paramref name="pairs"/> pairs fit <see cref="DirectionalBudget"/>, each also gets the directional bound along its
    /// segment (<see cref="SegmentBound"/>, with as many pieces as the budget allows), and the smaller is taken.
    /// </remarks>
    public ILocalBounds PrepareLocal(IReadOnlyList<double[]> inputs, int inputColumns, long pairs = 0)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        var global = Lipschitz(inputColumns);
        var points = inputs.Select(NormInput).ToArray();
        var pieces = SegmentBound.PiecesFor(pairs, segment.Value.Work, DirectionalBudget);
        return points.All(p => p is null) && pieces == 0 ? new GlobalBounds(global) : new PreparedBounds(this, global, points, pieces > 0 ? inputs : null, pieces);
    }

    /// <summary>Multiply–adds of one forward pass: a quarter of what one piece of a directional bound costs.</summary>
    internal long SegmentWork => segment.Value.Work;

    /// <summary>What <see cref="SegmentBound"/> needs of the layers.</summary>
    internal SegmentBound.Prepared Prepared => segment.Value;

    /// <summary>The directional bound along the segment between two inputs (<see cref="SegmentBound"/>).</summary>
    internal double Directional(double[] from, double[] to) => SegmentBound.Directional(segment.Value, from, to);

    /// <summary>A chain's local bounds from each input's first-LayerNorm input, computed once, and the inputs for the directional bound.</summary>
    private sealed class PreparedBounds(HeadChain chain, double global, double[]?[] points, IReadOnlyList<double[]>? inputs, int pieces) : ILocalBounds
    {
        public double Between(int i, int j)
        {
            var bound = global * chain.NormFactor(points[i], points[j]);
            return inputs is null ? bound : Math.Min(bound, SegmentBound.Directional(chain.segment.Value, inputs[i], inputs[j], pieces));
        }
    }

    /// <summary>
    /// max|γ|/√(σ²_min + ε) over the segment x(t) = x0 + t·(x1 − x0), t ∈ [0, 1]: the centred input c(t) = c0 + t·c1 has
    /// σ²(t) = ‖c(t)‖²/n, minimal at t* = clamp(−⟨c0, c1⟩/‖c1‖², 0, 1). The minimum is lowered by 1e-9·(‖c0‖² + ‖c1‖²)/n, far
    /// more than the rounding of the endpoints and of the sums, and the constant raised by a relative 1e-12.
    /// </summary>
    private static double LayerNormConstant(double scale, double eps, double[] x0, double[] x1)
    {
        var n = x0.Length;
        var (m0, m1) = (x0.Average(), x1.Average());
        double c0c0 = 0, c0c1 = 0, c1c1 = 0;
        for (var i = 0; i < n; i++)
        {
            var c0 = x0[i] - m0;
            var c1 = (x1[i] - m1) - c0;
            c0c0 += c0 * c0;
            c0c1 += c0 * c1;
            c1c1 += c1 * c1;
        }

        var t = SegmentBound.VarianceAtEndpoint.Value ? 0 : c1c1 > 0 ? Math.Clamp(-c0c1 / c1c1, 0, 1) : 0;
        var minimum = (c0c0 + (2 * t * c0c1) + (t * t * c1c1)) / n;
        var variance = Math.Max(0, minimum - (1e-9 * (c0c0 + c1c1) / n));
        return scale / Math.Sqrt(variance + eps) * (1 + 1e-12);
    }

    /// <summary>The product of the layers' constants: spectral norms, activation constants, layer normalisations' <c>max|γ|/√ε</c>.</summary>
    internal double ProductBound(int[] columns)
    {
        double product = 1;
        var first = true;
        foreach (var layer in Layers)
        {
            product *= layer.Kind switch
            {
                HeadLayerKind.Affine => SoundNorm(Weights(layer, first ? columns : null)),
                HeadLayerKind.Activation => ActivationConstant(layer.Activation, layer.Alpha),
                _ => MixingConstant(layer),
            };
            first &= layer.Kind == HeadLayerKind.Activation;
        }

        return product * (1 + 1e-12);
    }

    /// <summary>
    /// The averaged-activation bound (Combettes and Pesquet, "Lipschitz certificates for layered network structures
    /// driven by averaged activation operators", SIAM J. Math. Data Sci. 2020), for activations whose derivative lies
    /// in [α, β] (<see cref="DerivativeRange"/>).
    /// </summary>
    /// <remarks>
    /// Between two affine layers the Jacobian of an activation is a diagonal <c>D</c> with entries in [α, β], so
    /// <c>D = c·I + r·S</c> with <c>c = (α + β)/2</c>, <c>r = (β − α)/2</c> and <c>‖S‖ ≤ 1</c>. For a run of affine
    /// layers <c>W₁ … W_p</c> with activations between them, the Jacobian <c>W_p D_{p−1} ⋯ D₁ W₁</c> expands into 2^{p−1}
    /// terms, one per choice of <c>c·I</c> or <c>r·S</c> at each activation; where <c>c·I</c> is chosen the
    /// neighbouring weights multiply into one matrix, and the triangle inequality bounds the whole by
    /// <c>Σ (∏ chosen c, r) · ∏ ‖merged products‖</c>. With two layers and ReLU that is
    /// <c>(‖W₂W₁‖ + ‖W₂‖‖W₁‖)/2</c>, never above the product <c>‖W₂‖‖W₁‖</c> and up to half of it when the weights'
    /// product is small. Layer normalisations end a run and contribute their constant. The products are computed in
    /// double precision; each norm is rounded up by the SVD's error and by <c>2·u·k·‖|W_p|⋯|W₁|‖_F</c> for the
    /// product's own rounding (u = 2⁻⁵³, k the summed inner dimensions).
    /// </remarks>
    internal double AveragedBound(int[] columns)
    {
        double bound = 1;
        var run = new List<Matrix<double>>();
        var between = new List<(double Min, double Max)>(); // between[i]: the activation after run[i]
        (double Min, double Max)? pending = null; // activations since the last affine layer
        var first = true;
        foreach (var layer in Layers)
        {
            switch (layer.Kind)
            {
                case HeadLayerKind.Affine:
                    if (run.Count > 0)
                    {
                        between.Add(pending ?? (1, 1));
                    }
                    else if (pending is { } lead)
                    {
                        bound *= Math.Max(Math.Abs(lead.Min), Math.Abs(lead.Max));
                    }

                    run.Add(Weights(layer, first ? columns : null));
                    pending = null;
                    first = false;
                    break;
                case HeadLayerKind.Activation:
                    var range = DerivativeRange(layer.Activation, layer.Alpha);
                    pending = pending is { } p ? Times(p, range) : range;
                    break;
                default:
                    bound *= RunBound(run, between) * Trailing(pending) * MixingConstant(layer);
                    (pending, first) = (null, false);
                    run.Clear();
                    between.Clear();
                    break;
            }
        }

        return bound * RunBound(run, between) * Trailing(pending) * (1 + 1e-12);

        static double Trailing((double Min, double Max)? range) => range is { } r ? Math.Max(Math.Abs(r.Min), Math.Abs(r.Max)) : 1;

        static (double, double) Times((double Min, double Max) a, (double Min, double Max) b)
        {
            double[] corners = [a.Min * b.Min, a.Min * b.Max, a.Max * b.Min, a.Max * b.Max];
            return (corners.Min(), corners.Max());
        }
    }

    /// <summary>
    /// The range of f′ for an activation, rounded outward: ReLU, tanh and softplus [0, 1], sigmoid [0, 1/4], Mish
    /// [<see cref="MishDerivativeMin"/>, <see cref="MishConstant"/>], SiLU [−0.1, 1.1] (extremes ∓0.0998 at x ≈ ∓2.4), GELU in
    /// either form [−0.13, 1.13] (extremes −0.1289 and 1.1290 at x ≈ ∓1.41), LeakyReLU [min(α, 1), max(α, 1)], ELU
    /// [min(α, 0), max(α, 1)]. A test evaluates each f′ on a grid of step 1e-4 over [−20, 20].
    /// </summary>
    public static (double Min, double Max) DerivativeRange(HeadActivation kind, double alpha = 0) => kind switch
    {
        HeadActivation.Relu or HeadActivation.Tanh or HeadActivation.Softplus => (0, 1),
        HeadActivation.Sigmoid => (0, 0.25),
        HeadActivation.Mish => (MishDerivativeMin, MishConstant),
        HeadActivation.Silu => (-0.1, 1.1),
        HeadActivation.GeluErf or HeadActivation.GeluTanh => (-0.13, 1.13),
        HeadActivation.LeakyRelu => (Math.Min(alpha, 1), Math.Max(alpha, 1)),
        HeadActivation.Elu => (Math.Min(alpha, 0), Math.Max(alpha, 1)),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "unknown activation"),
    };

    /// <summary>Mish's smallest slope, rounded down: inf mish′ ≈ −0.1125 (at x ≈ −2.26); the test that checks <see cref="MishConstant"/> checks this too.</summary>
    public const double MishDerivativeMin = -0.12;

    /// <summary>The bound on one run of affine layers with activations between them (see <see cref="AveragedBound"/>).</summary>
    private static double RunBound(List<Matrix<double>> run, List<(double Min, double Max)> between)
    {
        var p = run.Count;
        if (p == 0)
        {
            return 1;
        }

        // Each block of consecutive layers is multiplied out once.
        var norms = new double[p, p];
        for (var i = 0; i < p; i++)
        {
            for (var j = i; j < p; j++)
            {
                norms[i, j] = ProductNorm(run, i, j);
            }
        }

        double total = 0;
        var junctions = p - 1;
        for (var mask = 0; mask < 1 << junctions; mask++)
        {
            // A set bit at junction i: r·S there, so the blocks split; a clear bit: c·I, so they merge.
            double weight = 1;
            for (var i = 0; i < junctions; i++)
            {
                var (lo, hi) = between[i];
                weight *= (mask & (1 << i)) != 0 ? (hi - lo) / 2 : Math.Abs((hi + lo) / 2);
            }

            if (weight == 0)
            {
                continue;
            }

            double term = 1;
            var start = 0;
            for (var i = 0; i <= junctions; i++)
            {
                if (i == junctions || (mask & (1 << i)) != 0)
                {
                    term *= norms[start, i];
                    start = i + 1;
                }
            }

            total += weight * term;
        }

        return total * (1 + 1e-12);
    }

    /// <summary>An upper bound on ‖W_j ⋯ W_i‖ (layers i…j of a run), the product's rounding included.</summary>
    private static double ProductNorm(List<Matrix<double>> run, int i, int j)
    {
        var product = run[i];
        var absolute = run[i].PointwiseAbs();
        var inner = 0;
        for (var k = i + 1; k <= j; k++)
        {
            inner += run[k].ColumnCount;
            product = run[k] * product;
            absolute = run[k].PointwiseAbs() * absolute;
        }

        return SoundNorm(product) + (2.0 * inner * Math.Pow(2, -53) * absolute.FrobeniusNorm() * (1 + 1e-12));
    }

    /// <summary>An affine layer's weights, only the given input columns (null: all).</summary>
    internal static Matrix<double> Weights(HeadLayer layer, int[]? columns) => columns is null
        ? Matrix<double>.Build.Dense(layer.Outputs, layer.Inputs, (i, j) => layer.Weight[(i * layer.Inputs) + j])
        : Matrix<double>.Build.Dense(layer.Outputs, columns.Length, (i, j) => layer.Weight[(i * layer.Inputs) + columns[j]]);

    /// <summary>
    /// The constant of a layer that mixes its inputs: a layer normalisation's max|γ|/√ε, a softmax expectation's
    /// (max b − min b)/2 (both rounded up by a relative 1e-12).
    /// </summary>
    private static double MixingConstant(HeadLayer layer) => (layer.Kind == HeadLayerKind.SoftmaxExpectation
        ? (layer.Weight.Max() - layer.Weight.Min()) / 2
        : layer.Weight.Max(Math.Abs) / Math.Sqrt(layer.Eps)) * (1 + 1e-12);

    /// <summary>The spectral norm from an SVD, rounded up by the SVD's backward error (see the remarks on the type).</summary>
    internal static double SoundNorm(Matrix<double> w)
    {
        var frobenius = w.FrobeniusNorm();
        if (frobenius == 0)
        {
            return 0;
        }

        var sigma = w.L2Norm();
        return (Math.Min(sigma, frobenius) + (4.0 * (w.RowCount + w.ColumnCount) * Math.Pow(2, -52) * frobenius)) * (1 + 1e-12);
    }

    private static double[] Apply(HeadLayer layer, double[] x)
    {
        switch (layer.Kind)
        {
            case HeadLayerKind.Affine:
            {
                // Each row's dot product in SIMD (the certificate evaluates T̂ on every transition; at 4·10⁶ of them this
                // is most of its time). Any summation order is within the certificate's margins (1e-12 relative).
                var y = new double[layer.Outputs];
                var w = layer.Weight.AsSpan();
                for (var i = 0; i < y.Length; i++)
                {
                    y[i] = layer.Bias[i] + System.Numerics.Tensors.TensorPrimitives.Dot(w.Slice(i * layer.Inputs, layer.Inputs), x);
                }

                return y;
            }

            case HeadLayerKind.Activation:
                return [.. x.Select(v => Activate(layer.Activation, v, layer.Alpha))];
            case HeadLayerKind.SoftmaxExpectation:
            {
                var max = x.Max();
                double total = 0, weighted = 0;
                for (var i = 0; i < x.Length; i++)
                {
                    var p = Math.Exp(x[i] - max);
                    total += p;
                    weighted += p * layer.Weight[i];
                }

                return [weighted / total];
            }

            default:
            {
                var mean = x.Average();
                var variance = x.Sum(v => (v - mean) * (v - mean)) / x.Length;
                var scale = 1 / Math.Sqrt(variance + layer.Eps);
                return [.. x.Select((v, i) => (layer.Weight[i] * (v - mean) * scale) + layer.Bias[i])];
            }
        }
    }

    /// <summary>An activation in double precision (softplus computed without overflow; erf from Math.NET).</summary>
    public static double Activate(HeadActivation kind, double x, double alpha = 0) => kind switch
    {
        HeadActivation.Relu => Math.Max(0, x),
        HeadActivation.Tanh => Math.Tanh(x),
        HeadActivation.Mish => x * Math.Tanh(Softplus(x)),
        HeadActivation.LeakyRelu => x >= 0 ? x : alpha * x,
        HeadActivation.Elu => x >= 0 ? x : alpha * (Math.Exp(x) - 1),
        HeadActivation.Sigmoid => Sigmoid(x),
        HeadActivation.Softplus => Softplus(x),
        HeadActivation.Silu => x * Sigmoid(x),
        HeadActivation.GeluErf => 0.5 * x * (1 + MathNet.Numerics.SpecialFunctions.Erf(x / Math.Sqrt(2))),
        HeadActivation.GeluTanh => 0.5 * x * (1 + Math.Tanh(Math.Sqrt(2 / Math.PI) * (x + (0.044715 * x * x * x)))),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "unknown activation"),
    };

    private static double Sigmoid(double x) => x >= 0 ? 1 / (1 + Math.Exp(-x)) : Math.Exp(x) / (1 + Math.Exp(x));

    private static double Softplus(double x) => Math.Max(x, 0) + Math.Log(1 + Math.Exp(-Math.Abs(x)));
}
