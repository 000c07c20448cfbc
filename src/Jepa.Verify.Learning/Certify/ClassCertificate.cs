using System.Collections.Immutable;
using Jepa.Verify.Learning.Tensors;

namespace Jepa.Verify.Learning.Certify;

/// <summary>
/// The certificate at the level of bisimulation classes, for more observations than a bound per pair can hold: one bound
/// per pair of classes, valid for every pair of their members, in O(classes² · actions) time and memory; then pair-level
/// bounds for the members of class pairs whose class bound is 0, up to <see cref="RefineLimit"/> pairs.
/// </summary>
/// <remarks>
/// <para>
/// Soundness (docs/certificate.md, "Class level"). Let class C have a centre aux value p_C (its first member's), and for
/// each member o: ‖P̂(E o) − p_C‖ ≤ e_P(o) + ‖p(o) − p_C‖ =: ê_P(o); let ê_P(C) = max over members. Then for o ∈ C, o′ ∈ D,
/// L_P·d(o, o′) ≥ ‖P̂(E o) − P̂(E o′)‖ ≥ ‖p_C − p_D‖ − ê_P(C) − ê_P(D). In a partition that is a bisimulation, every
/// member of C goes under action a to the same class C·a (or the action is unobserved somewhere in C: then the class
/// has no successor under a and the clause is not used); with e_T(C, a) the members' largest residual,
/// L_T·d(o, o′) ≥ d(T(o, a), T(o′, a)) − e_T(C, a) − e_T(D, a) ≥ B(C·a, D·a) − e_T(C, a) − e_T(D, a) whenever B is a lower bound
/// on the distance of every pair of members of C·a and D·a. So the iteration of <see cref="Certificate"/> run on the
/// quotient — class aux gaps, class successors, the classes' worst residuals — gives bounds sound for every member pair,
/// by the same induction as at the pair level. The global constants L_T and L_P are used (local ones are per pair).
/// </para>
/// <para>
/// Refinement: a member pair (o, o′) of a class pair whose bound is 0 gets
/// max(step(‖p(o) − p(o′)‖, e_P(o), e_P(o′), L_P), maxₐ step(B(T(o,a), T(o′,a)), e_T(o,a), e_T(o′,a), L_T)), where the
/// successors' bound is their own refined bound when they are refined and their classes' bound otherwise — each a
/// sound lower bound, so Gauss–Seidel passes over the refined pairs stay sound.
/// </para>
/// <para>
/// Figures: counts, the minimum and the sum are exact (a class pair stands for |C|·|D| member pairs). Tightness (bound
/// over distance) needs each pair's distance, so it is measured on <see cref="TightnessSample"/> non-equivalent pairs
/// drawn with a fixed seed. The hardest pairs are a member pair of each class pair with the smallest bounds.
/// </para>
/// Written here: no library computes bisimulation-style bounds over pairs.
/// </remarks>
internal static class ClassCertificate
{
    /// <summary>The most member pairs refined at the pair level (their bounds and index take about 40 bytes each).</summary>
    public const int RefineLimit = 4_000_000;

    /// <summary>Non-equivalent pairs drawn to measure the bounds' tightness.</summary>
    public const int TightnessSample = 100_000;

    /// <summary>
    /// Up to this many classes the representatives get the pair-level certificate (two doubles per pair of classes, and the
    /// rollout clause's stored rollouts; the observation-level certificate stops at <see cref="Certificate.PairLimit"/> because
    /// it also keeps the required residual's three arrays per pair).
    /// </summary>
    public const int RepresentativeLimit = 8192;

    /// <summary>The most classes (their pair bounds are classes²/2 doubles, twice over for the required residual).</summary>
    public const int MaxClasses = 20_000;

    private const double Up = 1 + 1e-12;
    private const double Down = 1 - 1e-12;

