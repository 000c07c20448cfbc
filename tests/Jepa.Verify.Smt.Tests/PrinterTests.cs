using Jepa.Verify.Smt.Terms;
using Xunit;

namespace Jepa.Verify.Smt.Tests;

/// <summary>Tests for <see cref="SmtLibPrinter"/>, <see cref="SmtScriptBuilder"/> and the term constructors.</summary>
public sealed class PrinterTests
{
    internal static SmtScript Sample()
    {
        var b = new SmtScriptBuilder().Comment("a sample").Comment("");
        var obs = b.Declare(Sort.Uninterpreted("Obs"));
        var lat = b.Declare(Sort.Enumeration("Lat", ["l0", "l1"]));
        var e = b.Declare(FunctionSymbol.Create("E", lat, obs));
        var o = Formula.Var("o", obs);
        var same = b.Define("same", [o], Formula.Eq(e.Apply(o), lat.Element(0)));
        var x = b.Constant("x", obs);
        b.Assert(Formula.Forall([o], Formula.Or(same.Apply(o), Formula.Eq(e.Apply(o), lat.Element("l1")))), "every latent is l0 or l1");
        b.Assert(Formula.And(Formula.Not(same.Apply(x)), Formula.Implies(Formula.True, Formula.Distinct(e.Apply(x), lat.Element(0)))));
        b.Assert(Formula.Eq(Formula.Ite(same.Apply(x), lat.Element(0), lat.Element(1)), e.Apply(x)));
        b.GetValue(e.Apply(x));
        return b.Build();
    }

    [Fact]
    public void PrintsTheGoldenText()
    {
        const string expected = """
            ; a sample
            ;

            (declare-sort Obs 0)
            (declare-datatypes ((Lat 0)) (((l0) (l1))))
            (declare-fun E (Obs) Lat)
            (declare-fun x () Obs)
            (define-fun same ((o Obs)) Bool (= (E o) l0))
            ; every latent is l0 or l1
            (assert (forall ((o Obs)) (or (same o) (= (E o) l1))))
            (assert (and (not (same x)) (=> true (distinct (E x) l0))))
            (assert (= (ite (same x) l0 l1) (E x)))
            (check-sat)

            """;
        Assert.Equal(expected.ReplaceLineEndings("\n"), SmtLibPrinter.Print(Sample()));
    }

    [Fact]
    public void PrintingIsDeterministic()
    {
        Assert.Equal(SmtLibPrinter.Print(Sample()), SmtLibPrinter.Print(Sample()));
        Assert.Equal("(E x)", SmtLibPrinter.Print(Sample().Values[0]));
    }

    [Fact]
    public void CasesPrintInsidePushAndPop()
    {
        var b = new SmtScriptBuilder();
        var x = b.Constant("x", b.Declare(Sort.Enumeration("C", ["a", "b"])));
        b.Case("first", Formula.Eq(x, x));
        b.Case(null, Formula.Not(Formula.Eq(x, x)));
        var script = b.Build();
        Assert.Equal(2, script.CheckCount);
        Assert.EndsWith("; first\n(push 1)\n(assert (= x x))\n(check-sat)\n(pop 1)\n(push 1)\n(assert (not (= x x)))\n(check-sat)\n(pop 1)\n", SmtLibPrinter.Print(script));
        Assert.Throws<InvalidOperationException>(() => new SmtScriptBuilder().GetValue(Formula.True).Case(null, Formula.True).Build());
    }

    [Fact]
    public void EmptyConnectivesPrintAsTheirUnits()
    {
        Assert.Equal("true", SmtLibPrinter.Print(new Term.And([])));
        Assert.Equal("false", SmtLibPrinter.Print(new Term.Or([])));
        Assert.Equal("true", SmtLibPrinter.Print(new Term.Distinct([Formula.True])));
        Assert.Equal("false", SmtLibPrinter.Print(Formula.Or([Formula.False])));
    }

    [Fact]
    public void SortsAreCheckedWhenTermsAreBuilt()
    {
        var obs = Sort.Uninterpreted("Obs");
        var e = FunctionSymbol.Create("E", Sort.Bool, obs);
        Assert.Throws<ArgumentException>(() => e.Apply(Formula.True));
        Assert.Throws<ArgumentException>(() => e.Apply());
        Assert.Throws<ArgumentException>(() => Formula.Eq(Formula.True, Formula.Var("o", obs)));
        Assert.Throws<ArgumentException>(() => Formula.And(Formula.Var("o", obs)));
        Assert.Throws<ArgumentException>(() => Sort.Enumeration("L", []));
        Assert.Throws<ArgumentException>(() => Sort.Enumeration("L", ["a", "a"]));
        Assert.Throws<ArgumentException>(() => Sort.Uninterpreted("has space"));
        Assert.Throws<ArgumentException>(() => obs.Element("x"));
    }

    [Fact]
    public void UndeclaredOrRepeatedSymbolsAreRefused()
    {
        var obs = Sort.Uninterpreted("Obs");
        var b = new SmtScriptBuilder();
        b.Assert(Formula.Eq(Formula.Var("x", obs), Formula.Var("x", obs)));
        Assert.Contains("sort 'Obs' is used before it is declared", Assert.Throws<InvalidOperationException>(b.Build).Message);

        var c = new SmtScriptBuilder();
        c.Declare(obs);
        c.Assert(Formula.Eq(Formula.Var("x", obs), Formula.Var("x", obs)));
        Assert.Contains("'x' is used but not declared", Assert.Throws<InvalidOperationException>(c.Build).Message);

        var d = new SmtScriptBuilder();
        d.Declare(obs);
        d.Constant("x", obs);
        d.Constant("x", obs);
        Assert.Contains("declared twice", Assert.Throws<InvalidOperationException>(d.Build).Message);
    }

    [Fact]
    public void DerivedSymbolsAreSimpleAndReadable()
    {
        Assert.Equal("o4_count_4", Symbols.Derive("o", 4, "count 4"));
        Assert.Equal("o12_r0c1", Symbols.Derive("o", 12, "r0c1"));
        Assert.Equal("o3", Symbols.Derive("o", 3, "(!)"));
        Assert.True(Symbols.IsSimple(Symbols.Derive("a", 0, "send(a, b)")));
        Assert.False(Symbols.IsSimple("1x"));
    }
}
