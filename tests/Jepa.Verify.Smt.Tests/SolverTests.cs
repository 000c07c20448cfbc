using System.Collections.Immutable;
using Jepa.Verify.Smt.Cvc5;
using Jepa.Verify.Smt.Solvers;
using Jepa.Verify.Smt.Z3;
using Xunit;

namespace Jepa.Verify.Smt.Tests;

/// <summary>Tests for <see cref="Z3Solver"/>, <see cref="Cvc5Solver"/> and <see cref="SolverPanel"/> on real solvers.</summary>
public sealed class SolverTests
{
    private const string Sat = "(declare-datatypes ((Lat 0)) (((l0) (l1))))\n(declare-sort Obs 0)\n(declare-fun E (Obs) Lat)\n(declare-fun a () Obs)\n(declare-fun b () Obs)\n(assert (not (= (E a) (E b))))\n(check-sat)\n";
    private const string Unsat = "(declare-sort S 0)(declare-fun f (S) S)(declare-fun a () S)(assert (forall ((x S)) (= (f x) x)))(assert (not (= (f a) a)))(check-sat)\n";
    private const string Malformed = "(declare-fun x () Int)(assert (= x y))(check-sat)\n";

    // x³ + y³ = z³ over positive integers: neither solver settles it, so it runs into the timeout.
    private const string Hard = "(declare-fun x () Int)(declare-fun y () Int)(declare-fun z () Int)(assert (> x 0))(assert (> y 0))(assert (> z 0))(assert (= (+ (* x x x) (* y y y)) (* z z z)))(check-sat)\n";

    private static readonly SolverOptions Quick = new(TimeSpan.FromSeconds(20));

    public static TheoryData<string> Solvers => new() { "z3", "cvc5" };

    private static ISolver Of(string name) => name == "z3" ? new Z3Solver() : new Cvc5Solver();

    [Theory]
    [MemberData(nameof(Solvers))]
    public void SatAnswersComeWithTheRequestedValues(string name)
    {
        var r = Of(name).Run(Sat, ["(E a)", "(E b)"], Quick);
        Assert.Equal(SolverStatus.Sat, r.Status);
        Assert.StartsWith(name, r.Solver);
        Assert.NotEqual(r.Values["(E a)"], r.Values["(E b)"]);
        Assert.Contains(r.Values["(E a)"], new[] { "l0", "l1" });
    }

    [Theory]
    [MemberData(nameof(Solvers))]
    public void UnsatIsRecognised(string name)
    {
        var r = Of(name).Run(Unsat, [], Quick);
        Assert.Equal(SolverStatus.Unsat, r.Status);
        Assert.Null(r.Reason);
        Assert.Empty(r.Values);
    }

    [Theory]
    [MemberData(nameof(Solvers))]
    public void AMalformedScriptIsAOneLineSolverError(string name)
    {
        var ex = Assert.Throws<SolverException>(() => Of(name).Run(Malformed, [], Quick));
        Assert.StartsWith(name + ":", ex.Message);
        Assert.Contains("y", ex.Message);
        Assert.DoesNotContain('\n', ex.Message);
    }

    [Theory]
    [MemberData(nameof(Solvers))]
    public void ATimeoutIsUnknownWithItsReason(string name)
    {
        var r = Of(name).Run(Hard, [], new SolverOptions(TimeSpan.FromSeconds(1)));
        Assert.Equal(SolverStatus.Unknown, r.Status);
        Assert.Contains("timeout", r.Reason);
        Assert.InRange(r.Elapsed.TotalSeconds, 0.5, 15);
    }

    [Theory]
    [MemberData(nameof(Solvers))]
    public void TheTimeoutCoversEveryCheckOfTheTextTogether(string name)
    {
        // Five hard checks at a 1 s timeout: before, each check had its own second (and z3's failsafe n × 1 s + 5 s).
        var check = "(push 1)(assert (> x 0))(assert (> y 0))(assert (> z 0))(assert (= (+ (* x x x) (* y y y)) (* z z z)))(check-sat)(pop 1)\n";
        var text = "(declare-fun x () Int)(declare-fun y () Int)(declare-fun z () Int)\n" + string.Concat(Enumerable.Repeat(check, 5));
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var r = Of(name).Run(text, [], new SolverOptions(TimeSpan.FromSeconds(1)));
        Assert.Equal(SolverStatus.Unknown, r.Status);
        Assert.Contains("timeout", r.Reason);
        Assert.True(clock.Elapsed.TotalSeconds < 4, $"five checks took {clock.Elapsed.TotalSeconds:0.0} s at a 1 s timeout for the text");
    }

    [Theory]
    [MemberData(nameof(Solvers))]
    public void IncrementalScriptsAnswerEveryCheck(string name)
    {
        const string text = "(declare-fun x () Bool)\n(push 1)\n(assert x)\n(check-sat)\n(pop 1)\n(push 1)\n(assert (and x (not x)))\n(check-sat)\n(pop 1)\n";
        var r = Of(name).Run(text, [], Quick);
        Assert.Equal([SolverStatus.Sat, SolverStatus.Unsat], r.Checks.ToArray());
        Assert.Equal(SolverStatus.Sat, r.Status);
    }

    [Theory]
    [MemberData(nameof(Solvers))]
    public void TextWithoutACheckIsRefusedAtOnce(string name)
    {
        var ex = Assert.Throws<SolverException>(() => Of(name).Run("(declare-fun x () Bool)\n; (check-sat) in a comment does not count\n", [], Quick));
        Assert.Contains("no (check-sat) command", ex.Message);
    }

    [Fact]
    public void AMissingCvc5NamesThePackage()
    {
        var ex = Assert.Throws<SolverUnavailableException>(() => new Cvc5Solver("/nonexistent/cvc5").Run(Sat, [], Quick));
        Assert.Contains("install the Debian package cvc5", ex.Message);
    }

    [Fact]
    public void TheZ3VersionComesFromTheLibrary()
    {
        Assert.StartsWith("z3 4.", Z3Solver.Version);
    }

    [Fact]
    public void APanelReportsDisagreementAndPrefersDefiniteAnswers()
    {
        var sat = new Fixed("a", SolverStatus.Sat);
        var unsat = new Fixed("b", SolverStatus.Unsat);
        var unknown = new Fixed("c", SolverStatus.Unknown);
        Assert.Throws<SolverDisagreementException>(() => new SolverPanel([sat, unsat]).Check(Sat, [], Quick));
        Assert.Equal(SolverStatus.Sat, new SolverPanel([unknown, sat]).Check(Sat, [], Quick).Status);
        Assert.Equal(SolverStatus.Unknown, new SolverPanel([unknown]).Check(Sat, [], Quick).Status);
        Assert.Equal(2, SolverPanel.For("both").Solvers.Count);
        Assert.Throws<ArgumentException>(() => SolverPanel.For("yices"));
    }

    [Fact]
    public void BothRealSolversAgreeOnAPrintedScript()
    {
        var result = SolverPanel.For("both").Check(PrinterTests.Sample(), Quick);
        Assert.Equal(SolverStatus.Sat, result.Status);
        Assert.Equal(2, result.Results.Length);
        Assert.True(result.Values.ContainsKey("(E x)"));
    }

    private sealed class Fixed(string name, SolverStatus status) : ISolver
    {
        public string Name => name;

        public SolverResult Run(string smtLib, IReadOnlyList<string> values, SolverOptions options) =>
            new(name, status, null, ImmutableDictionary<string, string>.Empty, TimeSpan.Zero, [status]);
    }
}
