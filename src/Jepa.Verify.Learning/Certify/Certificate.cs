using System.Collections.Immutable;
using System.Runtime.CompilerServices;
using Jepa.Verify.Learning.Jepa;
using Jepa.Verify.Mdp.Bisimulation;

namespace Jepa.Verify.Learning.Certify;

/// <summary>
/// The quantitative theorem (DESIGN.md §1) applied to a model: certified lower bounds on the latent distance of every
/// non-equivalent pair, valid at the residuals the model actually has.
/// </summary>
/// <remarks>
/// <para>
/// With d(o, o′) = ‖E(o) − E(o′)‖, residuals e_T(o, a) = ‖T̂(E(o), a) − E(T(o, a))‖ and e_P(o) = ‖P̂(E(o)) − p(o)‖, and
/// Lipschitz bounds L_T of <c>z ↦ T̂(z, a)</c> and L_P of P̂, the triangle inequality gives
/// ‖p(o) − p(o′)‖ ≤ L_P·d(o, o′) + e_P(o) + e_P(o′) and d(T(o,a), T(o′,a)) ≤ L_T·d(o, o′) + e_T(o,a) + e_T(o′,a). So every
/// iterate of B₀ = 0, B_{i+1}(o,o′) = max(0, (‖p(o)−p(o′)‖ − e_P(o) − e_P(o′))/L_P, maxₐ (B_i(T(o,a),T(o′,a)) − e_T(o,a) − e_T(o′,a))/L_T)
/// is a lower bound on d. The iteration runs in place (Gauss–Seidel: a bound computed from sound bounds is sound) in a
/// fixed pair order, so the result is deterministic, until a pass raises no bound by more than 1e-6 relative.
/// </para>
/// <para>
/// Floating point: residuals are measured by the heads' double-precision evaluation (<see cref="IHead"/>) and
/// inflated by a relative 1e-12; aux gaps are deflated by 1e-12; each subtraction loses an absolute 4u·(sum of its
/// terms) and each division a relative 1e-12 — more than the rounding error of every operation involved.
/// </para>
/// <para>
/// The required residual: with every residual equal to ε, a pair whose lockstep action word of length k leads to a pair
/// with aux gap g is certified exactly when ε &lt; g / (2·(1 + L_P·(1 + L_T + … + L_T^{k−1}))). The search takes, for
/// each pair, the best word length by a max-gap recursion over k, and stops when no longer word can raise the minimum
/// over pairs (or after <see cref="MaxWordLength"/> steps; then the value found suffices but may not be the largest).
/// </para>
/// <para>
/// Memory is a few doubles per pair of observations, so above <see cref="PairLimit"/> observations the bounds are kept
/// per pair of bisimulation classes instead (<see cref="ClassCertificate"/>), which needs the relation to be a partition.
/// </para>
/// Written here: no library computes bisimulation-style bounds over pairs.
/// </remarks>
public static class Certificate
{
    /// <summary>The most observations certified pair by pair (the bounds are n²/2 doubles, three times over for the required residual); above, class by class.</summary>
    public const int PairLimit = 4096;

    /// <summary>The most bisimulation classes the class level (above <see cref="PairLimit"/> observations) bounds pairwise.</summary>
    public const int MaxClasses = ClassCertificate.MaxClasses;

    /// <summary>The longest action word the required-residual search follows.</summary>
    public const int MaxWordLength = 64;

    /// <summary>The most passes of the bound iteration (each pass's bounds are sound; the cap only limits their tightness).</summary>
    public const int MaxSweeps = 1000;

    private const double Unit = 1.0 / (1L << 53);
    private const double Up = 1 + 1e-12;
    private const double Down = 1 - 1e-12;