    /// <summary>The class-level certificate of <paramref name="n"/> observations in the classes <paramref name="classOf"/>.</summary>
    /// <param name="z">The latents, row-major <c>[n × d]</c>, in double.</param>
    /// <param name="d">The latent dimension.</param>
    /// <param name="n">Observations.</param>
    /// <param name="actions">Actions.</param>
    /// <param name="p">The aux targets, row-major <c>[n × k]</c>.</param>
    /// <param name="k">The aux dimension.</param>
    /// <param name="classOf">Each observation's class.</param>
    /// <param name="successor">The successor of every (observation, action), or −1.</param>
    /// <param name="residualDyn">e_T of every (observation, action) (NaN when unobserved).</param>
    /// <param name="residualAux">e_P of every observation.</param>
    /// <param name="transition">T̂, for the representatives' certificate.</param>
    /// <param name="auxHead">P̂, likewise.</param>
    /// <param name="lipschitzT">L_T.</param>
    /// <param name="lipschitzP">L_P.</param>
    /// <param name="factor">The factor the constants were multiplied by (the properties' unsound variant), for the local ones.</param>
    /// <param name="scale">The latent scale relative numbers are divided by.</param>
    /// <param name="requiredResidual">Whether to search the required residual.</param>
    /// <param name="listPairs">Whether to list every non-equivalent pair with its bound (the tests do; reports refuse it at this size).</param>
    /// <param name="representativeLimit">Up to this many classes the representatives get the pair-level certificate (<see cref="RepresentativeLimit"/>; the tests vary it).</param>
    /// <param name="refineLimit">The most member pairs refined (the tests lower it).</param>
    /// <param name="directional">Whether the representatives' pairs may get directional bounds.</param>
    /// <exception cref="ArgumentException">More than <see cref="MaxClasses"/> classes.</exception>
    public static CertificateReport Compute(double[] z, int d, int n, int actions, double[] p, int k, int[] classOf, int[] successor,
        double[] residualDyn, double[] residualAux, IHead transition, IHead auxHead, double lipschitzT, double lipschitzP, double factor,
        double scale, bool requiredResidual, bool listPairs, int representativeLimit, int refineLimit, bool directional)
    {
        var m = n == 0 ? 0 : classOf.Max() + 1;
        if (m > MaxClasses)
        {
            throw new ArgumentException($"the class-level certificate keeps a bound per pair of classes and is limited to {MaxClasses} classes, got {m}", nameof(classOf));
        }

        var size = new long[m];
        var first = new int[m];
        Array.Fill(first, -1);
        for (var o = 0; o < n; o++)
        {
            size[classOf[o]]++;
            if (first[classOf[o]] < 0)
            {
                first[classOf[o]] = o;
            }
        }

        // The quotient: each class's worst aux residual around its centre, its successors and its worst transition residuals.
        // Each member's aux distance from its class's centre is kept: the spreads and the uniform test below use it too.
        var memberSpread = new double[n];
        var classSpread = new double[m];
        var auxResidual = new double[m];
        var classSuccessor = ClassSuccessors(n, actions, classOf, successor, m);
        var classResidual = new double[m * actions];
        for (var o = 0; o < n; o++)
        {
            var c = classOf[o];
            var spread = memberSpread[o] = Certificate.Norm(p.AsSpan(o * k, k), p.AsSpan(first[c] * k, k));
            classSpread[c] = Math.Max(classSpread[c], spread * Up);
            auxResidual[c] = Math.Max(auxResidual[c], (residualAux[o] + spread) * Up);
            for (var x = 0; x < actions; x++)
            {
                var slot = (c * actions) + x;
                classResidual[slot] = successor[(o * actions) + x] < 0 ? double.NaN : Math.Max(double.IsNaN(classResidual[slot]) ? 0 : classResidual[slot], residualDyn[(o * actions) + x]);
            }
        }

        var rows = Certificate.RowStarts(m);
        var bounds = new double[(long)m * (m - 1) / 2];
        var (representative, radius) = Representatives(z, d, n, classOf, m);
        var (quotient, quotientRows) = m <= representativeLimit
            ? RepresentativeBounds(z, d, actions, p, k, representative, classSuccessor, transition, auxHead, residualAux, lipschitzT, lipschitzP, factor, directional)
            : (null, null);
        Parallel.For(0, m, c =>
        {
            for (var e = c + 1; e < m && first[c] >= 0; e++)
            {
                if (first[e] >= 0)
                {
                    var at = Certificate.Position(rows, c, e);
                    var gap = Certificate.Norm(p.AsSpan(first[c] * k, k), p.AsSpan(first[e] * k, k)) * Down;
                    bounds[at] = Certificate.Step(gap, auxResidual[c], auxResidual[e], lipschitzP);
                    if (quotient is not null)
                    {
                        // d(o, o′) ≥ d(r_C, r_D) − ρ_C − ρ_D ≥ B_rep(C, D) − ρ_C − ρ_D, rounded down as Step rounds.
                        var b = quotient[Certificate.Position(quotientRows!, representative.Index[c], representative.Index[e])];
                        bounds[at] = Math.Max(bounds[at], Certificate.Step(b, radius[c], radius[e], 1));
                    }
                }
            }
        });

        var sweeps = Certificate.Iterate(bounds, m, actions, classSuccessor, classResidual, lipschitzT);
        var (required, exact) = requiredResidual
            ? Certificate.RequiredResidual(SpreadFreeGaps(p, k, m, first, classSpread, rows), m, actions, classSuccessor, lipschitzT, lipschitzP, (a, b) => first[a] >= 0 && first[b] >= 0)
            : (double.NaN, false);

        // A class whose every member has the class's worst residuals gains nothing member by member.
        var uniform = Enumerable.Repeat(true, m).ToArray();
        for (var o = 0; o < n; o++)
        {
            var c = classOf[o];
            uniform[c] &= (residualAux[o] + memberSpread[o]) * Up >= auxResidual[c] * (1 - 1e-9);
            for (var x = 0; x < actions && uniform[c]; x++)
            {
                var e = residualDyn[(o * actions) + x];
                uniform[c] &= double.IsNaN(e) || e >= classResidual[(c * actions) + x] * (1 - 1e-9);
            }
        }

        var refined = Refine(bounds, rows, z, d, n, actions, p, k, classOf, successor, residualDyn, residualAux, lipschitzT, lipschitzP, size, uniform, refineLimit);
        var report = Report(bounds, rows, refined, z, d, n, classOf, first, size, m, scale, lipschitzT, lipschitzP, residualDyn, residualAux,
            required, exact, sweeps, quotient is not null);
        if (!listPairs)
        {
            return report;
        }

        var relative = scale > 0 ? 1 / scale : 1;
        var pairs = ImmutableArray.CreateBuilder<CertifiedPair>();
        for (var u = 0; u < n; u++)
        {
            for (var v = u + 1; v < n; v++)
            {
                if (classOf[u] != classOf[v])
                {
                    var bound = refined.Index.TryGetValue(((long)u * n) + v, out var at) ? refined.Bounds[at] : bounds[Certificate.Position(rows, classOf[u], classOf[v])];
                    pairs.Add(new CertifiedPair(u, v, Certificate.Norm(z.AsSpan(u * d, d), z.AsSpan(v * d, d)) * relative, bound * relative));
                }
            }
        }

        return report with { Pairs = pairs.ToImmutable() };
    }

