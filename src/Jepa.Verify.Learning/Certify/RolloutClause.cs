namespace Jepa.Verify.Learning.Certify;

/// <summary>
/// The rollout clause of the certificate: for a pair (o, o′) and an action word s of length k,
/// d(o, o′) ≥ (‖p(T_s o) − p(T_s o′)‖ − r_s(o) − r_s(o′)) / (L_P·L_T^k), where r_s(o) = ‖P̂(T̂_s(E(o))) − p(T_s o)‖ is the
/// error of the model's own k-step open-loop prediction of the aux value from E(o).
/// </summary>
/// <remarks>
/// <para>
/// Sound: F = P̂ ∘ T̂(·, s_k) ∘ … ∘ T̂(·, s₁) is L_P·L_T^k-Lipschitz, so ‖F(E o) − F(E o′)‖ ≤ L_P·L_T^k·d(o, o′), and by the
/// triangle inequality ‖F(E o) − F(E o′)‖ ≥ ‖p(T_s o) − p(T_s o′)‖ − r_s(o) − r_s(o′). The per-step clause bounds the same
/// distance through the same word with r_s(o) replaced by its worst case e_P + L_P·(e_T + L_T·e_T + … + L_T^{k−1}·e_T):
/// it assumes every step's error is stretched by the full L_T, where the rollout measures how far the prediction
/// actually drifts. The rollout's error is at most that worst case, so on the same word this clause is never weaker;
/// a pair the per-step clause leaves at 0 may get a positive bound here.
/// </para>
/// <para>
/// Words: for each pair the bound iteration left at 0, up to <see cref="MaxWords"/> shortest distinguishing words in
/// action order, of at most <see cref="MaxLength"/> steps, keeping the best bound (a pair's depth is the length of its
/// shortest word to a pair with a positive aux gap, following actions observed from both; a shortest word takes, at
/// each step, an action that lowers the depth by one). Rollouts are shared
/// between pairs (one per observation and word prefix) and capped at <see cref="MaxEvaluations"/> evaluations of T̂
/// (fewer for wide latents: <see cref="MaxStoredValues"/>); pairs beyond the cap keep their bound. Any word gives a sound bound, so neither choice affects soundness.
/// </para>
/// <para>
/// Floating point: each evaluation of a head in double precision may differ from the exact function by a rounding
/// error; we allow 1e-9·(1 + ‖output‖) per evaluation (a dense layer of width w rounds by at most about w·2⁻⁵³ of
/// ‖W‖·‖x‖, under 1e-11 of the output's scale for the widths used here), carry it through the later steps' L_T and add
/// L_P times it to the residual.
/// </para>
/// <para>
/// Local constants along the rollout: where both heads can carry a flow (<see cref="SegmentBound"/>: chains and graphs),
/// each word is also tried with the rolled-out function's own directional bound along the pair's segment in place of
/// L_P·L_T^k (the mean-value inequality for F on that segment), and with residuals from interval evaluation of F at each
/// latent (a box that holds the exact value whatever the rounding, so no allowance is carried through L_T); the larger
/// bound is kept. This costs (2 + pieces)·(k + 1) forward passes a word, within <see cref="LocalBudget"/>.
/// </para>
/// Written here: no library computes this bound.
/// </remarks>
internal static class RolloutClause
{
    /// <summary>The longest word rolled out.</summary>
    public const int MaxLength = 32;

    /// <summary>The most evaluations of T̂ one certificate spends on rollouts.</summary>
    public const long MaxEvaluations = 1_000_000;

    /// <summary>The most latent values the stored rollouts may hold (128 MB of doubles): fewer evaluations for wide latents.</summary>
    public const long MaxStoredValues = 1L << 24;

    /// <summary>The most shortest words tried per pair (the best bound is kept).</summary>
    public const int MaxWords = 8;

    /// <summary>The most multiply–adds one certificate spends on local rollout bounds (see the remarks).</summary>
    public const long LocalBudget = 2_000_000_000;

    private const byte Unknown = byte.MaxValue;

