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
    public QuantitativeSignature(SmtScriptBuilder b, TheoremSignature s, (decimal LT, decimal LP)? constants, bool fromLemma = false)
    {
        Base = s;
        DL = b.Declare(FunctionSymbol.Create("dL", Sort.Real, s.Lat, s.Lat));
        DV = b.Declare(FunctionSymbol.Create("dV", Sort.Real, s.Val, s.Val));
        if (constants is var (lt, lp))
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
        if (fromLemma)
        {
            var (o1, o2) = (Formula.Var("o1", s.Obs), Formula.Var("o2", s.Obs));
            b.Assert(Formula.Forall([o1, o2], Formula.Le(Gap(o1, o2), Formula.Plus(Formula.Times(LP, D(o1, o2)), EP.Apply(o1), EP.Apply(o2)))),
                "the lemma's first inequality (obligation quantitative-aux-inequality)");
            b.Assert(Formula.Forall([o1, o2, act], Formula.Le(D(s.T.Apply(o1, act), s.T.Apply(o2, act)), Formula.Plus(Formula.Times(LT, D(o1, o2)), ET.Apply(o1, act), ET.Apply(o2, act)))),
                "the lemma's second inequality (obligation quantitative-transition-inequality)");
            return;
        }

        Metric(b, DL, s.Lat, "dL");
        Metric(b, DV, s.Val, "dV");
        var (x, y, a) = (Formula.Var("x", s.Lat), Formula.Var("y", s.Lat), Formula.Var("a", s.Act));
        b.Assert(Formula.Forall([x, y], Formula.Le(DV.Apply(s.Phat.Apply(x), s.Phat.Apply(y)), Formula.Times(LP, DL.Apply(x, y)))), "L_P bounds the Lipschitz constant of Phat");
        b.Assert(Formula.Forall([x, y, a], Formula.Le(DL.Apply(s.That.Apply(x, a), s.That.Apply(y, a)), Formula.Times(LT, DL.Apply(x, y)))), "L_T bounds the Lipschitz constant of That(., a) for every action a");
    }

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