    /// <summary>
    /// For observations bounded pair by pair whose classes have several members (a replay buffer's repeated frames): per
    /// class pair, the representatives' pair-level certificate (<see cref="RepresentativeBounds"/>, with directional bounds,
    /// which the member pairs are too many for) less the two classes' radii, a lower bound on every member pair's distance
    /// by the triangle inequality. Null when no class has two members, or there are more than
    /// <see cref="RepresentativeLimit"/> classes.
    /// </summary>
    internal static Func<int, int, double>? RepresentativeFloor(double[] z, int d, int n, int actions, double[] p, int k, int[] classOf, int[] successor,
        IHead transition, IHead auxHead, double[] residualAux, double lipschitzT, double lipschitzP, double factor)
    {
        var m = n == 0 ? 0 : classOf.Max() + 1;
        if (m < 2 || m >= n || m > RepresentativeLimit)
        {
            return null;
        }

        var (representative, radius) = Representatives(z, d, n, classOf, m);
        var (bounds, rows) = RepresentativeBounds(z, d, actions, p, k, representative, ClassSuccessors(n, actions, classOf, successor, m), transition, auxHead,
            residualAux, lipschitzT, lipschitzP, factor, directional: true);
        return (c, e) =>
        {
            var (i, j) = (representative.Index[c], representative.Index[e]);
            var b = bounds[Certificate.Position(rows, Math.Min(i, j), Math.Max(i, j))];
            return Certificate.Step(b, radius[c], radius[e], 1);
        };
    }

