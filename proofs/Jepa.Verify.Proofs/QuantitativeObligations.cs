using System.Globalization;
using Jepa.Verify.Smt;
using Jepa.Verify.Smt.Solvers;
using Jepa.Verify.Smt.Terms;

namespace Jepa.Verify.Proofs;

/// <summary>
/// The quantitative theorem (docs/certificate.md) as SMT obligations in real arithmetic: its two inequalities and the
/// induction step of the bound iteration with symbolic Lipschitz constants, and the bound along every action word of
/// length k = 1…5 with the constants fixed (L_T = 2, L_P = 3), where the arithmetic is linear; and the rollout clause
/// (the model's own k-step prediction in place of the per-step residuals) for k = 1…5, with the same constants.
/// </summary>
public static class QuantitativeObligations
{
    /// <summary>The fixed constants of the k-step obligations (with symbolic constants the division makes them nonlinear, and neither solver answers in minutes).</summary>
    public const decimal FixedLT = 2;

    /// <summary>See <see cref="FixedLT"/>.</summary>
    public const decimal FixedLP = 3;

    /// <summary>Every obligation, in a fixed order.</summary>
    public static IReadOnlyList<Obligation> All()
    {
        var list = new List<Obligation> { AuxInequality(), TransitionInequality(), InductionStep() };
        for (var k = 1; k <= TheoremObligations.MaxUnrolling; k++)
        {
            list.Add(KStepBound(k));
        }

        for (var k = 1; k <= TheoremObligations.MaxUnrolling; k++)
        {
            list.Add(RolloutBound(k));
        }

        list.AddRange([AuxInequality(local: true), TransitionInequality(local: true), InductionStep(local: true)]);
        for (var k = 1; k <= TheoremObligations.MaxUnrolling; k++)
        {
            list.Add(KStepBound(k, local: true));
        }

        return list;
    }

    /// <summary>‖p(o) − p(o′)‖ ≤ L_P·d(o, o′) + e_P(o) + e_P(o′); with <paramref name="local"/>, L_P of the pair (on its segment only).</summary>
    public static Obligation AuxInequality(bool local = false) => TheoremObligations.Make(
        local ? "quantitative-local-aux-inequality" : "quantitative-aux-inequality",
        local
            ? "The quantitative theorem's first inequality with a per-pair constant, for any model: the aux gap of two observations is at most LPl(o1,o2) times their latent distance plus both aux residuals, where LPl(o1,o2) bounds Phat's Lipschitz constant only on the segment between E(o1) and E(o2) (the mean-value inequality needs no more; the certificate's local constants bound it there). It follows from the triangle inequality through Phat(E(o1)) and Phat(E(o2)). The negation is asserted; no model may exist."
            : "The quantitative theorem's first inequality, for any model (no loss assumed zero): the aux gap of two observations is at most L_P times their latent distance plus both aux residuals, dV(p(o1), p(o2)) <= LP*dL(E(o1), E(o2)) + eP(o1) + eP(o2). It follows from the triangle inequality through Phat(E(o1)) and Phat(E(o2)) and from LP bounding Phat's Lipschitz constant. The negation is asserted; no model may exist.",
        SolverStatus.Unsat,
        (b, s) =>
        {
            var q = new QuantitativeSignature(b, s, null, local: local);
            var (o1, o2) = (b.Constant("o1", s.Obs), b.Constant("o2", s.Obs));
            b.Assert(Formula.Gt(q.Gap(o1, o2), Formula.Plus(q.TimesLP(o1, o2, q.D(o1, o2)), q.EP.Apply(o1), q.EP.Apply(o2))), "but the aux gap exceeds the bound");
        });

    /// <summary>d(T(o, a), T(o′, a)) ≤ L_T·d(o, o′) + e_T(o, a) + e_T(o′, a); with <paramref name="local"/>, L_T of the pair and action.</summary>
    public static Obligation TransitionInequality(bool local = false) => TheoremObligations.Make(
        local ? "quantitative-local-transition-inequality" : "quantitative-transition-inequality",
        local
            ? "The quantitative theorem's second inequality with a per-pair, per-action constant, for any model: after action a, the latent distance of the successors is at most LTl(o1,o2,a) times the latent distance plus both transition residuals, where LTl(o1,o2,a) bounds That(., a)'s Lipschitz constant only on the segment between E(o1) and E(o2). It follows from the triangle inequality through That(E(o1),a) and That(E(o2),a). The negation is asserted; no model may exist."
            : "The quantitative theorem's second inequality, for any model: after action a, the latent distance of the successors is at most L_T times the latent distance plus both transition residuals, dL(E(T(o1,a)), E(T(o2,a))) <= LT*dL(E(o1), E(o2)) + eT(o1,a) + eT(o2,a). It follows from the triangle inequality through That(E(o1),a) and That(E(o2),a) and from LT bounding That's Lipschitz constant. The negation is asserted; no model may exist.",
        SolverStatus.Unsat,
        (b, s) =>
        {
            var q = new QuantitativeSignature(b, s, null, local: local);
            var (o1, o2, a) = (b.Constant("o1", s.Obs), b.Constant("o2", s.Obs), b.Constant("a", s.Act));
            b.Assert(
                Formula.Gt(q.D(s.T.Apply(o1, a), s.T.Apply(o2, a)), Formula.Plus(q.TimesLT(o1, o2, a, q.D(o1, o2)), q.ET.Apply(o1, a), q.ET.Apply(o2, a))),
                "but the successors are further apart than the bound");
        });