    /// <summary>Raises the bounds of the pairs left at 0 by the rollout clause; returns how many it raised above 0.</summary>
    /// <param name="bounds">Per pair, the bounds so far (raised in place).</param>
    /// <param name="gaps">Per pair, the aux gap ‖p(a) − p(b)‖, rounded down.</param>
    /// <param name="n">Observations.</param>
    /// <param name="actions">Actions.</param>
    /// <param name="successor">Per observation and action, the successor (−1 when unobserved).</param>
    /// <param name="apart">Which pairs must be apart (only those are raised).</param>
    /// <param name="z">The latents, row-major, in double.</param>
    /// <param name="d">The latent dimension.</param>
    /// <param name="p">The aux targets, row-major.</param>
    /// <param name="transition">T̂.</param>
    /// <param name="auxHead">P̂.</param>
    /// <param name="lipschitzT">L_T.</param>
    /// <param name="lipschitzP">L_P.</param>
    /// <param name="local">Whether words may also be tried with local constants along the rollout (see the remarks; training's stop test does not).</param>
    public static long Raise(double[] bounds, double[] gaps, int n, int actions, int[] successor, Func<int, int, bool> apart,
        double[] z, int d, double[] p, IHead transition, IHead auxHead, double lipschitzT, double lipschitzP, bool local = true)
    {
        if (!(lipschitzT > 0) || !(lipschitzP > 0) || n < 2)
        {
            return 0;
        }

        var rows = Certificate.RowStarts(n);
        var (workT, workP) = (SegmentBound.Work(transition), SegmentBound.Work(auxHead));
        var localBudget = local && workT >= 0 && workP >= 0 ? LocalBudget : 0;
        // The pairs a word is tried for: those at 0 (pass 0), and with local constants those the per-step clause bounded by
        // less than half their distance (pass 1), each distance computed once here.
        var loose = new bool[bounds.Length];
        var open = 0L;
        for (int a = 0, at = 0; a < n; a++)
        {
            for (var b = a + 1; b < n; b++, at++)
            {
                if (!apart(a, b) || gaps[at] != 0)
                {
                    continue;
                }

                loose[at] = localBudget > 0 && bounds[at] > 0 && bounds[at] < 0.5 * Certificate.Norm(z.AsSpan(a * d, d), z.AsSpan(b * d, d));
                open += bounds[at] == 0 || loose[at] ? 1 : 0;
            }
        }

        bool Candidate(int a, int b, long at) => apart(a, b) && gaps[at] == 0 && (bounds[at] == 0 || loose[at]);

        if (open == 0)
        {
            return 0;
        }

        var depth = Depths(gaps, n, actions, successor, rows, Candidate, open);
        var rollouts = new Rollouts(z, d, p, actions, transition, auxHead, lipschitzT, lipschitzP);
        var word = new List<int>();
        var stack = new Stack<(int U, int V, int Step, int Action)>();
        long raised = 0;
        // Pass 0: the pairs the per-step clause left at 0, with both kinds of rollout bound. Pass 1 (local constants only):
        // pairs it bounded by less than half their distance, whose word may do better — after pass 0, so that they never
        // take the evaluation budget from a pair without a bound.
        for (var pass = 0; pass < (localBudget > 0 ? 2 : 1); pass++)
        {
            for (int a = 0, at = 0; a < n; a++)
            {
                for (var b = a + 1; b < n; b++, at++)
                {
                    var length = depth[at];
                    var eligible = pass == 0 ? bounds[at] == 0 : loose[at];
                    if (!eligible || length == 0 || length == Unknown || !apart(a, b))
                    {
                        continue;
                    }

                    // Shortest words in action order, up to MaxWords of them: at each step, the actions whose successor pair is one step closer.
                    var lipschitz = lipschitzP;
                    for (var i = 0; i < length; i++)
                    {
                        lipschitz *= lipschitzT * (1 + 1e-12);
                    }

                    var best = bounds[at];
                    var words = 0;
                    stack.Clear();
                    word.Clear();
                    stack.Push((a, b, 0, 0));
                    while (stack.Count > 0 && words < MaxWords)
                    {
                        var (u, v, step, x) = stack.Pop();
                        word.RemoveRange(step, word.Count - step);
                        if (step == length)
                        {
                            words++;
                            var gap = gaps[Certificate.Position(rows, u, v)];
                            if (pass == 0)
                            {
                                var (ra, rb) = (rollouts.Residual(a, word, successor), rollouts.Residual(b, word, successor));
                                if (ra is not { } residualA || rb is not { } residualB)
                                {
                                    return raised; // the evaluation budget is spent
                                }

                                best = Math.Max(best, Certificate.Step(gap, residualA, residualB, lipschitz));
                            }

                            var cost = (2 + SegmentBound.Pieces) * ((length * workT) + workP);
                            if (localBudget >= cost)
                            {
                                localBudget -= cost;
                                best = Math.Max(best, LocalBound(a, b, word, u, v, gap));
                            }

                            continue;
                        }

                        for (; x < actions; x++)
                        {
                            var (su, sv) = (successor[(u * actions) + x], successor[(v * actions) + x]);
                            if (su >= 0 && sv >= 0 && su != sv && depth[Certificate.Position(rows, su, sv)] == length - step - 1)
                            {
                                stack.Push((u, v, step, x + 1)); // the next sibling, after this subtree
                                stack.Push((su, sv, step + 1, 0));
                                word.Add(x);
                                break;
                            }
                        }
                    }

                    if (best > bounds[at])
                    {
                        raised += bounds[at] == 0 ? 1 : 0;
                        bounds[at] = best;
                    }
                }
            }
        }

        return raised;

        // The word's bound with the rolled-out function's directional bound and interval residuals.
        double LocalBound(int a, int b, List<int> word, int endA, int endB, double gap)
        {
            double? Residual(int o, int end)
            {
                if (SegmentBound.Rollout(SegmentBound.Flow.Point(z.AsSpan(o * d, d).ToArray()), word, actions, transition, auxHead) is not { } flow)
                {
                    return null;
                }

                var (lo, hi) = flow.Box;
                var k = auxHead.Outputs;
                double s = 0;
                for (var i = 0; i < k; i++)
                {
                    var target = p[(end * k) + i];
                    var far = Math.Max(Math.Abs(lo[i] - target), Math.Abs(hi[i] - target));
                    s += far * far;
                }

                return Math.Sqrt(s) * (1 + 1e-12);
            }

            var constant = SegmentBound.Directional(z.AsSpan(a * d, d), z.AsSpan(b * d, d), flow => SegmentBound.Rollout(flow, word, actions, transition, auxHead));
            return Residual(a, endA) is { } ra && Residual(b, endB) is { } rb && double.IsFinite(constant) ? Certificate.Step(gap, ra, rb, constant) : 0;
        }
    }