    /// <summary>
    /// Each class's successor under each action: its members' common successor class; −1 when a member has none, when
    /// they differ, or when the class has no members.
    /// </summary>
    private static int[] ClassSuccessors(int n, int actions, int[] classOf, int[] successor, int m)
    {
        var classSuccessor = new int[m * actions];
        Array.Fill(classSuccessor, -2); // −2: not seen yet
        for (var o = 0; o < n; o++)
        {
            for (var x = 0; x < actions; x++)
            {
                var slot = (classOf[o] * actions) + x;
                var next = successor[(o * actions) + x];
                var target = next < 0 ? -1 : classOf[next];
                classSuccessor[slot] = classSuccessor[slot] == -2 || classSuccessor[slot] == target ? target : -1;
            }
        }

        for (var i = 0; i < classSuccessor.Length; i++)
        {
            classSuccessor[i] = Math.Max(classSuccessor[i], -1);
        }

        return classSuccessor;
    }

    /// <summary>Each class's representative (its member nearest the members' mean latent) and the class's radius around it, rounded up.</summary>
    private static ((int[] Observation, int[] Index) Representative, double[] Radius) Representatives(double[] z, int d, int n, int[] classOf, int m)
    {
        var mean = new double[m * d];
        var count = new int[m];
        for (var o = 0; o < n; o++)
        {
            count[classOf[o]]++;
            for (var j = 0; j < d; j++)
            {
                mean[(classOf[o] * d) + j] += z[(o * d) + j];
            }
        }

        for (var i = 0; i < mean.Length; i++)
        {
            mean[i] /= Math.Max(1, count[i / d]);
        }

        var observation = Enumerable.Repeat(-1, m).ToArray();
        var nearest = Enumerable.Repeat(double.PositiveInfinity, m).ToArray();
        for (var o = 0; o < n; o++)
        {
            var c = classOf[o];
            var distance = Certificate.Norm(z.AsSpan(o * d, d), mean.AsSpan(c * d, d));
            if (distance < nearest[c])
            {
                (nearest[c], observation[c]) = (distance, o);
            }
        }

        var radius = new double[m];
        for (var o = 0; o < n; o++)
        {
            var r = observation[classOf[o]];
            radius[classOf[o]] = Math.Max(radius[classOf[o]], Certificate.Norm(z.AsSpan(o * d, d), z.AsSpan(r * d, d)) * Up);
        }

        // The classes with members, numbered in class order: the quotient's observations.
        var index = new int[m];
        var next = 0;
        for (var c = 0; c < m; c++)
        {
            index[c] = observation[c] < 0 ? -1 : next++;
        }

        return ((observation, index), radius);
    }