    /// <summary>If B ≤ d everywhere, each term of the next iterate (times its constant) is ≤ the constant times d; with <paramref name="local"/>, each pair's own constants.</summary>
    public static Obligation InductionStep(bool local = false) => TheoremObligations.Make(
        local ? "quantitative-local-bound-induction-step" : "quantitative-bound-induction-step",
        (local ? "With per-pair constants LPl(o1,o2) and LTl(o1,o2,a) in place of LP and LT (positive), from the per-pair inequalities' axioms (each pair's constant bounds the heads between its two latents). " : "") + "The induction step of the bound iteration B(i+1)(o1,o2) = max(0, (gap - eP(o1) - eP(o2))/LP, max over a of (Bi(T(o1,a),T(o2,a)) - eT(o1,a) - eT(o2,a))/LT): assume (induction hypothesis) that a function B is a lower bound of the latent distance everywhere. Then both terms of the next iterate, multiplied by their positive constant, are at most that constant times the latent distance: gap - eP(o1) - eP(o2) <= LP*d(o1,o2) and B(T(o1,a),T(o2,a)) - eT(o1,a) - eT(o2,a) <= LT*d(o1,o2); dividing by LP, LT > 0 gives B(i+1) <= d. The base B0 = 0 <= d needs d >= 0, which the triangle inequality and symmetry give. The negation is asserted; no model may exist.",
        SolverStatus.Unsat,
        (b, s) =>
        {
            var q = new QuantitativeSignature(b, s, null, local: local);
            var bound = b.Declare(FunctionSymbol.Create("B", Sort.Real, s.Obs, s.Obs));
            var (x, y) = (Formula.Var("x", s.Obs), Formula.Var("y", s.Obs));
            b.Assert(Formula.Forall([x, y], Formula.Le(bound.Apply(x, y), q.D(x, y))), "induction hypothesis: B is a lower bound of the latent distance");
            var (o1, o2, a) = (b.Constant("o1", s.Obs), b.Constant("o2", s.Obs), b.Constant("a", s.Act));
            b.Assert(
                Formula.Or(
                    Formula.Gt(Formula.Minus(q.Gap(o1, o2), q.EP.Apply(o1), q.EP.Apply(o2)), q.TimesLP(o1, o2, q.D(o1, o2))),
                    Formula.Gt(Formula.Minus(bound.Apply(s.T.Apply(o1, a), s.T.Apply(o2, a)), q.ET.Apply(o1, a), q.ET.Apply(o2, a)), q.TimesLT(o1, o2, a, q.D(o1, o2)))),
                "but a term of the next iterate exceeds the constant times the distance");
        });

