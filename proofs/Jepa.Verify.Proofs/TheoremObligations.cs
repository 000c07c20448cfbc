using System.Globalization;
using Jepa.Verify.Smt;
using Jepa.Verify.Smt.Solvers;
using Jepa.Verify.Smt.Terms;

namespace Jepa.Verify.Proofs;

/// <summary>
/// The theorem and its neighbours as SMT obligations over uninterpreted sorts: the lemmas (unsat)
/// that make the equal-latent relation a bisimulation, the k-step form and its induction step, the
/// counterexamples (sat) that show each hypothesis is needed and that the guarantee is one-sided, and
/// the quantitative theorem (<see cref="QuantitativeObligations"/>).
/// </summary>
public static class TheoremObligations
{
    /// <summary>How far the unrolled k-step form goes (K ≥ 5 as the issue asks).</summary>
    public const int MaxUnrolling = 5;

    /// <summary>Every obligation, in a fixed order.</summary>
    public static IReadOnlyList<Obligation> All()
    {
        var list = new List<Obligation> { EqualLatentsEqualAux(), EqualLatentsClosedUnderActions() };
        for (var k = 1; k <= MaxUnrolling; k++)
        {
            list.Add(EqualLatentsKBisimilar(k));
        }

        list.Add(InductionStep());
        list.Add(WithoutAuxLossMergingIsPossible());
        list.Add(WithoutTransitionLossMergingIsPossible());
        list.Add(BisimilarObservationsMayStayApart());
        list.AddRange(QuantitativeObligations.All());
        return list;
    }

    /// <summary>1. Zero loss: equal latents imply equal aux values.</summary>
    public static Obligation EqualLatentsEqualAux() => Make(
        "zero-loss-equal-latents-equal-aux",
        "With both losses zero, two observations with the same latent have the same aux value: Phat(E(o1)) = p(o1) and Phat(E(o2)) = p(o2), so E(o1) = E(o2) forces p(o1) = p(o2). The negation is asserted; no model may exist. This is the first clause of bisimulation for the relation E(o1) = E(o2).",
        SolverStatus.Unsat,
        (b, s) =>
        {
            s.AssertZeroTransitionLoss(b);
            s.AssertZeroAuxLoss(b);
            var (o1, o2) = TwoSharingALatent(b, s);
            b.Assert(Formula.Neq(s.P.Apply(o1), s.P.Apply(o2)), "but their aux values differ");
        });

    /// <summary>2. Zero loss: the equal-latent relation is closed under every action.</summary>
    public static Obligation EqualLatentsClosedUnderActions() => Make(
        "zero-loss-equal-latents-closed-under-actions",
        "With both losses zero, if E(o1) = E(o2) then for every action a the successors also share a latent: E(T(o1,a)) = That(E(o1),a) = That(E(o2),a) = E(T(o2,a)). The negation is asserted; no model may exist. This is the second clause of bisimulation, so the relation E(o1) = E(o2) is a bisimulation and lies inside bisimilarity: non-bisimilar observations get distinct latents.",
        SolverStatus.Unsat,
        (b, s) =>
        {
            s.AssertZeroTransitionLoss(b);
            s.AssertZeroAuxLoss(b);
            var (o1, o2) = TwoSharingALatent(b, s);
            var a = b.Constant("a", s.Act);
            b.Assert(Formula.Neq(s.E.Apply(s.T.Apply(o1, a)), s.E.Apply(s.T.Apply(o2, a))), "but some action leads them to different latents");
        });

    /// <summary>3a. Zero loss: equal latents imply k-step bisimilarity, unrolled.</summary>
    public static Obligation EqualLatentsKBisimilar(int k) => Make(
        string.Create(CultureInfo.InvariantCulture, $"zero-loss-equal-latents-imply-{k}-bisimilar"),
        string.Create(CultureInfo.InvariantCulture, $"k-step bisimilarity unrolled: eq0(x,y) is p(x) = p(y), and eq(j+1)(x,y) is eqj(x,y) and, for every action a, eqj(T(x,a), T(y,a)). With both losses zero, E(o1) = E(o2) implies eq{k}(o1,o2): no sequence of at most {k} actions separates the aux values of two observations that share a latent. The negation is asserted; no model may exist."),
        SolverStatus.Unsat,
        (b, s) =>
        {
            s.AssertZeroTransitionLoss(b);
            s.AssertZeroAuxLoss(b);
            var eq = UnrollBisimilarity(b, s, k);
            var (o1, o2) = TwoSharingALatent(b, s);
            b.Assert(Formula.Not(eq.Apply(o1, o2)), string.Create(CultureInfo.InvariantCulture, $"but they are not {k}-step bisimilar"));
        });