    /// <summary>Certifies <paramref name="latents"/> against the pairs the theorem forces apart.</summary>
    /// <param name="latents">Row-major <c>[observations × latentDim]</c>: the encoder's output.</param>
    /// <param name="latentDim">The latent dimension.</param>
    /// <param name="data">The transitions (and the action count).</param>
    /// <param name="auxTargets">The aux values p(o) the model was trained on, row-major <c>[observations × auxDim]</c>.</param>
    /// <param name="transition">T̂ as a chain over <c>concat(z, onehot(a))</c>.</param>
    /// <param name="auxHead">P̂ as a chain over z.</param>
    /// <param name="pairs">Which pairs must be apart.</param>
    /// <param name="scale">The latent scale relative numbers are divided by (the collapse report's).</param>
    /// <param name="listPairs">Whether to list every non-equivalent pair.</param>
    /// <param name="requiredResidual">Whether to search the required residual (training's stop test skips it; it is then reported as null).</param>
    /// <param name="directional">Whether pairs may get directional bounds along their segments (<see cref="SegmentBound"/>, within its budget; training's stop test skips them for speed).</param>
    /// <exception cref="ArgumentException">Sizes that do not fit, or more than <see cref="PairLimit"/> observations without a partition (or with more than <see cref="ClassCertificate.MaxClasses"/> classes).</exception>
    public static CertificateReport Compute(IReadOnlyList<float> latents, int latentDim, TrainingData data, IReadOnlyList<float> auxTargets,
        IHead transition, IHead auxHead, IDistinguishedPairs pairs, double scale, bool listPairs = false, bool requiredResidual = true, bool directional = true) =>
        Compute(latents, latentDim, data, auxTargets, transition, auxHead, pairs, scale, listPairs, requiredResidual, lipschitzFactor: 1, directional: directional);

