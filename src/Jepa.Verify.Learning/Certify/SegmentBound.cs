namespace Jepa.Verify.Learning.Certify;

/// <summary>
/// A bound on the mean of a chain's directional derivative along one pair's segment: ∫₀¹ ‖J(x(t))·u‖ dt with
/// x(t) = x₀ + t·(x₁ − x₀) and u the segment's unit direction. The mean-value inequality in integral form needs no more:
/// ‖f(x₁) − f(x₀)‖ = ‖∫₀¹ J(x(t))·(x₁ − x₀) dt‖ ≤ ‖x₁ − x₀‖·∫₀¹ ‖J(x(t))·u‖ dt, so it may stand for the Lipschitz constant
/// in the certificate's two inequalities for that pair (between its two endpoints only: a steep stretch inside the
/// segment is averaged, not bounded).
/// </summary>
/// <remarks>
/// <para>
/// The segment is cut into equal pieces (<see cref="PiecesFor"/>); on each, the chain is run forward on two things at once
/// (interval forward-mode differentiation):
/// </para>
/// <list type="bullet">
/// <item>the <b>values</b>, in affine form through every layer: <c>c + s·g + e</c> with s ∈ [−1, 1] shared by all coordinates
/// and |eᵢ| ≤ slackᵢ (affine arithmetic with one noise symbol, the position along the piece). An affine layer maps it
/// exactly (<c>W·c + b</c>, <c>W·g</c>, <c>|W|·slack</c> plus the products' rounding). A non-affine layer f is taken in its
/// mean-value form: <c>fᵢ(x) − fᵢ(c) = ∇fᵢ(ξᵢ)·(s·g + e)</c> with ξᵢ in the box the form spans, so the new generator is
/// the midpoint of the interval J·g over the box and the new error its half-width plus |J|·e: the error is of second
/// order in the piece's length, where propagating a box through a width-w layer widens it by up to √w at every layer.
/// An activation's slopes over the box (<see cref="ActivationRange.Slope"/>; a ReLU unit active on the whole box has
/// slope exactly 1); a layer normalisation's Jacobian <c>diag(γ)/σ·(I − 11ᵀ/n − x̂x̂ᵀ/n)</c> with σ from the variance's
/// least value over the form (a convex quadratic in s, minimised in closed form, lowered by the error's ‖e‖/√n) and its
/// greatest; the two-hot decoding's gradient <c>p ⊙ (b − v)</c>. Each such layer also gives its direct range as a box;
/// per coordinate, the tighter of the two is kept.</item>
/// <item>the <b>tangent</b> J·u, as a vector and a radius in the 2-norm around it: an affine layer maps (v, ρ) to
/// (W·v, ‖W‖·ρ); an activation whose slopes lie in [sₗ, sₕ] per unit to (c⊙v, max|s|·ρ + ‖r⊙v‖) with c and r the slopes'
/// midpoints and half-widths; a layer normalisation's Jacobian applied to v in interval arithmetic over the box
/// (midpoint as the new vector, the half-widths' norm added to the radius) plus <c>max|γ|/σ_min·ρ</c>; the two-hot
/// decoding's gradient likewise, plus ρ times the gradient box's norm (at most <c>(max b − min b)/2</c>).</item>
/// </list>
/// <para>
/// The piece's bound is ‖v‖ + ρ at the end, a bound on sup ‖J·u‖ over the piece; the segment's is the pieces' mean. At a
/// point (a piece of no length) it is the exact ‖J·u‖. Rounding: each matrix–vector product adds (k + 2)·2⁻⁵³·‖W‖_F·‖v‖
/// to the radius (and the same per row to the values' error), each piece's start is widened by a few units in the last
/// place, values computed at a centre carry a generous 1e-11 of their terms' size, and the result is raised by a relative
/// 1e-9. Tests check the values' box against exact evaluation at every layer of random chains, and the bound against
/// finite differences along random segments.
/// </para>
/// Written here: auto_LiRPA and similar libraries bound outputs, not directional derivatives along a segment, and run
/// in Python.
/// </remarks>
internal static class SegmentBound
{
    /// <summary>The fewest pieces a segment is cut into (fewer than this, and no directional bound is worth its cost).</summary>
    public const int Pieces = 8;

    /// <summary>The most pieces a segment is cut into: the intervals' looseness shrinks with a piece's length.</summary>
    public const int MaxPieces = 256;

    /// <summary>
    /// How many pieces each of <paramref name="pairs"/> segments gets so that all of them together stay within
    /// <paramref name="budget"/> multiply–adds (four forward passes of <paramref name="work"/> a piece), at most
    /// <see cref="MaxPieces"/>; 0 when not even <see cref="Pieces"/> fit. The same for every pair, so the result does not
    /// depend on the order they are asked in.
    /// </summary>
    public static int PiecesFor(long pairs, long work, long budget)
    {
        if (pairs <= 0 || work <= 0)
        {
            return 0;
        }

        var pieces = budget / (pairs * 4 * work);
        return pieces < Pieces ? 0 : (int)Math.Min(pieces, MaxPieces);
    }