    /// <summary>3b. The induction step for general k.</summary>
    public static Obligation InductionStep() => Make(
        "zero-loss-k-bisimilarity-induction-step",
        "The induction step for every k: let R stand for k-step bisimilarity and assume (induction hypothesis) that E(x) = E(y) implies R(x,y) for all x, y. With both losses zero, E(o1) = E(o2) then implies the (k+1)-step relation: p(o1) = p(o2) and R(T(o1,a), T(o2,a)) for every action a. The base case k = 0 is the obligation zero-loss-equal-latents-equal-aux. The negation is asserted; no model may exist.",
        SolverStatus.Unsat,
        (b, s) =>
        {
            s.AssertZeroTransitionLoss(b);
            s.AssertZeroAuxLoss(b);
            var r = b.Declare(FunctionSymbol.Create("R", Sort.Bool, s.Obs, s.Obs));
            var x = Formula.Var("x", s.Obs);
            var y = Formula.Var("y", s.Obs);
            b.Assert(Formula.Forall([x, y], Formula.Implies(Formula.Eq(s.E.Apply(x), s.E.Apply(y)), r.Apply(x, y))), "induction hypothesis: equal latents imply R (k-step bisimilarity)");
            var (o1, o2) = TwoSharingALatent(b, s);
            var a = Formula.Var("a", s.Act);
            b.Assert(
                Formula.Not(Formula.And(Formula.Eq(s.P.Apply(o1), s.P.Apply(o2)), Formula.Forall([a], r.Apply(s.T.Apply(o1, a), s.T.Apply(o2, a))))),
                "but they are not (k+1)-step bisimilar");
        });

    /// <summary>4. Without L_p, zero transition loss allows merging observations with different aux values.</summary>
    public static Obligation WithoutAuxLossMergingIsPossible() => Make(
        "ablation-without-aux-loss-merging-is-possible",
        "Ablation: drop L_p and keep only L_dyn = 0. Then a model exists in which two observations with different aux values share a latent (for instance a constant encoder with a constant latent transition: complete collapse). Expected sat, with the model shown; the search is limited to a small universe, which only removes models.",
        SolverStatus.Sat,
        (b, s) =>
        {
            s.AssertZeroTransitionLoss(b);
            var (o1, o2) = TwoSharingALatent(b, s);
            b.Assert(Formula.Neq(s.P.Apply(o1), s.P.Apply(o2)), "although their aux values differ");
            SmallUniverse(b, s, [o1, o2], ["a0"], ["l0"], ["v0", "v1"]);
            b.GetValue(s.E.Apply(o1)).GetValue(s.E.Apply(o2)).GetValue(s.P.Apply(o1)).GetValue(s.P.Apply(o2));
        });

    /// <summary>5. Without L_dyn, zero aux loss allows merging observations that differ only in where an action leads.</summary>
    public static Obligation WithoutTransitionLossMergingIsPossible() => Make(
        "ablation-without-transition-loss-merging-is-possible",
        "Ablation: drop L_dyn and keep only L_p = 0. Then a model exists in which two observations with equal aux values but non-bisimilar successors (action a leads them to observations with different aux values) share a latent: only distinctions of p itself are forced. Expected sat, with the model shown; the search is limited to a small universe, which only removes models.",
        SolverStatus.Sat,
        (b, s) =>
        {
            s.AssertZeroAuxLoss(b);
            var (o1, o2) = TwoSharingALatent(b, s);
            var a = b.Constant("a", s.Act);
            b.Assert(Formula.Eq(s.P.Apply(o1), s.P.Apply(o2)), "they have equal aux values");
            b.Assert(Formula.Neq(s.P.Apply(s.T.Apply(o1, a)), s.P.Apply(s.T.Apply(o2, a))), "but action a leads them to different aux values: they are not bisimilar");
            var o3 = b.Constant("o3", s.Obs);
            SmallUniverse(b, s, [o1, o2, o3], [a], ["l0", "l1"], ["v0", "v1"]);
            b.GetValue(s.E.Apply(o1)).GetValue(s.E.Apply(o2)).GetValue(s.P.Apply(s.T.Apply(o1, a))).GetValue(s.P.Apply(s.T.Apply(o2, a)));
        });