    /// <summary>
    /// As the public overload, with both Lipschitz bounds multiplied by <paramref name="lipschitzFactor"/> (the properties set
    /// it below 1 to check that an unsound constant is caught), and the class level used above <paramref name="pairLimit"/>
    /// observations, its representatives certified up to <paramref name="representativeLimit"/> classes and at most
    /// <paramref name="refineLimit"/> pairs refined (the tests lower them).
    /// </summary>
    internal static CertificateReport Compute(IReadOnlyList<float> latents, int latentDim, TrainingData data, IReadOnlyList<float> auxTargets,
        IHead transition, IHead auxHead, IDistinguishedPairs pairs, double scale, bool listPairs, bool requiredResidual, double lipschitzFactor,
        int pairLimit = PairLimit, int representativeLimit = ClassCertificate.RepresentativeLimit, int refineLimit = ClassCertificate.RefineLimit, bool directional = true)
    {
        ArgumentNullException.ThrowIfNull(latents);
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(auxTargets);
        ArgumentNullException.ThrowIfNull(transition);
        ArgumentNullException.ThrowIfNull(auxHead);
        ArgumentNullException.ThrowIfNull(pairs);
        var (n, d, actions) = (data.Observations, latentDim, data.Actions);
        var k = n == 0 ? 0 : auxTargets.Count / n;
        if (latents.Count != n * d || auxTargets.Count != n * k || transition.Inputs != d + actions || transition.Outputs != d || auxHead.Inputs != d || auxHead.Outputs != k || pairs.Size < n)
        {
            throw new ArgumentException($"sizes do not fit: {latents.Count} latent values for {n} × {d}, {auxTargets.Count} aux values, T̂ {transition.Inputs} → {transition.Outputs} (expected {d + actions} → {d}), P̂ {auxHead.Inputs} → {auxHead.Outputs} (expected {d} → {k}), {pairs.Size} observations in the relation");
        }

        int[]? classOf = pairs.Classes is { } classes ? [.. classes.Take(n)] : null;
        if (n > pairLimit && classOf is null)
        {
            throw new ArgumentException($"above {pairLimit} observations the certificate keeps a bound per pair of bisimulation classes, which needs a partition (a complete MDP, or missing transitions sent to a sink), got {n} observations and the finite-data relation", nameof(pairs));
        }

        var z = new double[latents.Count];
        for (var i = 0; i < z.Length; i++)
        {
            z[i] = latents[i];
        }

        var p = auxTargets.Select(v => (double)v).ToArray();
        var (successor, residualDyn) = TransitionResiduals(z, d, data, transition);
        var residualAux = new double[n];
        Parallel.For(0, n, o => residualAux[o] = Norm(auxHead.Evaluate(z.AsSpan(o * d, d)), p.AsSpan(o * k, k)) * Up);
        var lipschitzT = transition.Lipschitz(d) * lipschitzFactor;
        var lipschitzP = auxHead.Lipschitz(d) * lipschitzFactor;
        if (n > pairLimit)
        {
            return ClassCertificate.Compute(z, d, n, actions, p, k, classOf!, successor, residualDyn, residualAux, transition, auxHead, lipschitzT, lipschitzP, lipschitzFactor,
                scale, requiredResidual, listPairs, representativeLimit, refineLimit, directional);
        }

        bool Apart(int a, int b) => classOf is not null ? classOf[a] != classOf[b] : pairs.AreDistinguished(a, b);
        var (bounds, gaps, sweeps, rolledOut) = PairLevel(z, d, n, actions, p, k, successor, residualDyn, residualAux, transition, auxHead, lipschitzT, lipschitzP, lipschitzFactor, Apart, directional);
        long byRepresentatives = 0;
        if (directional && classOf is not null
            && ClassCertificate.RepresentativeFloor(z, d, n, actions, p, k, classOf, successor, transition, auxHead, residualAux, lipschitzT, lipschitzP, lipschitzFactor) is { } floor)
        {
            // d(o, o′) ≥ d(r_C, r_D) − ρ_C − ρ_D ≥ (the representatives' bound) − ρ_C − ρ_D: raise each pair to it, then let the
            // per-step clause carry the raised bounds back along the transitions.
            for (int a = 0, at = 0; a < n; a++)
            {
                for (var b = a + 1; b < n; b++, at++)
                {
                    if (classOf[a] != classOf[b] && floor(classOf[a], classOf[b]) is var f && f > bounds[at])
                    {
                        byRepresentatives += bounds[at] == 0 ? 1 : 0;
                        bounds[at] = f;
                    }
                }
            }

            sweeps += Iterate(bounds, n, actions, successor, residualDyn, lipschitzT);
        }

        var (required, exact) = requiredResidual ? RequiredResidual(gaps, n, actions, successor, lipschitzT, lipschitzP, Apart) : (double.NaN, false);

        long nonEquivalent = 0, certified = 0;
        var min = double.PositiveInfinity;
        double sum = 0;
        var listed = ImmutableArray.CreateBuilder<CertifiedPair>();
        var hardest = new PriorityQueue<CertifiedPair, (double, int, int)>(Comparer<(double, int, int)>.Create((x, y) => y.CompareTo(x)));
        var relative = scale > 0 ? 1 / scale : 1;
        var tightness = new float[bounds.Length]; // bound/distance per non-equivalent pair (0 when the distance is 0: the bound is too)
        for (int a = 0, at = 0; a < n; a++)
        {
            for (var b = a + 1; b < n; b++, at++)
            {
                if (!Apart(a, b))
                {
                    continue;
                }

                var bound = bounds[at];
                var distance = Norm(z.AsSpan(a * d, d), z.AsSpan(b * d, d));
                tightness[nonEquivalent++] = distance > 0 ? (float)(bound / distance) : 0;
                certified += bound > 0 ? 1 : 0;
                sum += bound;
                min = Math.Min(min, bound);
                if (listPairs || hardest.Count < 10 || bound < hardest.Peek().Bound / relative)
                {
                    var pair = new CertifiedPair(a, b, distance * relative, bound * relative);
                    if (listPairs)
                    {
                        listed.Add(pair);
                    }

                    hardest.Enqueue(pair, (pair.Bound, a, b));
                    if (hardest.Count > 10)
                    {
                        hardest.Dequeue();
                    }
                }
            }
        }

        double? tightMin = null, tightMedian = null;
        if (nonEquivalent > 0)
        {
            tightMedian = Median(tightness.AsSpan(0, (int)nonEquivalent), out var smallest);
            tightMin = smallest;
        }

        double? maxDyn = residualDyn.Any(double.IsFinite) ? residualDyn.Where(double.IsFinite).Max() : null;
        return new CertificateReport(scale, nonEquivalent, certified, nonEquivalent == 0 ? null : min * relative, lipschitzT, lipschitzP, maxDyn,
            n == 0 ? null : residualAux.Max(), nonEquivalent == 0 || double.IsNaN(required) ? null : required, exact, sweeps, listed.ToImmutable(),
            [.. hardest.UnorderedItems.Select(x => x.Element).OrderBy(x => x.Bound).ThenBy(x => x.A).ThenBy(x => x.B)], sum * relative, rolledOut,
            tightMin, tightMedian) { ByRepresentatives = byRepresentatives };
    }