    private const double Unit = 1.0 / (1L << 53);

    /// <summary>
    /// A mutation for the soundness tests only: the least variance of a LayerNorm's input along a segment taken at one end
    /// instead of its minimum (unsound). Flows with the async context, so it reaches the certificate's parallel loops
    /// in the test that sets it and nowhere else.
    /// </summary>
    internal static readonly AsyncLocal<bool> VarianceAtEndpoint = new();

    /// <summary>What the bound needs of each layer, computed once per chain.</summary>
    internal sealed class Prepared
    {
        public Prepared(HeadChain chain)
        {
            Layers = [.. chain.Layers];
            Abs = new double[Layers.Length][];
            Norm = new double[Layers.Length];
            Frobenius = new double[Layers.Length];
            RowNorm = new double[Layers.Length][];
            for (var l = 0; l < Layers.Length; l++)
            {
                var layer = Layers[l];
                if (layer.Kind != HeadLayerKind.Affine)
                {
                    continue;
                }

                Abs[l] = [.. layer.Weight.Select(Math.Abs)];
                Norm[l] = HeadChain.SoundNorm(HeadChain.Weights(layer, null));
                Frobenius[l] = Math.Sqrt(layer.Weight.Sum(w => w * w));
                RowNorm[l] = [.. Enumerable.Range(0, layer.Outputs).Select(i => Math.Sqrt(Enumerable.Range(0, layer.Inputs).Sum(j => layer.Weight[(i * layer.Inputs) + j] * layer.Weight[(i * layer.Inputs) + j])))];
                Work += (long)layer.Inputs * layer.Outputs;
            }
        }

        public HeadLayer[] Layers { get; }

        public double[][] Abs { get; }

        public double[] Norm { get; }

        public double[] Frobenius { get; }

        public double[][] RowNorm { get; }

        /// <summary>Multiply–adds of one forward pass (about a quarter of one piece's work).</summary>
        public long Work { get; }
    }

    /// <summary>A bound on ∫₀¹ ‖J(x(t))·u‖ dt along the segment (0 when the two inputs coincide).</summary>
    public static double Directional(Prepared chain, ReadOnlySpan<double> x0, ReadOnlySpan<double> x1, int pieces = Pieces) =>
        Directional(x0, x1, flow => flow.Through(chain), pieces);

    /// <summary>
    /// A bound on ∫₀¹ ‖J(x(t))·u‖ dt along the segment for the function whose propagation is <paramref name="through"/> (a chain, a
    /// graph, a rollout of several heads; null when it cannot be propagated: then +∞). 0 when the two inputs coincide.
    /// </summary>
    public static double Directional(ReadOnlySpan<double> x0, ReadOnlySpan<double> x1, Func<Flow, Flow?> through, int pieces = Pieces)
    {
        var n = x0.Length;
        var direction = new double[n];
        double length = 0;
        for (var i = 0; i < n; i++)
        {
            direction[i] = x1[i] - x0[i];
            length += direction[i] * direction[i];
        }

        length = Math.Sqrt(length);
        if (!(length > 0))
        {
            return 0;
        }

        var u = direction.Select(v => v / length).ToArray();
        var input = x0.ToArray();

        // The sup of ‖J·u‖ over the part [from, to] of the segment (as fractions of it); +∞ when it cannot be propagated.
        double Piece(double from, double to)
        {
            var (at, half) = ((from + to) / 2, (to - from) / 2);
            var centre = new double[n];
            var generator = new double[n];
            for (var i = 0; i < n; i++)
            {
                centre[i] = input[i] + (at * direction[i]);
                generator[i] = direction[i] * half;
            }

            // The rounded centre and generator cover the exact piece once each coordinate is widened by a few units of its size.
            var slack = new double[n];
            for (var i = 0; i < n; i++)
            {
                slack[i] = 4 * Unit * (Math.Abs(input[i]) + Math.Abs(direction[i]));
            }

            return through(Flow.Segment(centre, generator, u, slack)) is { } result ? result.Bound : double.PositiveInfinity;
        }

        // ‖f(x₁) − f(x₀)‖ ≤ ‖x₁ − x₀‖·∫₀¹ ‖J(x(t))·u‖ dt ≤ ‖x₁ − x₀‖·(1/P)·Σ sup over piece j: the pieces' mean.
        double total = 0;
        for (var j = 0; j < pieces; j++)
        {
            var sup = Piece((double)j / pieces, (double)(j + 1) / pieces);
            if (double.IsPositiveInfinity(sup))
            {
                return double.PositiveInfinity;
            }

            total += sup / pieces;
        }

        return total * (1 + 1e-9);
    }

