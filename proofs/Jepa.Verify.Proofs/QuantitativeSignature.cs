using Jepa.Verify.Smt;
using Jepa.Verify.Smt.Terms;

namespace Jepa.Verify.Proofs;

/// <summary>
/// The quantitative theorem's vocabulary on top of <see cref="TheoremSignature"/>: distances <c>dL</c> on latents and
/// <c>dV</c> on aux values (symmetric, with the triangle inequality; nothing else is assumed of them), Lipschitz bounds
/// <c>LT</c> of <c>That(·, a)</c> and <c>LP</c> of <c>Phat</c>, and the residuals <c>eT(o, a) = dL(That(E(o), a), E(T(o, a)))</c>
/// and <c>eP(o) = dV(Phat(E(o)), p(o))</c> (DESIGN.md §1, docs/certificate.md). No loss is assumed zero.
/// </summary>
internal sealed class QuantitativeSignature
{
    /// <summary>
    /// Declares the vocabulary; <paramref name="constants"/> fixes L_T and L_P as numerals (linear arithmetic), or null
    /// leaves them symbolic and positive. With <paramref name="fromLemma"/>, the metric and Lipschitz axioms are replaced
    /// by the two inequalities they imply (proved by their own obligations), so that a chain of them needs no search
    /// through the triangle inequality.
    /// </summary>
    /// <param name="b">The script.</param>
    /// <param name="s">The theorem's vocabulary.</param>
    /// <param name="constants">The constants as numerals, or null for symbolic ones.</param>
    /// <param name="fromLemma">Whether the two inequalities stand in for the metric and Lipschitz axioms.</param>
    /// <param name="local">
    /// Per-pair constants instead (docs/certificate.md, "Local constants"): <c>LPl(o1, o2)</c> bounds Phat only between
    /// E(o1) and E(o2), and <c>LTl(o1, o2, a)</c> That(·, a) only between them (the mean-value inequality on their
    /// segment, which the certificate's local constant bounds). Symbolic, they are uninterpreted; "fixed", each pair's is
    /// one of two numerals picked by an uninterpreted predicate (LTl ∈ {1, 2}, LPl ∈ {2, 3}), so that the constants vary
    /// from pair to pair along a word while the arithmetic stays linear (a division by either numeral is an ite).
    /// </param>
    public QuantitativeSignature(SmtScriptBuilder b, TheoremSignature s, (decimal LT, decimal LP)? constants, bool fromLemma = false, bool local = false)
    {
        Base = s;
        DL = b.Declare(FunctionSymbol.Create("dL", Sort.Real, s.Lat, s.Lat));
        DV = b.Declare(FunctionSymbol.Create("dV", Sort.Real, s.Val, s.Val));
        if (local)
        {
            if (constants is null)
            {
                LocalT = b.Declare(FunctionSymbol.Create("LTl", Sort.Real, s.Obs, s.Obs, s.Act));
                LocalP = b.Declare(FunctionSymbol.Create("LPl", Sort.Real, s.Obs, s.Obs));
            }
            else
            {
                SelectT = b.Declare(FunctionSymbol.Create("smallLT", Sort.Bool, s.Obs, s.Obs, s.Act));
                SelectP = b.Declare(FunctionSymbol.Create("smallLP", Sort.Bool, s.Obs, s.Obs));
            }

            LT = LP = Formula.Real(0); // unused: every use goes through TimesLT/TimesLP and DivideLT/DivideLP
        }
        else if (constants is var (lt, lp))
        {
            LT = b.Define("LT", [], Formula.Real(lt)).Apply();
            LP = b.Define("LP", [], Formula.Real(lp)).Apply();
        }
        else
        {
            LT = b.Constant("LT", Sort.Real);
            LP = b.Constant("LP", Sort.Real);
            b.Assert(Formula.Gt(LT, Formula.Real(0)), "L_T > 0");
            b.Assert(Formula.Gt(LP, Formula.Real(0)), "L_P > 0");
        }

        var (o, act) = (Formula.Var("o", s.Obs), Formula.Var("a", s.Act));
        ET = b.Define("eT", [o, act], DL.Apply(s.That.Apply(s.E.Apply(o), act), s.E.Apply(s.T.Apply(o, act))));
        EP = b.Define("eP", [o], DV.Apply(s.Phat.Apply(s.E.Apply(o)), s.P.Apply(o)));
        var (o1, o2) = (Formula.Var("o1", s.Obs), Formula.Var("o2", s.Obs));
        if (fromLemma)
        {
            b.Assert(Formula.Forall([o1, o2], Formula.Le(Gap(o1, o2), Formula.Plus(TimesLP(o1, o2, D(o1, o2)), EP.Apply(o1), EP.Apply(o2)))),
                local ? "the lemma's first inequality with per-pair constants (obligation quantitative-local-aux-inequality)" : "the lemma's first inequality (obligation quantitative-aux-inequality)");
            b.Assert(Formula.Forall([o1, o2, act], Formula.Le(D(s.T.Apply(o1, act), s.T.Apply(o2, act)), Formula.Plus(TimesLT(o1, o2, act, D(o1, o2)), ET.Apply(o1, act), ET.Apply(o2, act)))),
                local ? "the lemma's second inequality with per-pair constants (obligation quantitative-local-transition-inequality)" : "the lemma's second inequality (obligation quantitative-transition-inequality)");
            return;
        }

        Metric(b, DL, s.Lat, "dL");
        Metric(b, DV, s.Val, "dV");
        if (local)
        {
            // Only between the latents of two observations: the segment's endpoints, where the mean-value inequality is used.
            b.Assert(Formula.Forall([o1, o2], Formula.Le(DV.Apply(s.Phat.Apply(s.E.Apply(o1)), s.Phat.Apply(s.E.Apply(o2))), TimesLP(o1, o2, D(o1, o2)))),
                "LPl(o1, o2) bounds Phat's Lipschitz constant on the segment between E(o1) and E(o2)");
            b.Assert(Formula.Forall([o1, o2, act], Formula.Le(DL.Apply(s.That.Apply(s.E.Apply(o1), act), s.That.Apply(s.E.Apply(o2), act)), TimesLT(o1, o2, act, D(o1, o2)))),
                "LTl(o1, o2, a) bounds That(., a)'s Lipschitz constant on the segment between E(o1) and E(o2)");
            return;
        }

        var (x, y, a) = (Formula.Var("x", s.Lat), Formula.Var("y", s.Lat), Formula.Var("a", s.Act));
        b.Assert(Formula.Forall([x, y], Formula.Le(DV.Apply(s.Phat.Apply(x), s.Phat.Apply(y)), Formula.Times(LP, DL.Apply(x, y)))), "L_P bounds the Lipschitz constant of Phat");
        b.Assert(Formula.Forall([x, y, a], Formula.Le(DL.Apply(s.That.Apply(x, a), s.That.Apply(y, a)), Formula.Times(LT, DL.Apply(x, y)))), "L_T bounds the Lipschitz constant of That(., a) for every action a");
    }

