using Jepa.Verify.Mdp.Tests;
using Xunit;

namespace Jepa.Verify.Cli.Tests;

/// <summary>Tests for the <c>prove</c> and <c>solve</c> commands of <see cref="CliApp"/>.</summary>
public sealed class ProveCommandTests
{
    private static readonly string Counting = TestFiles.Example("counting.json");
    private static readonly string Walk = TestFiles.Example("counting-walk/transitions.csv");
    private static readonly string WalkAux = TestFiles.Example("counting-walk/aux.csv");

    [Fact]
    public void ProveJsonHasTheContractFields()
    {
        var run = CliRun.Of("prove", Counting, "--json");
        Assert.Equal(0, run.ExitCode);
        var j = run.Json;
        Assert.Equal(9, j.GetProperty("classes").GetInt32());
        Assert.Equal(9, j.GetProperty("min_latents").GetInt32());
        Assert.False(j.GetProperty("collapse_possible").GetBoolean());
        Assert.StartsWith("z3 4.", j.GetProperty("solver").GetString());
        Assert.Equal("verified", j.GetProperty("status").GetString());
        Assert.True(j.GetProperty("encoder_matches_partition").GetBoolean());
        Assert.Equal(9, j.GetProperty("encoder").EnumerateObject().Select(p => p.Value.GetInt32()).Distinct().Count());
        var queries = j.GetProperty("queries").EnumerateArray().ToList();
        Assert.Equal(["decoder-lemma", "collapse", "latents-9", "latents-8"], queries.Select(q => q.GetProperty("name").GetString()));
        Assert.All(queries, q => Assert.True(q.GetProperty("seconds").GetDouble() >= 0));
        Assert.All(queries, q => Assert.True(q.GetProperty("as_expected").GetBoolean()));
    }

    [Fact]
    public void ProveWithBothSolversAndAnExtraLatentCount()
    {
        var run = CliRun.Of("prove", TestFiles.Example("gridworld.json"), "--solver", "both", "--latents", "3");
        Assert.True(run.ExitCode == 0, $"exit {run.ExitCode}: {run.Error}");
        Assert.Contains("min_latents: 4", run.Out);
        Assert.Contains("cvc5", run.Out);
        Assert.Contains("latents-3", run.Out);
    }

    [Fact]
    public void IncompleteDataNeedASink()
    {
        var refused = CliRun.Of("prove", Walk, "--aux-file", WalkAux);
        Assert.Equal(2, refused.ExitCode);
        Assert.Contains("pass --missing sink", refused.Error);

        var sink = CliRun.Of("prove", Walk, "--aux-file", WalkAux, "--missing", "sink", "--json").Json;
        Assert.True(sink.GetProperty("sink").GetBoolean());
        Assert.Equal("verified", sink.GetProperty("status").GetString());
        Assert.Equal(6, sink.GetProperty("min_latents").GetInt32());
    }

    [Fact]
    public void ProveGeneralRunsEveryObligation()
    {
        var run = CliRun.Of("prove", "--general", "--json");
        Assert.Equal(0, run.ExitCode);
        var obligations = run.Json.GetProperty("obligations").EnumerateArray().ToList();
        Assert.Equal(32, obligations.Count);
        Assert.All(obligations, o => Assert.Equal(o.GetProperty("expected").GetString(), o.GetProperty("status").GetString()));
        Assert.Contains("verdict: verified (32 of 32 as expected)", CliRun.Of("prove", "--general").Out);
    }

    [Fact]
    public void EmittedQueriesAreSolvableFiles()
    {
        var dir = Path.Combine(Path.GetDirectoryName(TestFiles.Write("seed", ""))!, "emitted");
        Assert.Equal(0, CliRun.Of("prove", Counting, "--emit-smt2", dir).ExitCode);
        var files = Directory.GetFiles(dir, "*.smt2").Order().ToArray();
        Assert.Equal(4, files.Length);
        var solve = CliRun.Of(["solve", .. files]);
        Assert.Equal(0, solve.ExitCode);
        Assert.Equal(4, solve.Out.Split('\n').Count(l => l.Contains("ok)", StringComparison.Ordinal)));
    }

    [Fact]
    public void SolveChecksTheGoldenFiles()
    {
        var golden = Directory.GetFiles(Path.Combine(TestFiles.Root, "proofs", "smt2"), "*.smt2");
        var run = CliRun.Of(["solve", .. golden, "--json"]);
        Assert.True(run.ExitCode == 0, $"exit {run.ExitCode}: {run.Error}");
        Assert.All(run.Json.GetProperty("files").EnumerateArray(), f => Assert.Equal(f.GetProperty("expected").GetString(), f.GetProperty("status").GetString()));
    }

    [Fact]
    public void SolveReportsMismatchUnknownAndMalformedInputDistinctly()
    {
        var wrong = TestFiles.Write("wrong.smt2", "; expected: unsat\n(declare-fun x () Bool)\n(assert x)\n(check-sat)\n");
        Assert.Equal(1, CliRun.Of("solve", wrong).ExitCode);

        var hard = TestFiles.Write("hard.smt2", "(declare-fun x () Int)(declare-fun y () Int)(declare-fun z () Int)(assert (> x 0))(assert (> y 0))(assert (> z 0))(assert (= (+ (* x x x) (* y y y)) (* z z z)))(check-sat)\n");
        var unknown = CliRun.Of("solve", hard, "--timeout", "1");
        Assert.Equal(3, unknown.ExitCode);
        Assert.Contains("unknown", unknown.Out);
        Assert.Contains("timeout", unknown.Out);

        var bad = TestFiles.Write("bad.smt2", "(declare-fun x () Int)(assert (= x y))(check-sat)\n");
        var malformed = CliRun.Of("solve", bad);
        Assert.Equal(2, malformed.ExitCode);
        Assert.StartsWith($"error: {bad}: z3: ", malformed.Error);
        Assert.Equal(1, malformed.Error.Count(c => c == '\n'));
        Assert.Equal(2, CliRun.Of("solve", bad, "--solver", "cvc5").ExitCode);

        // Nothing to answer: refused at once rather than waiting for the timeout.
        var empty = CliRun.Of("solve", TestFiles.Write("empty.smt2", ""), "--solver", "both");
        Assert.Equal(2, empty.ExitCode);
        Assert.Contains("no (check-sat) command", empty.Error);
        Assert.Contains("nothing to prove", CliRun.Of("prove", TestFiles.Write("none.json", "{\"actions\": [], \"observations\": [], \"transitions\": []}")).Error);
    }

    [Theory]
    [InlineData(new string[] { "prove" }, "give an MDP FILE, or --general")]
    [InlineData(new[] { "prove", "x.json", "--general" }, "give either FILE or --general, not both")]
    [InlineData(new[] { "prove", "--general", "--timeout", "0" }, "--timeout must be more than 0 and at most 86400 seconds")]
    [InlineData(new[] { "prove", "--general", "--solver", "yices" }, "yices")]
    [InlineData(new[] { "solve" }, "Required argument missing")]
    public void UsageErrorsAreOneLine(string[] args, string expected)
    {
        var run = CliRun.Of(args);
        Assert.Equal(2, run.ExitCode);
        Assert.Contains(expected, run.Error);
        Assert.Equal(1, run.Error.Count(c => c == '\n'));
    }
}