    /// <summary>Multiply–adds of one forward pass of <paramref name="head"/>, or −1 when it cannot carry a flow.</summary>
    public static long Work(IHead head) => head switch
    {
        HeadChain chain => chain.SegmentWork,
        HeadGraph graph => graph.Work,
        _ => -1,
    };

    /// <summary>
    /// A rollout of <paramref name="word"/> from a flow of latents through T̂ (each step's input the latents and the
    /// action's one-hot), then P̂; null when a head cannot carry a flow.
    /// </summary>
    public static Flow? Rollout(Flow latents, IReadOnlyList<int> word, int actions, IHead transition, IHead auxHead)
    {
        Flow? flow = latents;
        foreach (var x in word)
        {
            var onehot = new double[actions];
            onehot[x] = 1;
            flow = Through(transition, Flow.Join([flow!, Flow.Constant(onehot)]));
            if (flow is null)
            {
                return null;
            }
        }

        return Through(auxHead, flow!);
    }

    /// <summary>A flow through <paramref name="head"/>: a chain's layers, or a graph's nodes; null for another kind of head.</summary>
    public static Flow? Through(IHead head, Flow flow) => head switch
    {
        HeadChain chain => flow.Through(chain.Prepared),
        HeadGraph graph => graph.Propagate(flow),
        _ => null,
    };

    /// <summary>
    /// Values and a tangent on their way through a head, for one piece of a segment (x = centre + s·generator,
    /// s ∈ [−1, 1]) or one point. The values stay in affine form through every layer: <c>c + s·g + e</c> with |eᵢ| ≤
    /// <see cref="Slack"/>ᵢ, the one parameter s shared by all coordinates, so the correlation between units survives each
    /// layer; a non-affine layer is taken in its mean-value form (see the remarks on the type), optionally also clipped by
    /// a box of its direct range. The tangent is a vector and a radius around it. Immutable: each step returns a new flow.
    /// </summary>
    internal sealed class Flow
    {
        private Flow(double[] c, double[] g, double[]? slack, double[]? lo, double[]? hi, double[] v, double rho) =>
            (C, G, Slack, Lo, Hi, V, Rho) = (c, g, slack, lo, hi, v, rho);

        /// <summary>The affine form's centre.</summary>
        public double[] C { get; }

        /// <summary>The affine form's generator (the coefficient of s).</summary>
        public double[] G { get; }

        /// <summary>The affine form's error radius per coordinate; null for none.</summary>
        public double[]? Slack { get; }

        /// <summary>A box the values also lie in (a layer's direct range), or null.</summary>
        public double[]? Lo { get; }

        /// <summary>See <see cref="Lo"/>.</summary>
        public double[]? Hi { get; }

        /// <summary>The tangent's vector.</summary>
        public double[] V { get; }

        /// <summary>The tangent's radius (2-norm) around <see cref="V"/>.</summary>
        public double Rho { get; }

        /// <summary>The width.</summary>
        public int Width => V.Length;

        /// <summary>A bound on the tangent's norm.</summary>
        public double Bound => Norm2(V) + Rho;

        /// <summary>The values as a box: the affine form's, within the clipping box when there is one.</summary>
        public (double[] Lo, double[] Hi) Box => SegmentBound.Box(C, G, Slack, Lo, Hi);

        /// <summary>A piece of a segment, the tangent starting at <paramref name="direction"/> exactly.</summary>
        public static Flow Segment(double[] centre, double[] generator, double[] direction, double[]? slack = null) => new(centre, generator, slack, null, null, direction, 0);

        /// <summary>A point (a segment of no length) with no tangent: a rollout's value, for its rounding.</summary>
        public static Flow Point(double[] value) => new(value, new double[value.Length], null, null, null, new double[value.Length], 0);

        /// <summary>Constants (the one-hot action of a transition's input): no width, no tangent.</summary>
        public static Flow Constant(double[] value) => Point(value);

        /// <summary>Coordinates <paramref name="from"/>…<paramref name="from"/>+<paramref name="count"/>−1.</summary>
        public Flow Slice(int from, int count) =>
            new(C[from..(from + count)], G[from..(from + count)], Slack?[from..(from + count)], Lo?[from..(from + count)], Hi?[from..(from + count)], V[from..(from + count)], Rho);