    /// <summary>
    /// The pair-level certificate (<see cref="Certificate.PairLevel"/>: local constants, rollouts) of the representatives as
    /// an MDP of their own: representative r_C goes under a to r_{C·a}, with residual ‖T̂(E r_C, a) − E r_{C·a}‖ and aux p(r_C).
    /// Its bounds are lower bounds on d(r_C, r_D) by the certificate's own proof, which holds for any successor map whose
    /// residuals are measured against it. Returns the bounds with their row starts.
    /// </summary>
    private static (double[] Bounds, long[] Rows) RepresentativeBounds(double[] z, int d, int actions, double[] p, int k,
        (int[] Observation, int[] Index) representative, int[] classSuccessor, IHead transition, IHead auxHead, double[] residualAux,
        double lipschitzT, double lipschitzP, double factor, bool directional)
    {
        var classes = Enumerable.Range(0, representative.Observation.Length).Where(c => representative.Observation[c] >= 0).ToArray();
        var q = classes.Length;
        var zq = new double[q * d];
        var pq = new double[q * k];
        var auxq = new double[q];
        for (var i = 0; i < q; i++)
        {
            var o = representative.Observation[classes[i]];
            z.AsSpan(o * d, d).CopyTo(zq.AsSpan(i * d, d));
            p.AsSpan(o * k, k).CopyTo(pq.AsSpan(i * k, k));
            auxq[i] = residualAux[o];
        }

        var successor = new int[q * actions];
        var residual = new double[q * actions];
        Parallel.For(0, q * actions, slot =>
        {
            var (i, x) = (slot / actions, slot % actions);
            var next = classSuccessor[(classes[i] * actions) + x];
            successor[slot] = next < 0 ? -1 : representative.Index[next];
            residual[slot] = next < 0 ? double.NaN
                : Certificate.Norm(transition.EvaluateTransition(zq.AsSpan(i * d, d), x, actions), zq.AsSpan(successor[slot] * d, d)) * Up;
        });

        var (bounds, _, _, _) = Certificate.PairLevel(zq, d, q, actions, pq, k, successor, residual, auxq, transition, auxHead, lipschitzT, lipschitzP, factor, (a, b) => true, directional);
        return (bounds, Certificate.RowStarts(q));
    }

    /// <summary>
    /// The aux gap every member pair of each class pair has at least: the centres' gap less both classes' aux spreads (their
    /// members' largest distance from the centre), for the uniform-residual search (0 spread when aux values are exact).
    /// </summary>
    private static double[] SpreadFreeGaps(double[] p, int k, int m, int[] first, double[] spread, long[] rows)
    {
        var gaps = new double[(long)m * (m - 1) / 2];
        Parallel.For(0, m, c =>
        {
            for (var e = c + 1; e < m; e++)
            {
                if (first[c] >= 0 && first[e] >= 0)
                {
                    var at = Certificate.Position(rows, c, e);
                    gaps[at] = Math.Max(0, (Certificate.Norm(p.AsSpan(first[c] * k, k), p.AsSpan(first[e] * k, k)) * Down) - spread[c] - spread[e]);
                }
            }
        });
        return gaps;
    }

    /// <summary>Member pairs refined at the pair level: the observations, their bounds, and the class pairs they cover.</summary>
    private sealed record Refinement(int[] A, int[] B, double[] Bounds, Dictionary<long, int> Index, HashSet<long> ClassPairs, long Skipped);

