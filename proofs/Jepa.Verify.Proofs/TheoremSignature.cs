using Jepa.Verify.Smt;
using Jepa.Verify.Smt.Terms;

namespace Jepa.Verify.Proofs;

/// <summary>
/// The theorem's vocabulary declared into a script: sorts <c>Obs</c>, <c>Act</c>, <c>Lat</c>, <c>Val</c>
/// and functions <c>T : Obs × Act → Obs</c>, <c>p : Obs → Val</c>, <c>E : Obs → Lat</c>,
/// <c>That : Lat × Act → Lat</c>, <c>Phat : Lat → Val</c> (DESIGN.md §1), with the two zero-loss axioms.
/// </summary>
internal sealed class TheoremSignature
{
    public TheoremSignature(SmtScriptBuilder b)
    {
        Obs = b.Declare(Sort.Uninterpreted("Obs"));
        Act = b.Declare(Sort.Uninterpreted("Act"));
        Lat = b.Declare(Sort.Uninterpreted("Lat"));
        Val = b.Declare(Sort.Uninterpreted("Val"));
        T = b.Declare(FunctionSymbol.Create("T", Obs, Obs, Act));
        P = b.Declare(FunctionSymbol.Create("p", Val, Obs));
        E = b.Declare(FunctionSymbol.Create("E", Lat, Obs));
        That = b.Declare(FunctionSymbol.Create("That", Lat, Lat, Act));
        Phat = b.Declare(FunctionSymbol.Create("Phat", Val, Lat));
    }

    public Sort Obs { get; }

    public Sort Act { get; }

    public Sort Lat { get; }

    public Sort Val { get; }

    public FunctionSymbol T { get; }

    public FunctionSymbol P { get; }

    public FunctionSymbol E { get; }

    public FunctionSymbol That { get; }

    public FunctionSymbol Phat { get; }

    /// <summary>L_dyn = 0 on every transition: <c>∀o a. That(E(o), a) = E(T(o, a))</c>.</summary>
    public void AssertZeroTransitionLoss(SmtScriptBuilder b)
    {
        var o = Formula.Var("o", Obs);
        var a = Formula.Var("a", Act);
        b.Assert(Formula.Forall([o, a], Formula.Eq(That.Apply(E.Apply(o), a), E.Apply(T.Apply(o, a)))), "L_dyn = 0: the latent transition predicts every next latent exactly");
    }

    /// <summary>L_p = 0 on every observation: <c>∀o. Phat(E(o)) = p(o)</c>.</summary>
    public void AssertZeroAuxLoss(SmtScriptBuilder b)
    {
        var o = Formula.Var("o", Obs);
        b.Assert(Formula.Forall([o], Formula.Eq(Phat.Apply(E.Apply(o)), P.Apply(o))), "L_p = 0: the auxiliary head predicts every aux value exactly");
    }
}