        /// <summary>This plus <paramref name="sign"/> times <paramref name="other"/> (both functions of the same piece).</summary>
        public Flow Plus(Flow other, int sign)
        {
            var v = V.Select((x, i) => x + (sign * other.V[i])).ToArray();
            var rho = Rho + other.Rho;
            var c = C.Select((x, i) => x + (sign * other.C[i])).ToArray();
            var g = G.Select((x, i) => x + (sign * other.G[i])).ToArray();
            // The sums' rounding joins the slack.
            var slack = Enumerable.Range(0, Width).Select(i => (Slack?[i] ?? 0) + (other.Slack?[i] ?? 0) + (2 * Unit * (Math.Abs(c[i]) + Math.Abs(g[i])))).ToArray();
            if (Lo is null && other.Lo is null)
            {
                return new(c, g, slack, null, null, v, rho);
            }

            var (a, b) = (Box, other.Box);
            var lo = a.Lo.Select((x, i) => x + (sign > 0 ? b.Lo[i] : -b.Hi[i])).ToArray();
            var hi = a.Hi.Select((x, i) => x + (sign > 0 ? b.Hi[i] : -b.Lo[i])).ToArray();
            return new(c, g, slack, Widen(lo, -1), Widen(hi, 1), v, rho);
        }

        /// <summary>The concatenation of <paramref name="parts"/> (the radius the root of the squares: they err in different coordinates).</summary>
        public static Flow Join(IReadOnlyList<Flow> parts)
        {
            var v = parts.SelectMany(p => p.V).ToArray();
            var rho = Math.Sqrt(parts.Sum(p => p.Rho * p.Rho));
            double[]? slack = parts.All(p => p.Slack is null) ? null : [.. parts.SelectMany(p => p.Slack ?? new double[p.Width])];
            var clipped = parts.Any(p => p.Lo is not null);
            return new([.. parts.SelectMany(p => p.C)], [.. parts.SelectMany(p => p.G)], slack,
                clipped ? [.. parts.SelectMany(p => p.Box.Lo)] : null, clipped ? [.. parts.SelectMany(p => p.Box.Hi)] : null, v, rho);
        }

        /// <summary>Through every layer of <paramref name="chain"/>.</summary>
        public Flow Through(Prepared chain)
        {
            double[] c = C, g = G;
            double[]? slack = Slack, lo = Lo, hi = Hi;
            var v = V;
            var rho = Rho;
            for (var l = 0; l < chain.Layers.Length; l++)
            {
                var layer = chain.Layers[l];
                switch (layer.Kind)
                {
                    case HeadLayerKind.Affine:
                    {
                        var k = layer.Inputs;
                        var rounding = (k + 2) * Unit;
                        var next = MatVec(layer, v, bias: false);
                        rho = (chain.Norm[l] * rho) + (rounding * chain.Frobenius[l] * Norm2(v));
                        v = next;
                        // Exact on the affine part; the error radius through |W|, plus the products' rounding.
                        var (c1, g1) = (MatVec(layer, c, bias: true), MatVec(layer, g, bias: false));
                        var carried = slack is null ? new double[layer.Outputs] : AbsMatVec(chain.Abs[l], layer, slack);
                        var (cn, gn) = (Norm2(c), Norm2(g));
                        slack = [.. carried.Select((x, i) => x + (rounding * ((chain.RowNorm[l][i] * (cn + gn)) + Math.Abs(layer.Bias[i]))))];
                        (c, g, lo, hi) = (c1, g1, null, null);
                        break;
                    }

                    case HeadLayerKind.Activation:
                    {
                        var (bLo, bHi) = SegmentBound.Box(c, g, slack, lo, hi);
                        var width = bLo.Length;
                        var (nextLo, nextHi, next) = (new double[width], new double[width], new double[width]);
                        var (c1, g1, s1) = (new double[width], new double[width], new double[width]);
                        double steepest = 0, spread = 0;
                        for (var i = 0; i < width; i++)
                        {
                            var (sl, sh) = ActivationRange.Slope(layer.Activation, layer.Alpha, bLo[i], bHi[i]);
                            var (mid, half, steep) = ((sl + sh) / 2, (sh - sl) / 2, Math.Max(Math.Abs(sl), Math.Abs(sh)));
                            next[i] = mid * v[i];
                            var r = half * v[i];
                            spread += r * r;
                            steepest = Math.Max(steepest, steep);
                            (nextLo[i], nextHi[i]) = ActivationRange.Value(layer.Activation, layer.Alpha, bLo[i], bHi[i]);
                            // f(x) − f(c) = f′(ξ)·(x − c) with f′(ξ) ∈ [sₗ, sₕ]: = mid·s·g + (f′(ξ) − mid)·s·g + f′(ξ)·e.
                            var (fLo, fHi) = ActivationRange.Value(layer.Activation, layer.Alpha, c[i], c[i]);
                            c1[i] = (fLo + fHi) / 2;
                            g1[i] = mid * g[i];
                            s1[i] = ((fHi - fLo) / 2) + (half * Math.Abs(g[i])) + (steep * (slack?[i] ?? 0)) + (2 * Unit * Math.Abs(g1[i]));
                        }

                        (v, rho, c, g, slack, lo, hi) = (next, (steepest * rho) + Math.Sqrt(spread), c1, g1, s1, nextLo, nextHi);
                        break;
                    }

                    case HeadLayerKind.LayerNorm:
                        (v, rho, c, g, slack, lo, hi) = LayerNorm(layer, c, g, slack, lo, hi, v, rho);
                        break;
                    default:
                        (v, rho, c, g, slack, lo, hi) = SoftmaxExpectation(layer, c, g, slack, SegmentBound.Box(c, g, slack, lo, hi), v, rho);
                        break;
                }

                if (lo is not null)
                {
                    (c, g, slack) = Rebase(c, g, slack!, lo, hi!);
                }
            }

            return new(c, g, slack, lo, hi, v, rho);
        }