    /// <summary>
    /// Refines the member pairs of class pairs bounded by 0, in class-pair order, while they fit the limit; a pair of
    /// classes whose members all have their class's worst residuals (<paramref name="uniform"/>) is left as it is: each
    /// member pair would start from, and stay at, the class bound.
    /// </summary>
    private static Refinement Refine(double[] classBounds, long[] rows, double[] z, int d, int n, int actions, double[] p, int k, int[] classOf,
        int[] successor, double[] residualDyn, double[] residualAux, double lipschitzT, double lipschitzP, long[] size, bool[] uniform, int limit)
    {
        var m = size.Length;
        var members = Members(classOf, n, m);
        var (a, b) = (new List<int>(), new List<int>());
        var classPairs = new HashSet<long>();
        long skipped = 0;
        for (var c = 0; c < m; c++)
        {
            for (var e = c + 1; e < m; e++)
            {
                if (size[c] == 0 || size[e] == 0 || classBounds[Certificate.Position(rows, c, e)] > 0 || (uniform[c] && uniform[e]))
                {
                    continue;
                }

                if (a.Count + (size[c] * size[e]) > limit)
                {
                    skipped += size[c] * size[e];
                    continue;
                }

                classPairs.Add(((long)c * m) + e);
                foreach (var u in members[c])
                {
                    foreach (var v in members[e])
                    {
                        a.Add(Math.Min(u, v));
                        b.Add(Math.Max(u, v));
                    }
                }
            }
        }

        var bounds = new double[a.Count];
        var index = new Dictionary<long, int>(a.Count);
        for (var i = 0; i < a.Count; i++)
        {
            index[((long)a[i] * n) + b[i]] = i;
            var gap = Certificate.Norm(p.AsSpan(a[i] * k, k), p.AsSpan(b[i] * k, k)) * Down;
            bounds[i] = Certificate.Step(gap, residualAux[a[i]], residualAux[b[i]], lipschitzP);
        }

        double Lookup(int u, int v)
        {
            if (index.TryGetValue(((long)Math.Min(u, v) * n) + Math.Max(u, v), out var i))
            {
                return bounds[i];
            }

            var (cu, cv) = (classOf[u], classOf[v]);
            return cu == cv ? 0 : classBounds[Certificate.Position(rows, cu, cv)];
        }

        for (var sweep = 1; sweep <= Certificate.MaxSweeps && lipschitzT > 0; sweep++)
        {
            var changed = false;
            for (var i = 0; i < bounds.Length; i++)
            {
                var best = bounds[i];
                for (var x = 0; x < actions; x++)
                {
                    var (u, v) = (successor[(a[i] * actions) + x], successor[(b[i] * actions) + x]);
                    if (u < 0 || v < 0 || u == v)
                    {
                        continue;
                    }

                    var next = Lookup(u, v);
                    if (next > 0)
                    {
                        best = Math.Max(best, Certificate.Step(next, residualDyn[(a[i] * actions) + x], residualDyn[(b[i] * actions) + x], lipschitzT));
                    }
                }

                if (best > bounds[i])
                {
                    changed |= bounds[i] == 0 || best > bounds[i] * (1 + 1e-6);
                    bounds[i] = best;
                }
            }

            if (!changed)
            {
                break;
            }
        }

        return new Refinement([.. a], [.. b], bounds, index, classPairs, skipped);
    }

    /// <summary>The observations of each class, in observation order.</summary>
    internal static int[][] Members(int[] classOf, int n, int m)
    {
        var count = new int[m];
        for (var o = 0; o < n; o++)
        {
            count[classOf[o]]++;
        }

        var members = count.Select(c => new int[c]).ToArray();
        Array.Clear(count);
        for (var o = 0; o < n; o++)
        {
            members[classOf[o]][count[classOf[o]]++] = o;
        }

        return members;
    }