    /// <summary>
    /// Every pair's bound: the aux clause with local L_P, Gauss–Seidel passes of the transition clause with local L_T, the
    /// rollout clause, and passes again; also each pair's aux gap (rounded down), the passes made and the pairs the
    /// rollouts certified.
    /// </summary>
    internal static (double[] Bounds, double[] Gaps, int Sweeps, long RolledOut) PairLevel(double[] z, int d, int n, int actions, double[] p, int k,
        int[] successor, double[] residualDyn, double[] residualAux, IHead transition, IHead auxHead, double lipschitzT, double lipschitzP, double factor,
        Func<int, int, bool> apart, bool directional)
    {
        var (localP, localT) = n <= LocalLimit ? LocalConstants(z, d, n, actions, transition, auxHead, lipschitzT, lipschitzP, factor, directional) : (null, null);
        var bounds = new double[Triangle(n)];
        var gaps = new double[bounds.Length];
        for (int a = 0, at = 0; a < n; a++)
        {
            for (var b = a + 1; b < n; b++, at++)
            {
                gaps[at] = Norm(p.AsSpan(a * k, k), p.AsSpan(b * k, k)) * Down;
                bounds[at] = Step(gaps[at], residualAux[a], residualAux[b], localP?[at] ?? lipschitzP);
            }
        }

        var sweeps = Iterate(bounds, n, actions, successor, residualDyn, lipschitzT, localT);
        var rolledOut = RolloutClause.Raise(bounds, gaps, n, actions, successor, apart, z, d, p, transition, auxHead, lipschitzT, lipschitzP, directional);
        if (rolledOut > 0)
        {
            sweeps += Iterate(bounds, n, actions, successor, residualDyn, lipschitzT, localT);
        }

        return (bounds, gaps, sweeps, rolledOut);
    }

    /// <summary>The median of <paramref name="values"/> (the mean of the middle two for an even count), and their minimum; sorts them in place.</summary>
    internal static double Median(Span<float> values, out double min)
    {
        values.Sort();
        min = values[0];
        var mid = values.Length / 2;
        return values.Length % 2 == 1 ? values[mid] : (values[mid - 1] + (double)values[mid]) / 2;
    }

    /// <summary>The successor of every (observation, action) (−1 when unobserved) and its residual e_T (NaN when unobserved).</summary>
    private static (int[] Successor, double[] Residual) TransitionResiduals(double[] z, int d, TrainingData data, IHead transition)
    {
        var actions = data.Actions;
        var successor = new int[data.Observations * actions];
        var residual = new double[successor.Length];
        Array.Fill(successor, -1);
        Array.Fill(residual, double.NaN);
        var errors = new double[data.TransitionCount];
        Parallel.For(0, data.TransitionCount, t =>
            errors[t] = Norm(transition.EvaluateTransition(z.AsSpan(data.From[t] * d, d), data.Action[t], actions), z.AsSpan(data.To[t] * d, d)) * Up);
        for (var t = 0; t < data.TransitionCount; t++)
        {
            var slot = (data.From[t] * actions) + data.Action[t];
            successor[slot] = data.To[t];
            residual[slot] = double.IsNaN(residual[slot]) ? errors[t] : Math.Max(residual[slot], errors[t]);
        }

        return (successor, residual);
    }