        /// <summary>
        /// Per coordinate, where the clipping box is narrower than the affine form's error eᵢ alone, the coordinate becomes
        /// the box's midpoint with its half-width as error (it then no longer moves with s). Far along a long piece the
        /// mean-value form's error can be far beyond a layer's direct range; where it is not, the form is kept whole,
        /// since its generator's correlation between units is worth more downstream than a narrower box.
        /// </summary>
        private static (double[] C, double[] G, double[] Slack) Rebase(double[] c, double[] g, double[] slack, double[] lo, double[] hi)
        {
            double[]? c1 = null, g1 = null, s1 = null;
            for (var i = 0; i < c.Length; i++)
            {
                var half = (hi[i] - lo[i]) / 2;
                if (half < slack[i])
                {
                    (c1, g1, s1) = (c1 ?? [.. c], g1 ?? [.. g], s1 ?? [.. slack]);
                    (c1[i], g1[i], s1[i]) = (lo[i] + half, 0, half + (2 * Unit * (Math.Abs(lo[i]) + Math.Abs(hi[i]))));
                }
            }

            return (c1 ?? c, g1 ?? g, s1 ?? slack);
        }

        private static double[] Widen(double[] x, int direction) => [.. x.Select(v => v + (direction * 1e-15 * (1 + Math.Abs(v))))];
    }

    /// <summary>The box of an affine form (centre ± (|generator| + slack)), within the clipping box when there is one.</summary>
    private static (double[] Lo, double[] Hi) Box(double[] c, double[] g, double[]? slack, double[]? lo, double[]? hi)
    {
        var n = c.Length;
        var (bLo, bHi) = (new double[n], new double[n]);
        for (var i = 0; i < n; i++)
        {
            var r = Math.Abs(g[i]) + (slack?[i] ?? 0);
            (bLo[i], bHi[i]) = (c[i] - r, c[i] + r);
            if (lo is not null)
            {
                (bLo[i], bHi[i]) = (Math.Max(bLo[i], lo[i]), Math.Min(bHi[i], hi![i]));
            }
        }

        return (bLo, bHi);
    }