    private static CertificateReport Report(double[] bounds, long[] rows, Refinement refined, double[] z, int d, int n, int[] classOf, int[] first,
        long[] size, int m, double scale, double lipschitzT, double lipschitzP, double[] residualDyn, double[] residualAux, double required, bool exact, int sweeps, bool representatives)
    {
        var relative = scale > 0 ? 1 / scale : 1;
        long nonEquivalent = 0, byClass = 0;
        double sum = 0, min = double.PositiveInfinity;
        // The ten smallest bounds: a class pair not refined stands for its first members; refined pairs for themselves.
        var hardest = new PriorityQueue<(int A, int B, double Bound), (double, int, int)>(Comparer<(double, int, int)>.Create((x, y) => y.CompareTo(x)));
        void Keep(int a, int b, double bound)
        {
            var key = (bound, Math.Min(a, b), Math.Max(a, b));
            if (hardest.Count < 10)
            {
                hardest.Enqueue((key.Item2, key.Item3, bound), key);
            }
            else if (hardest.TryPeek(out _, out var largest) && key.CompareTo(largest) < 0)
            {
                hardest.EnqueueDequeue((key.Item2, key.Item3, bound), key);
            }
        }

        for (var c = 0; c < m; c++)
        {
            for (var e = c + 1; e < m; e++)
            {
                if (size[c] == 0 || size[e] == 0)
                {
                    continue;
                }

                var members = size[c] * size[e];
                nonEquivalent += members;
                var bound = bounds[Certificate.Position(rows, c, e)];
                byClass += bound > 0 ? members : 0;
                sum += members * bound;
                if (!refined.ClassPairs.Contains(((long)c * m) + e))
                {
                    min = Math.Min(min, bound);
                    Keep(first[c], first[e], bound);
                }
            }
        }

        long byRefinement = 0;
        for (var i = 0; i < refined.Bounds.Length; i++)
        {
            var bound = refined.Bounds[i];
            byRefinement += bound > 0 ? 1 : 0;
            sum += bound;
            min = Math.Min(min, bound);
            Keep(refined.A[i], refined.B[i], bound);
        }

        var hardestPairs = hardest.UnorderedItems.Select(x => x.Element)
            .Select(x => new CertifiedPair(x.A, x.B, Certificate.Norm(z.AsSpan(x.A * d, d), z.AsSpan(x.B * d, d)) * relative, x.Bound * relative))
            .OrderBy(x => x.Bound).ThenBy(x => x.A).ThenBy(x => x.B);

        var (tightMin, tightMedian, sampled) = Tightness(bounds, rows, refined, z, d, n, classOf, nonEquivalent);
        double? maxDyn = residualDyn.Any(double.IsFinite) ? residualDyn.Where(double.IsFinite).Max() : null;
        return new CertificateReport(scale, nonEquivalent, byClass + byRefinement, nonEquivalent == 0 ? null : min * relative, lipschitzT, lipschitzP,
            maxDyn, n == 0 ? null : residualAux.Max(), nonEquivalent == 0 || double.IsNaN(required) ? null : required, exact, sweeps, [],
            [.. hardestPairs], sum * relative, 0, tightMin, tightMedian)
        {
            Level = new CertificateLevel(m, byClass, refined.Bounds.Length, byRefinement, refined.Skipped, sampled) { Bounds = new ClassBounds(bounds, rows), Representatives = representatives },
        };
    }

    /// <summary>Bound over distance on <see cref="TightnessSample"/> non-equivalent pairs drawn with a fixed seed: the smallest and the median.</summary>
    private static (double? Min, double? Median, int Sampled) Tightness(double[] bounds, long[] rows, Refinement refined, double[] z, int d, int n, int[] classOf, long nonEquivalent)
    {
        if (nonEquivalent == 0)
        {
            return (null, null, 0);
        }

        var random = new SeededRandom(0x7419_4e55);
        var ratios = new float[TightnessSample];
        for (var i = 0; i < ratios.Length;)
        {
            var (u, v) = (random.NextInt(n), random.NextInt(n));
            if (classOf[u] == classOf[v])
            {
                continue;
            }

            (u, v) = (Math.Min(u, v), Math.Max(u, v));
            var bound = refined.Index.TryGetValue(((long)u * n) + v, out var at) ? refined.Bounds[at] : bounds[Certificate.Position(rows, classOf[u], classOf[v])];
            var distance = Certificate.Norm(z.AsSpan(u * d, d), z.AsSpan(v * d, d));
            ratios[i++] = distance > 0 ? (float)(bound / distance) : 0;
        }

        var median = Certificate.Median(ratios, out var smallest);
        return (smallest, median, ratios.Length);
    }
}
