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
/// The segment is cut into <see cref="Pieces"/> pieces; on each, the chain is run forward on two things at once
/// (interval forward-mode differentiation):
/// </para>
/// <list type="bullet">
/// <item>the <b>values</b>: exactly a segment (centre ± generator) through the affine layers before the first non-affine one,
/// then a box (centre ± radius per coordinate; an affine layer maps it to <c>W·c + b ± |W|·r</c>); an activation maps a box
/// to its range (<see cref="ActivationRange.Value"/>); a layer normalisation to <c>γ·[c]/[σ] + β</c>, with the
/// variance's least value over the segment in closed form (a convex quadratic) or over the box as the box's squared
/// distance to the line of constant vectors (a convex piecewise quadratic minimised exactly), and its greatest from the
/// endpoints or the coordinates' extremes;</item>
/// <item>the <b>tangent</b> J·u, as a vector and a radius in the 2-norm around it: an affine layer maps (v, ρ) to
/// (W·v, ‖W‖·ρ); an activation whose slopes lie in [sₗ, sₕ] per unit (<see cref="ActivationRange.Slope"/>; a ReLU unit
/// active on the whole box has slope exactly 1) to (c⊙v, max|s|·ρ + ‖r⊙v‖) with c and r the slopes' midpoints and
/// half-widths; a layer normalisation's Jacobian <c>diag(γ)/σ·(I − 11ᵀ/n − x̂x̂ᵀ/n)</c> applied to v in interval
/// arithmetic over the box (midpoint as the new vector, the half-widths' norm added to the radius) plus
/// <c>max|γ|/σ_min·ρ</c>; the two-hot decoding's gradient p⊙(b − v) likewise, plus <c>(max b − min b)/2·ρ</c>.</item>
/// </list>
/// <para>
/// The piece's bound is ‖v‖ + ρ at the end, a bound on sup ‖J·u‖ over the piece; the segment's is the pieces' mean. Rounding: each matrix–vector product
/// adds (k + 2)·2⁻⁵³·‖W‖_F·‖v‖ to the radius (and the same per row to the value boxes), and the result is raised by a
/// relative 1e-9. A property checks the bound against finite differences along random segments of random chains.
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
        double total = 0;
        for (var j = 0; j < pieces; j++)
        {
            var at = (j + 0.5) / pieces;
            var centre = new double[n];
            var generator = new double[n];
            for (var i = 0; i < n; i++)
            {
                centre[i] = x0[i] + (at * direction[i]);
                generator[i] = direction[i] / (2 * pieces);
            }

            if (through(Flow.Segment(centre, generator, u)) is not { } result)
            {
                return double.PositiveInfinity;
            }

            total += result.Bound;
        }

        // ‖f(x₁) − f(x₀)‖ ≤ ‖x₁ − x₀‖·∫₀¹ ‖J(x(t))·u‖ dt ≤ ‖x₁ − x₀‖·(1/P)·Σ sup over piece j: the pieces' mean.
        return total / pieces * (1 + 1e-9);
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
    /// s ∈ [−1, 1]) or one point: the values as a segment (exact, with a per-coordinate rounding slack) until the first
    /// non-affine layer, then as a box; the tangent as a vector and a radius around it (see the remarks on the type).
    /// Immutable: each step returns a new flow.
    /// </summary>
    internal sealed class Flow
    {
        private Flow(double[]? c, double[]? g, double[]? slack, double[]? lo, double[]? hi, double[] v, double rho) =>
            (C, G, Slack, Lo, Hi, V, Rho) = (c, g, slack, lo, hi, v, rho);

        /// <summary>The segment's centre, generator and rounding slack (null once a box).</summary>
        public double[]? C { get; }

        /// <summary>See <see cref="C"/>.</summary>
        public double[]? G { get; }

        /// <summary>See <see cref="C"/>; null for none.</summary>
        public double[]? Slack { get; }

        /// <summary>The box (null while a segment).</summary>
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

        /// <summary>The values as a box (a segment's with its slack).</summary>
        public (double[] Lo, double[] Hi) Box => SegmentBound.Box(C!, G!, Slack, Lo, Hi);

        /// <summary>A piece of a segment, the tangent starting at <paramref name="direction"/> exactly.</summary>
        public static Flow Segment(double[] centre, double[] generator, double[] direction) => new(centre, generator, null, null, null, direction, 0);

        /// <summary>A point (a segment of no length) with no tangent: a rollout's value, for its rounding.</summary>
        public static Flow Point(double[] value) => new(value, new double[value.Length], null, null, null, new double[value.Length], 0);

        /// <summary>Constants (the one-hot action of a transition's input): no width, no tangent.</summary>
        public static Flow Constant(double[] value) => Point(value);

        /// <summary>Coordinates <paramref name="from"/>…<paramref name="from"/>+<paramref name="count"/>−1.</summary>
        public Flow Slice(int from, int count) => C is not null
            ? new(C[from..(from + count)], G![from..(from + count)], Slack?[from..(from + count)], null, null, V[from..(from + count)], Rho)
            : new(null, null, null, Lo![from..(from + count)], Hi![from..(from + count)], V[from..(from + count)], Rho);

        /// <summary>This plus <paramref name="sign"/> times <paramref name="other"/> (both functions of the same piece).</summary>
        public Flow Plus(Flow other, int sign)
        {
            var v = V.Select((x, i) => x + (sign * other.V[i])).ToArray();
            var rho = Rho + other.Rho;
            if (C is not null && other.C is not null)
            {
                double[]? slack = Slack is null && other.Slack is null ? null : [.. Enumerable.Range(0, Width).Select(i => (Slack?[i] ?? 0) + (other.Slack?[i] ?? 0))];
                return new(C.Select((x, i) => x + (sign * other.C[i])).ToArray(), G!.Select((x, i) => x + (sign * other.G![i])).ToArray(), slack, null, null, v, rho);
            }

            var (a, b) = (Box, other.Box);
            var lo = a.Lo.Select((x, i) => x + (sign > 0 ? b.Lo[i] : -b.Hi[i])).ToArray();
            var hi = a.Hi.Select((x, i) => x + (sign > 0 ? b.Hi[i] : -b.Lo[i])).ToArray();
            return new(null, null, null, Widen(lo, -1), Widen(hi, 1), v, rho);
        }

        /// <summary>The concatenation of <paramref name="parts"/> (the radius the root of the squares: they err in different coordinates).</summary>
        public static Flow Join(IReadOnlyList<Flow> parts)
        {
            var v = parts.SelectMany(p => p.V).ToArray();
            var rho = Math.Sqrt(parts.Sum(p => p.Rho * p.Rho));
            if (parts.All(p => p.C is not null))
            {
                double[]? slack = parts.All(p => p.Slack is null) ? null : [.. parts.SelectMany(p => p.Slack ?? new double[p.Width])];
                return new([.. parts.SelectMany(p => p.C!)], [.. parts.SelectMany(p => p.G!)], slack, null, null, v, rho);
            }

            return new(null, null, null, [.. parts.SelectMany(p => p.Box.Lo)], [.. parts.SelectMany(p => p.Box.Hi)], v, rho);
        }

        /// <summary>Through every layer of <paramref name="chain"/>.</summary>
        public Flow Through(Prepared chain)
        {
            double[]? c = C, g = G, slack = Slack, lo = Lo, hi = Hi;
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
                        if (lo is null)
                        {
                            // The segment stays a segment; the products' rounding is carried as a per-coordinate slack.
                            var (c1, g1) = (MatVec(layer, c!, bias: true), MatVec(layer, g!, bias: false));
                            var carried = slack is null ? new double[layer.Outputs] : AbsMatVec(chain.Abs[l], layer, slack);
                            var (cn, gn) = (Norm2(c!), Norm2(g!));
                            slack = [.. carried.Select((x, i) => x + (rounding * ((chain.RowNorm[l][i] * (cn + gn)) + Math.Abs(layer.Bias[i]))))];
                            (c, g) = (c1, g1);
                        }
                        else
                        {
                            var (mid, rad) = MidRad(lo, hi!);
                            var m1 = MatVec(layer, mid, bias: true);
                            var r1 = AbsMatVec(chain.Abs[l], layer, rad);
                            var (midNorm, radNorm) = (Norm2(mid), Norm2(rad));
                            for (var i = 0; i < m1.Length; i++)
                            {
                                r1[i] += rounding * ((chain.RowNorm[l][i] * (midNorm + radNorm)) + Math.Abs(layer.Bias[i]));
                            }

                            (lo, hi) = (m1.Select((m, i) => m - r1[i]).ToArray(), m1.Select((m, i) => m + r1[i]).ToArray());
                        }

                        break;
                    }

                    case HeadLayerKind.Activation:
                    {
                        (lo, hi) = SegmentBound.Box(c!, g!, slack, lo, hi);
                        var width = lo.Length;
                        var nextLo = new double[width];
                        var nextHi = new double[width];
                        var next = new double[width];
                        double steepest = 0, spread = 0;
                        for (var i = 0; i < width; i++)
                        {
                            var (sl, sh) = ActivationRange.Slope(layer.Activation, layer.Alpha, lo[i], hi![i]);
                            next[i] = (sl + sh) / 2 * v[i];
                            var r = (sh - sl) / 2 * v[i];
                            spread += r * r;
                            steepest = Math.Max(steepest, Math.Max(Math.Abs(sl), Math.Abs(sh)));
                            (nextLo[i], nextHi[i]) = ActivationRange.Value(layer.Activation, layer.Alpha, lo[i], hi[i]);
                        }

                        (v, rho, lo, hi) = (next, (steepest * rho) + Math.Sqrt(spread), nextLo, nextHi);
                        break;
                    }

                    case HeadLayerKind.LayerNorm:
                        (v, rho, lo, hi) = LayerNorm(layer, c, g, slack, lo, hi, v, rho);
                        break;
                    default:
                        (v, rho, lo, hi) = SoftmaxExpectation(layer, SegmentBound.Box(c!, g!, slack, lo, hi), v, rho);
                        break;
                }

                if (lo is not null)
                {
                    (c, g, slack) = (null, null, null);
                }
            }

            return new(c, g, slack, lo, hi, v, rho);
        }

        private static double[] Widen(double[] x, int direction) => [.. x.Select(v => v + (direction * 1e-15 * (1 + Math.Abs(v))))];
    }

    /// <summary>The box of a segment (centre ± |generator|, widened by the rounding slack), or the box itself.</summary>
    private static (double[] Lo, double[] Hi) Box(double[] c, double[] g, double[]? slack, double[]? lo, double[]? hi)
    {
        if (lo is not null)
        {
            return (lo, hi!);
        }

        return (c.Select((x, i) => x - Math.Abs(g[i]) - (slack?[i] ?? 0)).ToArray(), c.Select((x, i) => x + Math.Abs(g[i]) + (slack?[i] ?? 0)).ToArray());
    }

    /// <summary>A layer normalisation over a segment or box of inputs, with the tangent.</summary>
    private static (double[] V, double Rho, double[] Lo, double[] Hi) LayerNorm(HeadLayer layer, double[]? c, double[]? g, double[]? slack, double[]? lo, double[]? hi, double[] v, double rho)
    {
        var n = layer.Inputs;
        double varMin, varMax;
        double[] cLo, cHi; // the centred inputs' ranges
        if (lo is null)
        {
            // A segment: c(s) = c0 + s·c1 for s ∈ [−1, 1] after centring; σ² is a convex quadratic in s.
            var (m0, m1) = (c!.Average(), g!.Average());
            double aa = 0, ab = 0, bb = 0, slackSq = 0;
            cLo = new double[n];
            cHi = new double[n];
            for (var i = 0; i < n; i++)
            {
                var (a, b) = (c![i] - m0, g![i] - m1);
                aa += a * a;
                ab += a * b;
                bb += b * b;
                var e = 2 * (slack?[i] ?? 0); // the slack moves a centred coordinate by at most twice its own
                slackSq += e * e;
                (cLo[i], cHi[i]) = (a - Math.Abs(b) - e, a + Math.Abs(b) + e);
            }

            var s = bb > 0 ? Math.Clamp(-ab / bb, -1, 1) : 0;
            var least = (aa + (2 * s * ab) + (s * s * bb)) / n;
            var most = (aa + (2 * Math.Abs(ab)) + bb) / n;
            // The slack's effect on ‖c‖/√n is at most ‖e‖/√n: lower and raise the root by it.
            var shift = Math.Sqrt(slackSq / n);
            varMin = Math.Pow(Math.Max(0, Math.Sqrt(Math.Max(0, least - (1e-9 * (aa + bb) / n))) - shift), 2);
            varMax = Math.Pow(Math.Sqrt(most * (1 + 1e-9)) + shift, 2);
        }
        else
        {
            var top = hi!;
            var (mLo, mHi) = (lo.Average(), top.Average());
            cLo = lo.Select(x => x - mHi).ToArray();
            cHi = top.Select(x => x - mLo).ToArray();
            varMin = BoxVariance(lo, top) * (1 - 1e-9);
            varMax = cLo.Select((x, i) => Math.Max(x * x, cHi[i] * cHi[i])).Sum() / n * (1 + 1e-9);
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

        // The tangent: ẏ = γ ⊙ (ċ − x̂·(x̂·ċ)/n)/σ with ċ = v − mean(v), in interval arithmetic over the box.
        var mean = v.Average();
        var dc = v.Select(x => x - mean).ToArray();
        double sLo = 0, sHi = 0;
        for (var j = 0; j < n; j++)
        {
            var (p, q) = (xLo[j] * dc[j], xHi[j] * dc[j]);
            sLo += Math.Min(p, q);
            sHi += Math.Max(p, q);
        }

        var next = new double[n];
        double spread = 0;
        var yLo = new double[n];
        var yHi = new double[n];
        var gamma = layer.Weight;
        for (var i = 0; i < n; i++)
        {
            var (pLo, pHi) = Product(xLo[i], xHi[i], sLo / n, sHi / n);
            var (aLo, aHi) = (dc[i] - pHi, dc[i] - pLo);
            var (qLo, qHi) = (aLo >= 0 ? aLo / sigmaHi : aLo / sigmaLo, aHi >= 0 ? aHi / sigmaLo : aHi / sigmaHi);
            var (tLo, tHi) = gamma[i] >= 0 ? (gamma[i] * qLo, gamma[i] * qHi) : (gamma[i] * qHi, gamma[i] * qLo);
            next[i] = (tLo + tHi) / 2;
            var r = ((tHi - tLo) / 2) + (1e-12 * (Math.Abs(tLo) + Math.Abs(tHi)));
            spread += r * r;
            (yLo[i], yHi[i]) = gamma[i] >= 0 ? ((gamma[i] * xLo[i]) + layer.Bias[i], (gamma[i] * xHi[i]) + layer.Bias[i]) : ((gamma[i] * xHi[i]) + layer.Bias[i], (gamma[i] * xLo[i]) + layer.Bias[i]);
            (yLo[i], yHi[i]) = (yLo[i] - (1e-12 * (1 + Math.Abs(yLo[i]))), yHi[i] + (1e-12 * (1 + Math.Abs(yHi[i]))));
        }

        var scale = gamma.Max(Math.Abs);
        return (next, (scale / sigmaLo * rho) + Math.Sqrt(spread), yLo, yHi);
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

    /// <summary>A two-hot head's decoding v = Σ softmax(ℓ)ᵢ·bᵢ over a box of logits, with the tangent.</summary>
    private static (double[] V, double Rho, double[] Lo, double[] Hi) SoftmaxExpectation(HeadLayer layer, (double[] Lo, double[] Hi) box, double[] v, double rho)
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
            pLo[i] = Math.Max(0, (eLo[i] / (eLo[i] + Math.Max(0, sumHi - eHi[i]))) * (1 - 1e-12));
            pHi[i] = Math.Min(1, (eHi[i] / (eHi[i] + Math.Max(0, sumLo - eLo[i]))) * (1 + 1e-12));
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
        // The gradient sums to 0 for every p (Σ pᵢ(bᵢ − v) = v − v), so a common shift of the logits' tangent changes
        // nothing: shifting by its p-weighted mean first keeps interval arithmetic from charging for that common mode.
        double weight = 0, shift = 0;
        for (var i = 0; i < n; i++)
        {
            var w = (pLo[i] + pHi[i]) / 2;
            weight += w;
            shift += w * v[i];
        }

        shift = weight > 0 ? shift / weight : 0;
        double tLo = 0, tHi = 0;
        for (var i = 0; i < n; i++)
        {
            var (gLo, gHi) = Product(pLo[i], pHi[i], bins[i] - vHi, bins[i] - vLo);
            var (p, q) = (gLo * (v[i] - shift), gHi * (v[i] - shift));
            tLo += Math.Min(p, q);
            tHi += Math.Max(p, q);
        }

        var radius = ((tHi - tLo) / 2) + (1e-12 * (Math.Abs(tLo) + Math.Abs(tHi)));
        return ([(tLo + tHi) / 2], ((bMax - bMin) / 2 * rho) + radius, [vLo], [vHi]);
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