    /// <summary>
    /// A layer normalisation of an affine form c + s·g + e, with the tangent. Its ranges: the centred inputs a + s·b + (e −
    /// mean e), the variance's least value over s ∈ [−1, 1] in closed form (a convex quadratic) lowered by the error's
    /// effect on the root (centring is a projection: at most ‖e‖/√n), its greatest from the endpoints raised likewise.
    /// A clipping box, when there is one, raises the least variance (<see cref="BoxVariance"/>) and narrows the ranges.
    /// The values in mean-value form: yᵢ(x) − yᵢ(c) = ∇yᵢ(ξᵢ)·(s·g + e) with ξᵢ in the box, the rows of J over the box in
    /// interval arithmetic (<see cref="NormJacobianTimes"/>).
    /// </summary>
    private static (double[] V, double Rho, double[] C, double[] G, double[] Slack, double[] Lo, double[] Hi) LayerNorm(HeadLayer layer, double[] c, double[] g, double[]? slack, double[]? lo, double[]? hi, double[] v, double rho)
    {
        var n = layer.Inputs;
        var (m0, m1) = (c.Average(), g.Average());
        var errMean = slack?.Average() ?? 0;
        double aa = 0, ab = 0, bb = 0, slackSq = 0;
        var cLo = new double[n]; // the centred inputs' ranges
        var cHi = new double[n];
        for (var i = 0; i < n; i++)
        {
            var (a, b) = (c[i] - m0, g[i] - m1);
            aa += a * a;
            ab += a * b;
            bb += b * b;
            var ei = slack?[i] ?? 0;
            slackSq += ei * ei;
            var e = ei + errMean; // |eᵢ − mean e| ≤ |eᵢ| + mean|e|
            (cLo[i], cHi[i]) = (a - Math.Abs(b) - e, a + Math.Abs(b) + e);
        }

        var s = VarianceAtEndpoint.Value ? -1 : bb > 0 ? Math.Clamp(-ab / bb, -1, 1) : 0;
        var least = (aa + (2 * s * ab) + (s * s * bb)) / n;
        var most = (aa + (2 * Math.Abs(ab)) + bb) / n;
        // The error's effect on ‖centred‖/√n is at most ‖e‖/√n: lower and raise the root by it.
        var shift = Math.Sqrt(slackSq / n) * (1 + 1e-9);
        var varMin = Math.Pow(Math.Max(0, Math.Sqrt(Math.Max(0, least - (1e-9 * (aa + bb) / n))) - shift), 2);
        var varMax = Math.Pow(Math.Sqrt(most * (1 + 1e-9)) + shift, 2);
        if (lo is not null)
        {
            // The inputs also lie in a clipping box: its least variance and centred ranges hold too.
            varMin = Math.Max(varMin, BoxVariance(lo, hi!) * (1 - 1e-9));
            var (mLo, mHi) = (lo.Average(), hi!.Average());
            for (var i = 0; i < n; i++)
            {
                (cLo[i], cHi[i]) = (Math.Max(cLo[i], lo[i] - mHi), Math.Min(cHi[i], hi![i] - mLo));
            }
        }

        var sigmaLo = Math.Sqrt(varMin + layer.Eps);
        var sigmaHi = Math.Sqrt(varMax + layer.Eps);
        var xLo = new double[n];
        var xHi = new double[n];
        for (var i = 0; i < n; i++)
        {
            // x̂ = c/σ with σ ∈ [σlo, σhi] > 0.
            xLo[i] = cLo[i] >= 0 ? cLo[i] / sigmaHi : cLo[i] / sigmaLo;
            xHi[i] = cHi[i] >= 0 ? cHi[i] / sigmaLo : cHi[i] / sigmaHi;
        }

        var gamma = layer.Weight;
        var (tangent, tangentRadius) = NormJacobianTimes(gamma, xLo, xHi, sigmaLo, sigmaHi, v);
        var (g1, gRadius) = NormJacobianTimes(gamma, xLo, xHi, sigmaLo, sigmaHi, g);

        // The value at the centre, and J(ξ)·e: |(J w)ᵢ| ≤ |γᵢ|/σlo·(|wᵢ| + mean|w| + |x̂ᵢ|·|x̂·w|/n) (x̂ sums to 0).
        var sigma = Math.Sqrt((aa / n) + layer.Eps); // aa = Σ (cᵢ − mean c)², from the ranges above
        double reach = 0;
        var xMax = new double[n];
        for (var j = 0; j < n; j++)
        {
            xMax[j] = Math.Max(Math.Abs(xLo[j]), Math.Abs(xHi[j]));
            reach += xMax[j] * (slack?[j] ?? 0);
        }

        var rootN = Math.Sqrt(n);
        var c1 = new double[n];
        var s1 = new double[n];
        var yLo = new double[n];
        var yHi = new double[n];
        double spread = 0;
        for (var i = 0; i < n; i++)
        {
            spread += tangentRadius[i] * tangentRadius[i];
            c1[i] = (gamma[i] * (c[i] - m0) / sigma) + layer.Bias[i];
            var error = Math.Abs(gamma[i]) / sigmaLo * ((slack?[i] ?? 0) + errMean + (xMax[i] * reach / n));
            // The centre's value is computed in double: its rounding, generously, relative to its terms' sizes.
            s1[i] = gRadius[i] + error + (1e-11 * (1 + Math.Abs(layer.Bias[i]) + (Math.Abs(gamma[i]) * rootN)));
            (yLo[i], yHi[i]) = gamma[i] >= 0 ? ((gamma[i] * xLo[i]) + layer.Bias[i], (gamma[i] * xHi[i]) + layer.Bias[i]) : ((gamma[i] * xHi[i]) + layer.Bias[i], (gamma[i] * xLo[i]) + layer.Bias[i]);
            (yLo[i], yHi[i]) = (yLo[i] - (1e-12 * (1 + Math.Abs(yLo[i]))), yHi[i] + (1e-12 * (1 + Math.Abs(yHi[i]))));
        }

        var scale = gamma.Max(Math.Abs);
        return (tangent, (scale / sigmaLo * rho) + Math.Sqrt(spread), c1, g1, s1, yLo, yHi);
    }