    /// <summary>The per-pair L_T, symbolic (null otherwise).</summary>
    public FunctionSymbol? LocalT { get; }

    /// <summary>The per-pair L_P, symbolic (null otherwise).</summary>
    public FunctionSymbol? LocalP { get; }

    /// <summary>Picks the per-pair L_T of the fixed local form: 1 where true, 2 where false (null otherwise).</summary>
    public FunctionSymbol? SelectT { get; }

    /// <summary>Picks the per-pair L_P of the fixed local form: 2 where true, 3 where false (null otherwise).</summary>
    public FunctionSymbol? SelectP { get; }

    /// <summary>L_T (of pair x, y under a, when local) times <paramref name="value"/>.</summary>
    public Term TimesLT(Term x, Term y, Term a, Term value) =>
        LocalT is not null ? Formula.Times(LocalT.Apply(x, y, a), value)
        : SelectT is not null ? Formula.Ite(SelectT.Apply(x, y, a), value, Formula.Times(Formula.Real(2), value))
        : Formula.Times(LT, value);

    /// <summary>L_P (of pair x, y, when local) times <paramref name="value"/>.</summary>
    public Term TimesLP(Term x, Term y, Term value) =>
        LocalP is not null ? Formula.Times(LocalP.Apply(x, y), value)
        : SelectP is not null ? Formula.Ite(SelectP.Apply(x, y), Formula.Times(Formula.Real(2), value), Formula.Times(Formula.Real(3), value))
        : Formula.Times(LP, value);

    /// <summary><paramref name="value"/> divided by L_T (of pair x, y under a, when local; not for symbolic per-pair constants).</summary>
    public Term DivideLT(Term x, Term y, Term a, Term value) =>
        SelectT is not null ? Formula.Ite(SelectT.Apply(x, y, a), value, Formula.Divide(value, Formula.Real(2))) : Formula.Divide(value, LT);

    /// <summary><paramref name="value"/> divided by L_P (of pair x, y, when local; not for symbolic per-pair constants).</summary>
    public Term DivideLP(Term x, Term y, Term value) =>
        SelectP is not null ? Formula.Ite(SelectP.Apply(x, y), Formula.Divide(value, Formula.Real(2)), Formula.Divide(value, Formula.Real(3))) : Formula.Divide(value, LP);

    public TheoremSignature Base { get; }

    /// <summary>The latent distance.</summary>
    public FunctionSymbol DL { get; }

    /// <summary>The aux distance.</summary>
    public FunctionSymbol DV { get; }

    /// <summary>L_T.</summary>
    public Term LT { get; }

    /// <summary>L_P.</summary>
    public Term LP { get; }

    /// <summary>The transition residual eT(o, a).</summary>
    public FunctionSymbol ET { get; }

    /// <summary>The aux residual eP(o).</summary>
    public FunctionSymbol EP { get; }

    /// <summary>d(E(x), E(y)).</summary>
    public Term D(Term x, Term y) => DL.Apply(Base.E.Apply(x), Base.E.Apply(y));

    /// <summary>The aux gap dV(p(x), p(y)).</summary>
    public Term Gap(Term x, Term y) => DV.Apply(Base.P.Apply(x), Base.P.Apply(y));

    private static void Metric(SmtScriptBuilder b, FunctionSymbol d, Sort sort, string name)
    {
        var (x, y, z) = (Formula.Var("x", sort), Formula.Var("y", sort), Formula.Var("z", sort));
        b.Assert(Formula.Forall([x, y], Formula.Eq(d.Apply(x, y), d.Apply(y, x))), $"{name} is symmetric");
        b.Assert(Formula.Forall([x, y, z], Formula.Le(d.Apply(x, z), Formula.Plus(d.Apply(x, y), d.Apply(y, z)))), $"{name} satisfies the triangle inequality");
    }
}
