using Jepa.Verify.Smt.Solvers;
using Jepa.Verify.Smt.Terms;
using Xunit;

namespace Jepa.Verify.Smt.Tests;

/// <summary>Tests for <see cref="SolverModel"/>: a solver's printed values read once, as terms of their declared sorts.</summary>
public sealed class SolverModelTests
{
    private static readonly Sort Lat = Sort.Enumeration("Lat", ["l0", "l1", "l2"]);
    private static readonly Sort Obs = Sort.Enumeration("Obs", ["a", "b"]);
    private static readonly FunctionSymbol E = FunctionSymbol.Create("E", Lat, Obs);

    [Fact]
    public void ValuesAreTermsOfTheirSortsLookedUpByTerm()
    {
        var (ea, eb, p) = (E.Apply(Obs.Element("a")), E.Apply(Obs.Element("b")), new Term.Constant("p", Sort.Bool));
        var model = SolverModel.Read("z3", [ea, eb, p], new Dictionary<string, string> { ["(E a)"] = "l2", ["p"] = "false" });
        Assert.Equal(2, model.Count);
        Assert.Equal(Lat.Element("l2"), model[E.Apply(Obs.Element("a"))]);
        Assert.Equal(2, model.ElementIndex(ea));
        Assert.Null(model[eb]);
        Assert.Null(model.ElementIndex(eb));
        Assert.Equal(new Term.BoolLiteral(false), model[p]);
        Assert.Null(model.ElementIndex(p));
    }

    [Theory]
    [InlineData("l3", "z3 gave l3 as the value of (E a), not an element of Lat")]
    [InlineData("(l1)", "z3 gave (l1) as the value of (E a), not an element of Lat")]
    public void AValueNotOfItsSortIsASolverError(string value, string message)
    {
        var ex = Assert.Throws<SolverException>(() => SolverModel.Read("z3", [E.Apply(Obs.Element("a"))], new Dictionary<string, string> { ["(E a)"] = value }));
        Assert.Equal(message, ex.Message);
    }

    [Theory]
    [InlineData("z3")]
    [InlineData("cvc5")]
    [InlineData("both")]
    public void APanelReadsTheModelOfAScriptAgainstItsSorts(string solver)
    {
        var b = new SmtScriptBuilder();
        b.Declare(Lat);
        b.Declare(Obs);
        var e = b.Declare(E);
        var (ea, eb) = (e.Apply(Obs.Element("a")), e.Apply(Obs.Element("b")));
        b.Assert(Formula.Neq(ea, eb), "two latents");
        b.Assert(Formula.Eq(ea, Lat.Element("l1")), "a's is l1");
        b.GetValue(ea).GetValue(eb);
        var result = SolverPanel.For(solver).Check(b.Build(), new SolverOptions(TimeSpan.FromSeconds(20)));
        Assert.Equal(SolverStatus.Sat, result.Status);
        Assert.Equal(1, result.Model.ElementIndex(ea));
        Assert.NotNull(result.Model.ElementIndex(eb));
        Assert.NotEqual(1, result.Model.ElementIndex(eb));
        Assert.Equal(result.Values["(E a)"], ((Term.Constant)result.Model[ea]!).Name);
    }
}