    /// <summary>
    /// J·w for every Jacobian J = diag(γ)/σ·(I − 11ᵀ/n − x̂x̂ᵀ/n) of a layer normalisation with x̂ᵢ ∈ [xLoᵢ, xHiᵢ] and σ ∈
    /// [σlo, σhi], in interval arithmetic: the midpoints and the half-widths (raised for rounding) per coordinate.
    /// </summary>
    private static (double[] Mid, double[] Radius) NormJacobianTimes(System.Collections.Immutable.ImmutableArray<double> gamma, double[] xLo, double[] xHi, double sigmaLo, double sigmaHi, double[] w)
    {
        var n = w.Length;
        var mean = w.Average();
        var dc = w.Select(x => x - mean).ToArray();
        double sLo = 0, sHi = 0;
        for (var j = 0; j < n; j++)
        {
            var (p, q) = (xLo[j] * dc[j], xHi[j] * dc[j]);
            sLo += Math.Min(p, q);
            sHi += Math.Max(p, q);
        }

        var mid = new double[n];
        var radius = new double[n];
        for (var i = 0; i < n; i++)
        {
            var (pLo, pHi) = Product(xLo[i], xHi[i], sLo / n, sHi / n);
            var (aLo, aHi) = (dc[i] - pHi, dc[i] - pLo);
            var (qLo, qHi) = (aLo >= 0 ? aLo / sigmaHi : aLo / sigmaLo, aHi >= 0 ? aHi / sigmaLo : aHi / sigmaHi);
            var (tLo, tHi) = gamma[i] >= 0 ? (gamma[i] * qLo, gamma[i] * qHi) : (gamma[i] * qHi, gamma[i] * qLo);
            mid[i] = (tLo + tHi) / 2;
            radius[i] = ((tHi - tLo) / 2) + (1e-12 * (Math.Abs(tLo) + Math.Abs(tHi)));
        }

        return (mid, radius);
    }

    /// <summary>
    /// A two-hot head's decoding v = Σ softmax(ℓ)ᵢ·bᵢ of an affine form of logits, with the tangent: the value at the
    /// centre plus ∇v(ξ)·(s·g + e) with ∇v = p ⊙ (b − v) over the box in interval arithmetic, and the direct range as the clip.
    /// </summary>
    private static (double[] V, double Rho, double[] C, double[] G, double[] Slack, double[] Lo, double[] Hi) SoftmaxExpectation(HeadLayer layer, double[] c, double[] g, double[]? slack, (double[] Lo, double[] Hi) box, double[] v, double rho)
    {
        var (lo, hi) = box;
        var n = lo.Length;
        var bins = layer.Weight;
        var top = hi.Max();
        var eLo = lo.Select(x => Math.Exp(x - top)).ToArray();
        var eHi = hi.Select(x => Math.Exp(x - top)).ToArray();
        var (sumLo, sumHi) = (eLo.Sum(), eHi.Sum());
        var pLo = new double[n];
        var pHi = new double[n];
        for (var i = 0; i < n; i++)
        {
            // A ratio 0/0 (every exponential underflows) says nothing: p ∈ [0, 1].
            var (least, most) = (eLo[i] / (eLo[i] + Math.Max(0, sumHi - eHi[i])), eHi[i] / (eHi[i] + Math.Max(0, sumLo - eLo[i])));
            pLo[i] = double.IsNaN(least) ? 0 : Math.Max(0, least * (1 - 1e-12));
            pHi[i] = double.IsNaN(most) ? 1 : Math.Min(1, most * (1 + 1e-12));
        }

        var (bMin, bMax) = (bins.Min(), bins.Max());
        double vLo = 0, vHi = 0;
        for (var i = 0; i < n; i++)
        {
            var (p, q) = (pLo[i] * bins[i], pHi[i] * bins[i]);
            vLo += Math.Min(p, q);
            vHi += Math.Max(p, q);
        }

        (vLo, vHi) = (Math.Max(bMin, vLo - (1e-12 * (1 + Math.Abs(vLo)))), Math.Min(bMax, vHi + (1e-12 * (1 + Math.Abs(vHi)))));
        var gradient = new (double Lo, double Hi)[n];
        double reach = 0, steepest = 0;
        for (var i = 0; i < n; i++)
        {
            gradient[i] = Product(pLo[i], pHi[i], bins[i] - vHi, bins[i] - vLo);
            var most = Math.Max(Math.Abs(gradient[i].Lo), Math.Abs(gradient[i].Hi));
            reach += most * (slack?[i] ?? 0);
            steepest += most * most;
        }

        // The tangent's radius passes through ‖∇v‖, at most the gradient box's norm and at most (max b − min b)/2.
        var norm = Math.Min((bMax - bMin) / 2, Math.Sqrt(steepest) * (1 + 1e-12));

        var (tangent, tangentRadius) = GradientTimes(gradient, pLo, pHi, v);
        var (g1, gRadius) = GradientTimes(gradient, pLo, pHi, g);

        // The value at the centre, in double (its rounding, generously, relative to the bins' size).
        var peak = c.Max();
        var weights = c.Select(x => Math.Exp(x - peak)).ToArray();
        var total = weights.Sum();
        var value = weights.Select((w, i) => w * bins[i]).Sum() / total;
        var error = gRadius + reach + (1e-11 * (1 + Math.Max(Math.Abs(bMin), Math.Abs(bMax))));
        return ([tangent], (norm * rho) + tangentRadius, [value], [g1], [error], [vLo], [vHi]);
    }

