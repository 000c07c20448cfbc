namespace Jepa.Verify.Learning.Certify;

/// <summary>
/// A bound on a chain's directional derivative along one pair's segment: sup over t of ‖J(x(t))·u‖ with
/// x(t) = x₀ + t·(x₁ − x₀) and u the segment's unit direction. The mean-value inequality needs no more:
/// ‖f(x₁) − f(x₀)‖ = ‖∫₀¹ J(x(t))·(x₁ − x₀) dt‖ ≤ sup_t ‖J(x(t))·u‖ · ‖x₁ − x₀‖, so it may stand for the Lipschitz
/// constant in the certificate's two inequalities for that pair.
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
/// The piece's bound is ‖v‖ + ρ at the end; the segment's is the largest piece's. Rounding: each matrix–vector product
/// adds (k + 2)·2⁻⁵³·‖W‖_F·‖v‖ to the radius (and the same per row to the value boxes), and the result is raised by a
/// relative 1e-9. A property checks the bound against finite differences along random segments of random chains.
/// </para>
/// Written here: auto_LiRPA and similar libraries bound outputs, not directional derivatives along a segment, and run
/// in Python.
/// </remarks>
internal static class SegmentBound
{
    /// <summary>Pieces per segment.</summary>
    public const int Pieces = 8;

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

    /// <summary>sup over the segment of ‖J(x(t))·u‖ (0 when the two inputs coincide).</summary>
    public static double Directional(Prepared chain, ReadOnlySpan<double> x0, ReadOnlySpan<double> x1, int pieces = Pieces)
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
        double best = 0;
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

            best = Math.Max(best, Piece(chain, centre, generator, u));
        }

        return best * (1 + 1e-9);
    }

    /// <summary>The bound on one piece: the values x = centre + s·generator, s ∈ [−1, 1]; the tangent starts at u exactly.</summary>
    private static double Piece(Prepared chain, double[] centre, double[] generator, double[] u)
    {
        // Values: a segment (exact) until the first non-affine layer, then a box.
        double[] c = centre, g = generator;
        double[]? slack = null; // per coordinate, how far rounding may have moved the segment's centre
        double[]? lo = null, hi = null;
        double[] v = u;
        double rho = 0;
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
                        var (c1, g1) = (MatVec(layer, c, bias: true), MatVec(layer, g, bias: false));
                        var carried = slack is null ? new double[layer.Outputs] : AbsMatVec(chain.Abs[l], layer, slack);
                        var (cn, gn) = (Norm2(c), Norm2(g));
                        slack = [.. carried.Select((x, i) => x + (rounding * ((chain.RowNorm[l][i] * (cn + gn)) + Math.Abs(layer.Bias[i]))))];
                        (c, g) = (c1, g1);
                    }
                    else
                    {
                        var (mid, rad) = MidRad(lo, hi!);
                        var m1 = MatVec(layer, mid, bias: true);
                        var r1 = AbsMatVec(chain.Abs[l], layer, rad);
                        var midNorm = Norm2(mid);
                        for (var i = 0; i < m1.Length; i++)
                        {
                            r1[i] += rounding * ((chain.RowNorm[l][i] * (midNorm + Norm2(rad))) + Math.Abs(layer.Bias[i]));
                        }

                        (lo, hi) = (m1.Select((m, i) => m - r1[i]).ToArray(), m1.Select((m, i) => m + r1[i]).ToArray());
                    }

                    break;
                }

                case HeadLayerKind.Activation:
                {
                    (lo, hi) = Box(c, g, slack, lo, hi);
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
                    (v, rho, lo, hi) = SoftmaxExpectation(layer, Box(c, g, slack, lo, hi), v, rho);
                    break;
            }
        }

        return Norm2(v) + rho;
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
    private static (double[] V, double Rho, double[] Lo, double[] Hi) LayerNorm(HeadLayer layer, double[] c, double[] g, double[]? slack, double[]? lo, double[]? hi, double[] v, double rho)
    {
        var n = layer.Inputs;
        double varMin, varMax;
        double[] cLo, cHi; // the centred inputs' ranges
        if (lo is null)
        {
            // A segment: c(s) = c0 + s·c1 for s ∈ [−1, 1] after centring; σ² is a convex quadratic in s.
            var (m0, m1) = (c.Average(), g.Average());
            double aa = 0, ab = 0, bb = 0, slackSq = 0;
            cLo = new double[n];
            cHi = new double[n];
            for (var i = 0; i < n; i++)
            {
                var (a, b) = (c[i] - m0, g[i] - m1);
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
        double tLo = 0, tHi = 0;
        for (var i = 0; i < n; i++)
        {
            var (gLo, gHi) = Product(pLo[i], pHi[i], bins[i] - vHi, bins[i] - vLo);
            var (p, q) = (gLo * v[i], gHi * v[i]);
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