    /// <summary>6. The guarantee is one-sided: bisimilar observations may keep distinct latents.</summary>
    public static Obligation BisimilarObservationsMayStayApart() => Make(
        "one-sided-bisimilar-observations-may-stay-apart",
        "One-sidedness: with both losses zero, two distinct bisimilar observations (equal aux values and the same successor under every action) may still get different latents. Collapse of bisimilar observations is allowed, never forced. Expected sat, with the model shown; the search is limited to a small universe, which only removes models.",
        SolverStatus.Sat,
        (b, s) =>
        {
            s.AssertZeroTransitionLoss(b);
            s.AssertZeroAuxLoss(b);
            var o1 = b.Constant("o1", s.Obs);
            var o2 = b.Constant("o2", s.Obs);
            var a = Formula.Var("a", s.Act);
            b.Assert(Formula.Neq(o1, o2), "two distinct observations");
            b.Assert(Formula.Eq(s.P.Apply(o1), s.P.Apply(o2)), "with equal aux values");
            b.Assert(Formula.Forall([a], Formula.Eq(s.T.Apply(o1, a), s.T.Apply(o2, a))), "and the same successor under every action: they are bisimilar");
            b.Assert(Formula.Neq(s.E.Apply(o1), s.E.Apply(o2)), "yet their latents differ");
            SmallUniverse(b, s, [o1, o2], ["a0"], ["l0", "l1"], ["v0"]);
            b.GetValue(s.E.Apply(o1)).GetValue(s.E.Apply(o2));
        });

    /// <summary>Declares observations <c>o1</c>, <c>o2</c> and asserts that they share a latent.</summary>
    private static (Term O1, Term O2) TwoSharingALatent(SmtScriptBuilder b, TheoremSignature s)
    {
        var o1 = b.Constant("o1", s.Obs);
        var o2 = b.Constant("o2", s.Obs);
        b.Assert(Formula.Eq(s.E.Apply(o1), s.E.Apply(o2)), "two observations share a latent");
        return (o1, o2);
    }

    /// <summary>
    /// Restricts a satisfiable obligation to a small universe: every sort is the listed elements
    /// (existing constants or new ones). Restricting the universe only removes models, so a model found
    /// here is a model of the unrestricted formula; it lets the solvers' model search terminate.
    /// </summary>
    private static void SmallUniverse(SmtScriptBuilder b, TheoremSignature s, Term[] observations, object[] actions, string[] latents, string[] values)
    {
        var acts = actions.Select(a => a as Term ?? b.Constant((string)a, s.Act)).ToArray();
        var lats = latents.Select(l => b.Constant(l, s.Lat)).ToArray();
        var vals = values.Select(v => b.Constant(v, s.Val)).ToArray();
        foreach (var (sort, elements) in new[] { (s.Obs, observations), (s.Act, acts), (s.Lat, lats), (s.Val, vals) })
        {
            var x = Formula.Var("x", sort);
            b.Assert(
                Formula.Forall([x], Formula.Or(elements.Select(e => Formula.Eq(x, e)))),
                string.Create(CultureInfo.InvariantCulture, $"a small universe: {sort.Name} has at most {elements.Length} element(s) (this only removes models)"));
        }
    }

    /// <summary>Defines eq0 … eqk and returns eqk.</summary>
    private static FunctionSymbol UnrollBisimilarity(SmtScriptBuilder b, TheoremSignature s, int k)
    {
        var x = Formula.Var("x", s.Obs);
        var y = Formula.Var("y", s.Obs);
        var a = Formula.Var("a", s.Act);
        var eq = b.Define("eq0", [x, y], Formula.Eq(s.P.Apply(x), s.P.Apply(y)));
        for (var j = 1; j <= k; j++)
        {
            eq = b.Define(
                string.Create(CultureInfo.InvariantCulture, $"eq{j}"),
                [x, y],
                Formula.And(eq.Apply(x, y), Formula.Forall([a], eq.Apply(s.T.Apply(x, a), s.T.Apply(y, a)))));
        }

        return eq;
    }

    /// <summary>An obligation named <paramref name="name"/>: its header comments, the theorem's vocabulary, then <paramref name="body"/>.</summary>
    internal static Obligation Make(string name, string statement, SolverStatus expected, Action<SmtScriptBuilder, TheoremSignature> body)
    {
        var b = new SmtScriptBuilder();
        b.Comment($"obligation: {name}");
        b.Comment($"expected: {expected.ToString().ToLowerInvariant()}");
        b.Comment("");
        foreach (var line in Wrap(statement, 96))
        {
            b.Comment(line);
        }

        b.Comment("");
        b.Comment("Generated by `jepa-verify prove --general --emit-smt2 proofs/smt2`; do not edit by hand.");
        body(b, new TheoremSignature(b));
        return new Obligation(name, statement, expected, b.Build());
    }

    private static IEnumerable<string> Wrap(string text, int width)
    {
        var line = "";
        foreach (var word in text.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            if (line.Length > 0 && line.Length + 1 + word.Length > width)
            {
                yield return line;
                line = word;
            }
            else
            {
                line = line.Length == 0 ? word : line + " " + word;
            }
        }

        if (line.Length > 0)
        {
            yield return line;
        }
    }
}