    /// <summary>
    /// ∇v·w over the box, ∇v = p ⊙ (b − v) in <paramref name="gradient"/>'s intervals: its midpoint and half-width. The
    /// gradient sums to 0 for every p (Σ pᵢ(bᵢ − v) = v − v), so a common shift of w changes nothing: shifting w by its
    /// p-weighted mean first keeps interval arithmetic from charging for that common mode.
    /// </summary>
    private static (double Mid, double Radius) GradientTimes((double Lo, double Hi)[] gradient, double[] pLo, double[] pHi, double[] w)
    {
        double weight = 0, shift = 0;
        for (var i = 0; i < w.Length; i++)
        {
            var p = (pLo[i] + pHi[i]) / 2;
            weight += p;
            shift += p * w[i];
        }

        shift = weight > 0 ? shift / weight : 0;
        double tLo = 0, tHi = 0;
        for (var i = 0; i < w.Length; i++)
        {
            var (p, q) = (gradient[i].Lo * (w[i] - shift), gradient[i].Hi * (w[i] - shift));
            tLo += Math.Min(p, q);
            tHi += Math.Max(p, q);
        }

        return ((tLo + tHi) / 2, ((tHi - tLo) / 2) + (1e-12 * (Math.Abs(tLo) + Math.Abs(tHi))));
    }

    /// <summary>
    /// The least variance (1/n)·Σ(yᵢ − ȳ)² over the box: n·var = min over c of Σ dist(c, [loᵢ, hiᵢ])², a convex piecewise
    /// quadratic in c, minimised exactly piece by piece between the sorted endpoints.
    /// </summary>
    internal static double BoxVariance(double[] lo, double[] hi)
    {
        var n = lo.Length;
        var points = lo.Concat(hi).Order().ToArray();
        var best = double.PositiveInfinity;
        // On each piece between consecutive endpoints (and beyond both ends), Σ dist² = A·c² + B·c + C.
        for (var k = 0; k <= points.Length; k++)
        {
            var left = k == 0 ? double.NegativeInfinity : points[k - 1];
            var right = k == points.Length ? double.PositiveInfinity : points[k];
            var probe = double.IsInfinity(left) ? right - 1 : double.IsInfinity(right) ? left + 1 : (left + right) / 2;
            double a = 0, b = 0, cc = 0;
            for (var i = 0; i < n; i++)
            {
                if (probe < lo[i])
                {
                    (a, b, cc) = (a + 1, b - (2 * lo[i]), cc + (lo[i] * lo[i]));
                }
                else if (probe > hi[i])
                {
                    (a, b, cc) = (a + 1, b - (2 * hi[i]), cc + (hi[i] * hi[i]));
                }
            }

            var at = a > 0 ? Math.Clamp(-b / (2 * a), left, right) : probe;
            if (double.IsInfinity(at))
            {
                continue;
            }

            best = Math.Min(best, Math.Max(0, (a * at * at) + (b * at) + cc));
        }

        return best / n;
    }

    private static (double Lo, double Hi) Product(double aLo, double aHi, double bLo, double bHi)
    {
        double[] corners = [aLo * bLo, aLo * bHi, aHi * bLo, aHi * bHi];
        return (corners.Min(), corners.Max());
    }

    private static (double[] Mid, double[] Rad) MidRad(double[] lo, double[] hi) =>
        (lo.Select((x, i) => (x + hi[i]) / 2).ToArray(), lo.Select((x, i) => ((hi[i] - x) / 2) + (1e-15 * (Math.Abs(x) + Math.Abs(hi[i])))).ToArray());

    private static double[] MatVec(HeadLayer layer, double[] x, bool bias)
    {
        var y = new double[layer.Outputs];
        if (!bias && Array.TrueForAll(x, v => v == 0))
        {
            return y; // a point's generator, a constant's tangent: nothing to multiply
        }

        var w = layer.Weight.AsSpan();
        for (var i = 0; i < y.Length; i++)
        {
            y[i] = (bias ? layer.Bias[i] : 0) + System.Numerics.Tensors.TensorPrimitives.Dot(w.Slice(i * layer.Inputs, layer.Inputs), x);
        }

        return y;
    }

    private static double[] AbsMatVec(double[] abs, HeadLayer layer, double[] x)
    {
        var y = new double[layer.Outputs];
        if (Array.TrueForAll(x, v => v == 0))
        {
            return y;
        }

        for (var i = 0; i < y.Length; i++)
        {
            // Non-negative terms: raised by the sum's own rounding bound.
            y[i] = System.Numerics.Tensors.TensorPrimitives.Dot(abs.AsSpan(i * layer.Inputs, layer.Inputs), x) * (1 + ((layer.Inputs + 2) * Unit));
        }

        return y;
    }

    private static double Norm2(double[] x)
    {
        double s = 0;
        foreach (var v in x)
        {
            s += v * v;
        }

        return Math.Sqrt(s);
    }
}