    /// <summary>
    /// Per pair, the length of its shortest word to a pair with a positive gap (0 for those pairs, <see cref="Unknown"/>
    /// when none is found within <see cref="MaxLength"/> steps). Breadth-first by length, rows in parallel: a pass sets
    /// length r only from pairs of length r − 1, so the result does not depend on the schedule. Stops once every open
    /// pair (a candidate: apart, at 0, or with local constants bounded by less than half its distance) has a length.
    /// </summary>
    private static byte[] Depths(double[] gaps, int n, int actions, int[] successor, long[] rows, Func<int, int, long, bool> candidate, long open)
    {
        var depth = new byte[gaps.Length];
        for (var i = 0; i < gaps.Length; i++)
        {
            depth[i] = gaps[i] > 0 ? (byte)0 : Unknown;
        }

        var (found, set) = (new long[n], new long[n]);
        for (var r = 1; r <= MaxLength && open > 0; r++)
        {
            var previous = (byte)(r - 1);
            Array.Clear(found);
            Array.Clear(set);
            Parallel.For(0, n, a =>
            {
                var at = rows[a] + a + 1;
                for (var b = a + 1; b < n; b++, at++)
                {
                    if (depth[at] != Unknown)
                    {
                        continue;
                    }

                    for (var x = 0; x < actions; x++)
                    {
                        var (u, v) = (successor[(a * actions) + x], successor[(b * actions) + x]);
                        if (u >= 0 && v >= 0 && u != v && depth[Certificate.Position(rows, u, v)] == previous)
                        {
                            depth[at] = (byte)r;
                            set[a]++;
                            found[a] += candidate(a, b, at) ? 1 : 0;
                            break;
                        }
                    }
                }
            });
            if (set.Sum() == 0)
            {
                break;
            }

            open -= found.Sum();
        }

        return depth;
    }

    /// <summary>The model rolled out from each observation along word prefixes, shared between pairs.</summary>
    /// <remarks>Words are nodes of a trie (flat: <c>children[node·actions + x]</c>, 0 while absent); a rollout and a residual are stored per (node, observation).</remarks>
    private sealed class Rollouts(double[] z, int d, double[] p, int actions, IHead transition, IHead auxHead, double lipschitzT, double lipschitzP)
    {
        private readonly int observations = z.Length / d;
        private readonly int auxDim = auxHead.Outputs;
        private readonly long budget = Math.Min(MaxEvaluations, MaxStoredValues / d);
        private readonly List<int> children = [.. new int[actions]];
        private readonly Dictionary<long, (double[] Latent, double Drift, int State)> states = [];
        private readonly Dictionary<long, double> residuals = [];
        private long evaluations;

        /// <summary>r_s(o) plus its rounding allowance, or null once the evaluation budget is spent.</summary>
        public double? Residual(int observation, List<int> word, int[] successor)
        {
            var node = 0;
            foreach (var x in word)
            {
                node = Child(node, x);
            }

            if (residuals.TryGetValue(Key(node, observation), out var residual))
            {
                return residual;
            }

            (double[] Latent, double Drift, int State) at = (z.AsSpan(observation * d, d).ToArray(), 0, observation);
            node = 0;
            foreach (var x in word)
            {
                node = Child(node, x);
                if (states.TryGetValue(Key(node, observation), out var known))
                {
                    at = known;
                    continue;
                }

                if (++evaluations > budget)
                {
                    return null;
                }

                var latent = transition.EvaluateTransition(at.Latent, x, actions);
                at = (latent, (at.Drift * lipschitzT * (1 + 1e-12)) + Allowance(latent), successor[(at.State * actions) + x]);
                states[Key(node, observation)] = at;
            }

            var predicted = auxHead.Evaluate(at.Latent);
            residual = (Certificate.Norm(predicted, p.AsSpan(at.State * auxDim, auxDim)) * (1 + 1e-12)) + (lipschitzP * at.Drift * (1 + 1e-12)) + Allowance(predicted);
            residuals[Key(node, observation)] = residual;
            return residual;
        }

        private long Key(int node, int observation) => ((long)node * observations) + observation;

        private int Child(int node, int action)
        {
            var slot = (node * actions) + action;
            if (children[slot] == 0)
            {
                children[slot] = children.Count / actions;
                children.AddRange(new int[actions]);
            }

            return children[slot];
        }

        private static double Allowance(double[] output)
        {
            double s = 0;
            foreach (var v in output)
            {
                s += v * v;
            }

            return 1e-9 * (1 + Math.Sqrt(s));
        }
    }
}