    /// <summary>Gauss–Seidel passes of the transition clause until no bound rises by more than 1e-6 relative; returns the passes made.</summary>
    /// <param name="bounds">The pair bounds, raised in place.</param>
    /// <param name="n">Observations.</param>
    /// <param name="actions">Actions.</param>
    /// <param name="successor">The successor of every (observation, action), or −1.</param>
    /// <param name="residual">e_T of every (observation, action).</param>
    /// <param name="lipschitz">The global L_T.</param>
    /// <param name="local">L_T on each pair's segment, per action (<c>[pair · actions + action]</c>), or null for the global one everywhere.</param>
    internal static int Iterate(double[] bounds, int n, int actions, int[] successor, double[] residual, double lipschitz, double[]? local = null)
    {
        if (!(lipschitz > 0))
        {
            return 0;
        }

        var rows = RowStarts(n);
        for (var sweep = 1; sweep <= MaxSweeps; sweep++)
        {
            var changed = false;
            for (int a = 0, at = 0; a < n; a++)
            {
                for (var b = a + 1; b < n; b++, at++)
                {
                    var best = bounds[at];
                    for (var x = 0; x < actions; x++)
                    {
                        var (u, v) = (successor[(a * actions) + x], successor[(b * actions) + x]);
                        if (u < 0 || v < 0 || u == v)
                        {
                            continue;
                        }

                        var next = bounds[Position(rows, u, v)];
                        if (next > 0)
                        {
                            best = Math.Max(best, Step(next, residual[(a * actions) + x], residual[(b * actions) + x], local?[((long)at * actions) + x] ?? lipschitz));
                        }
                    }

                    if (best > bounds[at])
                    {
                        changed |= bounds[at] == 0 || best > bounds[at] * (1 + 1e-6);
                        bounds[at] = best;
                    }
                }
            }

            if (!changed)
            {
                return sweep;
            }
        }

        return MaxSweeps;
    }

    /// <summary>Up to this many observations, every pair gets local Lipschitz constants along its segment (<see cref="LocalConstants"/>).</summary>
    public const int LocalLimit = 1024;

    /// <summary>
    /// L_P and L_T (per action) on the segment between each pair's latents (<see cref="IHead.LocalLipschitz"/>), never above
    /// the global ones: the mean-value inequality needs the heads' constant only there. Pairs are independent, so rows run
    /// in parallel and the result does not depend on the order.
    /// </summary>
    private static (double[] P, double[] T) LocalConstants(double[] z, int d, int n, int actions, IHead transition, IHead auxHead,
        double globalT, double globalP, double factor, bool directional)
    {
        // Each head prepares what one input alone determines (its first LayerNorm's input) once; a pair then costs O(width).
        var aux = auxHead.PrepareLocal([.. Enumerable.Range(0, n).Select(o => z.AsSpan(o * d, d).ToArray())], d, directional ? Triangle(n) : 0);
        var dyn = transition.PrepareLocal([.. Enumerable.Range(0, n * actions).Select(i =>
        {
            var input = new double[d + actions];
            z.AsSpan(i / actions * d, d).CopyTo(input);
            input[d + (i % actions)] = 1;
            return input;
        })], d, directional ? Triangle(n) * actions : 0);
        var rows = RowStarts(n);
        var localP = new double[Triangle(n)];
        var localT = new double[Triangle(n) * actions];
        Parallel.For(0, n, (int a) =>
        {
            for (var b = a + 1; b < n; b++)
            {
                var at = Position(rows, a, b);
                localP[at] = Math.Min(globalP, aux.Between(a, b) * factor);
                for (var x = 0; x < actions; x++)
                {
                    localT[(at * actions) + x] = Math.Min(globalT, dyn.Between((a * actions) + x, (b * actions) + x) * factor);
                }
            }
        });
        return (localP, localT);
    }