    /// <summary>
    /// The bound along a symbolic action word of length <paramref name="k"/> is at most the latent distance; with
    /// <paramref name="local"/>, each pair on the way has its own constants (L_T ∈ {1, 2}, L_P ∈ {2, 3}, picked per pair).
    /// </summary>
    public static Obligation KStepBound(int k, bool local = false) => TheoremObligations.Make(
        local ? FormattableString.Invariant($"quantitative-local-{k}-step-bound") : FormattableString.Invariant($"quantitative-{k}-step-bound"),
        local
            ? FormattableString.Invariant($"The certified bound along any action word a1 ... a{k} with per-pair constants is a lower bound of the latent distance: every pair on the way has its own L_T (per action) in {{1, 2}} and L_P in {{2, 3}}, each picked by an uninterpreted predicate of the pair, so every assignment is covered (two numerals keep the arithmetic linear; symbolic per-pair constants make every division nonlinear), from the per-pair inequalities (each proved by its own obligation) as axioms. v0 = (gap - eP - eP)/LPl at the pair reached after the word, then, walking the word backwards, v(j+1) = (vj - eT - eT)/LTl with the constants and residuals of the pair before each action; the claim is v{k} <= dL(E(o1), E(o2)). The negation is asserted; no model may exist.")
            : FormattableString.Invariant($"The certified bound along any action word a1 ... a{k} is a lower bound of the latent distance, with L_T = {FixedLT} and L_P = {FixedLP} (fixed so that the arithmetic is linear; the induction step covers every positive constant), from the lemma's two inequalities (each proved by its own obligation) as axioms. v0 = (gap - eP - eP)/LP at the pair reached after the word, then, walking the word backwards, v(j+1) = (vj - eT - eT)/LT with the residuals of the pair before each action; the claim is v{k} <= dL(E(o1), E(o2)). The negation is asserted; no model may exist."),
        SolverStatus.Unsat,
        (b, s) =>
        {
            var q = new QuantitativeSignature(b, s, (FixedLT, FixedLP), fromLemma: true, local: local);
            var (o1, o2) = (b.Constant("o1", s.Obs), b.Constant("o2", s.Obs));
            var word = Enumerable.Range(1, k).Select(i => b.Constant(string.Create(CultureInfo.InvariantCulture, $"a{i}"), s.Act)).ToArray();
            var path = new List<(Term X, Term Y)> { (o1, o2) };
            foreach (var a in word)
            {
                path.Add((s.T.Apply(path[^1].X, a), s.T.Apply(path[^1].Y, a)));
            }

            var (endX, endY) = path[^1];
            var v = q.DivideLP(endX, endY, Formula.Minus(q.Gap(endX, endY), q.EP.Apply(endX), q.EP.Apply(endY)));
            for (var i = k - 1; i >= 0; i--)
            {
                var (x, y) = path[i];
                v = q.DivideLT(x, y, word[i], Formula.Minus(v, q.ET.Apply(x, word[i]), q.ET.Apply(y, word[i])));
            }

            b.Assert(Formula.Gt(v, q.D(o1, o2)), string.Create(CultureInfo.InvariantCulture, $"but the {k}-step bound exceeds the latent distance"));
        });

    /// <summary>The rollout clause along a symbolic action word of length <paramref name="k"/> is at most the latent distance.</summary>
    public static Obligation RolloutBound(int k) => TheoremObligations.Make(
        string.Create(CultureInfo.InvariantCulture, $"quantitative-{k}-step-rollout-bound"),
        string.Create(CultureInfo.InvariantCulture, $"The rollout clause along any action word a1 ... a{k}, with L_T = {FixedLT} and L_P = {FixedLP} (fixed so that the arithmetic is linear): roll the model out from both latents, x0 = E(o1), x(j) = That(x(j-1), aj), and likewise y from E(o2); with the rollout residuals r1 = dV(Phat(x{k}), p(T_s(o1))) and r2 = dV(Phat(y{k}), p(T_s(o2))), where T_s is the true state after the word, the claim is (gap(T_s(o1), T_s(o2)) - r1 - r2)/(LP*LT^{k}) <= dL(E(o1), E(o2)). It follows from the triangle inequality through Phat(x{k}) and Phat(y{k}) and from the Lipschitz bounds applied {k + 1} times; no per-step residual is involved. The negation is asserted; no model may exist."),
        SolverStatus.Unsat,
        (b, s) =>
        {
            var q = new QuantitativeSignature(b, s, (FixedLT, FixedLP));
            var (o1, o2) = (b.Constant("o1", s.Obs), b.Constant("o2", s.Obs));
            var (endX, endY, x, y) = (o1, o2, s.E.Apply(o1), s.E.Apply(o2));
            var lipschitz = FixedLP;
            for (var i = 1; i <= k; i++)
            {
                var a = b.Constant(string.Create(CultureInfo.InvariantCulture, $"a{i}"), s.Act);
                (endX, endY) = (s.T.Apply(endX, a), s.T.Apply(endY, a));
                (x, y) = (s.That.Apply(x, a), s.That.Apply(y, a));
                lipschitz *= FixedLT;
            }

            var (r1, r2) = (q.DV.Apply(s.Phat.Apply(x), s.P.Apply(endX)), q.DV.Apply(s.Phat.Apply(y), s.P.Apply(endY)));
            var v = Formula.Divide(Formula.Minus(q.Gap(endX, endY), r1, r2), Formula.Real(lipschitz));
            b.Assert(Formula.Gt(v, q.D(o1, o2)), string.Create(CultureInfo.InvariantCulture, $"but the {k}-step rollout bound exceeds the latent distance"));
        });
}
