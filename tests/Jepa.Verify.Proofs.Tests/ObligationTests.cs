using Jepa.Verify.Smt.Solvers;
using Xunit;

namespace Jepa.Verify.Proofs.Tests;

/// <summary>Tests for <see cref="TheoremObligations"/>: each obligation gives its expected answer on Z3 and on cvc5.</summary>
public sealed class ObligationTests
{
    private static readonly SolverOptions Options = new(TimeSpan.FromSeconds(60));

    public static TheoryData<string, string> Cases()
    {
        var data = new TheoryData<string, string>();
        foreach (var o in TheoremObligations.All())
        {
            data.Add(o.Name, "z3");
            data.Add(o.Name, "cvc5");
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void TheSolverGivesTheExpectedAnswer(string name, string solver)
    {
        var obligation = TheoremObligations.All().Single(o => o.Name == name);
        var result = SolverPanel.For(solver).Check(obligation.Script, Options);
        Assert.Equal(obligation.Expected, result.Status);
        if (obligation.Expected == SolverStatus.Sat)
        {
            Assert.Equal(obligation.Script.Values.Length, result.Values.Count);
        }
    }

    [Fact]
    public void TheAblationModelsShowWhatTheyClaim()
    {
        var noAux = SolverPanel.For("z3").Check(TheoremObligations.WithoutAuxLossMergingIsPossible().Script, Options).Values;
        Assert.Equal(noAux["(E o1)"], noAux["(E o2)"]);
        Assert.NotEqual(noAux["(p o1)"], noAux["(p o2)"]);
        var oneSided = SolverPanel.For("z3").Check(TheoremObligations.BisimilarObservationsMayStayApart().Script, Options).Values;
        Assert.NotEqual(oneSided["(E o1)"], oneSided["(E o2)"]);
    }
}