    /// <summary>max(0, (value − e1 − e2)/L), rounded down (0 when L is 0: a constant map says nothing about distances).</summary>
    internal static double Step(double value, double e1, double e2, double lipschitz)
    {
        if (!(lipschitz > 0))
        {
            return 0;
        }

        var numerator = value - e1 - e2 - (4 * Unit * (value + e1 + e2));
        return numerator > 0 ? numerator / lipschitz * Down : 0;
    }

    /// <summary>The largest uniform residual that certifies every separated pair (see the remarks), and whether the search finished.</summary>
    /// <remarks>Each word length is one pass over the pairs, rows in parallel (a pass reads only the previous length's values, so the result does not depend on the schedule).</remarks>
    internal static (double Value, bool Exact) RequiredResidual(double[] gaps, int n, int actions, int[] successor, double lipschitzT, double lipschitzP, Func<int, int, bool> apart)
    {
        if (!(lipschitzP > 0))
        {
            // A constant aux head forces nothing: no residual certifies, and the report says null.
            return (double.NaN, true);
        }

        var best = new double[gaps.Length];
        var current = (double[])gaps.Clone();
        var next = new double[gaps.Length];
        var rowMinimum = new double[n];
        var maxGap = gaps.DefaultIfEmpty(0).Max();
        var rows = RowStarts(n);
        double sum = 0; // 1 + L_T + … + L_T^{k−1}
        for (var length = 0; ; length++)
        {
            var denominator = 2 * (1 + (lipschitzP * sum));
            var (from, to) = (current, next);
            Parallel.For(0, n, a =>
            {
                var minimum = double.PositiveInfinity;
                var at = rows[a] + a + 1;
                for (var b = a + 1; b < n; b++, at++)
                {
                    best[at] = Math.Max(best[at], from[at] / denominator * (1 - 1e-9));
                    if (apart(a, b))
                    {
                        minimum = Math.Min(minimum, best[at]);
                    }

                    double g = 0;
                    for (var x = 0; x < actions; x++)
                    {
                        var (u, v) = (successor[(a * actions) + x], successor[(b * actions) + x]);
                        if (u >= 0 && v >= 0 && u != v)
                        {
                            g = Math.Max(g, from[Position(rows, u, v)]);
                        }
                    }

                    to[at] = g;
                }

                rowMinimum[a] = minimum;
            });
            var overall = rowMinimum.DefaultIfEmpty(double.PositiveInfinity).Min();
            sum = 1 + (lipschitzT * sum);
            var reachable = maxGap / (2 * (1 + (lipschitzP * sum)));
            if (double.IsPositiveInfinity(overall) || reachable <= overall || !(lipschitzT > 0))
            {
                return (double.IsPositiveInfinity(overall) ? 0 : overall, true);
            }

            if (length == MaxWordLength)
            {
                return (overall, false);
            }

            (current, next) = (next, current);
        }
    }

    /// <summary>For each row u, the position of pair (u, v) is <c>rows[u] + v</c> (v &gt; u).</summary>
    internal static long[] RowStarts(int n) => [.. Enumerable.Range(0, n).Select(u => Index(u, u + 1, n) - u - 1)];

    /// <summary>The position of pair (u, v), u ≠ v in either order, given <see cref="RowStarts"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static long Position(long[] rows, int u, int v) => u < v ? rows[u] + v : rows[v] + u;

    private static long Triangle(int n) => (long)n * (n - 1) / 2;

    /// <summary>The position of pair (a, b), a &lt; b, in row-by-row upper-triangle order.</summary>
    private static long Index(int a, int b, int n) => ((long)a * ((2L * n) - a - 1) / 2) + (b - a - 1);

    /// <summary>‖x − y‖₂ in double precision.</summary>
    internal static double Norm(ReadOnlySpan<double> x, ReadOnlySpan<double> y)
    {
        double s = 0;
        for (var i = 0; i < x.Length; i++)
        {
            var diff = x[i] - y[i];
            s += diff * diff;
        }

        return Math.Sqrt(s);
    }
}
