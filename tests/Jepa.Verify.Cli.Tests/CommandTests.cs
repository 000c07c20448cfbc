using System.Text.Json;
using Jepa.Verify.Mdp.Formats;
using Jepa.Verify.Mdp.Tests;
using Xunit;

namespace Jepa.Verify.Cli.Tests;

/// <summary>Tests for <see cref="CliApp"/>: the commands' output and exit-code contract.</summary>
public sealed class CommandTests
{
    private static readonly string Counting = TestFiles.Example("counting.json");
    private static readonly string Grid = TestFiles.Example("gridworld.json");
    private static readonly string Walk = TestFiles.Example("counting-walk/transitions.csv");
    private static readonly string WalkAux = TestFiles.Example("counting-walk/aux.csv");

    private static string[] Strings(JsonElement e) => [.. e.EnumerateArray().Select(x => x.GetString()!)];

    [Fact]
    public void ClassesJsonHasTheContractFields()
    {
        var run = CliRun.Of("classes", Counting, "--json");
        Assert.Equal(0, run.ExitCode);
        Assert.Equal("", run.Error);
        var j = run.Json;
        Assert.Equal(9, j.GetProperty("observations").GetInt32());
        Assert.Equal(2, j.GetProperty("actions").GetInt32());
        Assert.Equal(18, j.GetProperty("transitions").GetInt32());
        Assert.True(j.GetProperty("deterministic").GetBoolean());
        Assert.True(j.GetProperty("complete").GetBoolean());
        Assert.Equal(9, j.GetProperty("classes").GetInt32());
        Assert.Equal(2, j.GetProperty("aux_classes").GetInt32());
        Assert.Equal(36, j.GetProperty("distinguished_pairs").GetInt64());
        var partition = j.GetProperty("partition").EnumerateArray().Select(Strings).ToList();
        Assert.Equal(9, partition.Count);
        Assert.Equal(["count0"], partition[0]);
    }

    [Fact]
    public void ClassesJsonIsByteIdenticalAcrossRuns()
    {
        Assert.Equal(CliRun.Of("classes", Grid, "--json", "--witnesses").Out, CliRun.Of("classes", Grid, "--json", "--witnesses").Out);
    }

    [Fact]
    public void ClassesTextListsTheGridworldColumns()
    {
        var run = CliRun.Of("classes", Grid);
        Assert.Equal(0, run.ExitCode);
        Assert.Contains("4 bisimulation classes (aux alone gives 2)", run.Out);
        Assert.Contains("class 0 (3, aux 0): r0c0, r1c0, r2c0", run.Out);
    }

    [Fact]
    public void ClassesWitnessesExplainEveryPairOfClasses()
    {
        var j = CliRun.Of("classes", Grid, "--json", "--witnesses").Json;
        var witnesses = j.GetProperty("witnesses").EnumerateArray().ToList();
        Assert.Equal(6, witnesses.Count);
        Assert.Equal(["right", "right"], Strings(witnesses[0].GetProperty("sequence")));
    }

    [Fact]
    public void IncompleteDataGiveTheRelationOrASinkPartition()
    {
        var relation = CliRun.Of("classes", Walk, "--aux-file", WalkAux, "--json").Json;
        Assert.Equal("relation", relation.GetProperty("mode").GetString());
        Assert.Equal(JsonValueKind.Null, relation.GetProperty("classes").ValueKind);
        Assert.False(relation.GetProperty("complete").GetBoolean());
        Assert.True(relation.GetProperty("undistinguished_pairs").GetArrayLength() > 0);

        var sink = CliRun.Of("classes", Walk, "--aux-file", WalkAux, "--missing", "sink", "--json").Json;
        Assert.Equal("partition", sink.GetProperty("mode").GetString());
        Assert.True(sink.GetProperty("sink").GetBoolean());
        Assert.True(sink.GetProperty("classes").GetInt32() > 1);

        var text = CliRun.Of("classes", Walk, "--aux-file", WalkAux);
        Assert.Contains("finite-data relation:", text.Out);
        Assert.Contains("count0 ~ count1", text.Out);
    }

    [Fact]
    public void ExplainGivesAShortestSequenceAndTheDifferingAux()
    {
        var j = CliRun.Of("explain", Counting, "count3", "count5", "--json").Json;
        Assert.False(j.GetProperty("equivalent").GetBoolean());
        Assert.Equal(["inc"], Strings(j.GetProperty("sequence")));
        Assert.Equal([1.0, 0.0], j.GetProperty("aux").EnumerateArray().Select(x => x.GetDouble()));
        Assert.Equal(["count4", "count6"], Strings(j.GetProperty("reached")));

        var atOnce = CliRun.Of("explain", Counting, "count0", "count4", "--json").Json;
        Assert.Empty(Strings(atOnce.GetProperty("sequence")));
        Assert.Equal([0.0, 1.0], atOnce.GetProperty("aux").EnumerateArray().Select(x => x.GetDouble()));

        var text = CliRun.Of("explain", Counting, "count0", "count1");
        Assert.Equal("count0 and count1 are not bisimilar: after [inc, inc, inc] they reach count3 (aux 0) and count4 (aux 1). A zero-loss encoder must give them distinct latents.\n", text.Out);
    }

    [Fact]
    public void ExplainSaysWhenAPairIsBisimilar()
    {
        var j = CliRun.Of("explain", Grid, "r0c1", "r2c1", "--json").Json;
        Assert.True(j.GetProperty("equivalent").GetBoolean());
        Assert.Empty(Strings(j.GetProperty("sequence")));
        Assert.Equal(JsonValueKind.Null, j.GetProperty("aux").ValueKind);
        Assert.Contains("are bisimilar", CliRun.Of("explain", Grid, "r0c1", "r2c1").Out);
        Assert.Contains("not distinguishable on the observed transitions", CliRun.Of("explain", Walk, "count7", "count8", "--aux-file", WalkAux).Out);
    }

    [Fact]
    public void ExplainWithASinkNamesTheSink()
    {
        // count1 has an observed inc; count0 has none, so under the sink its inc leads there.
        var j = CliRun.Of("explain", Walk, "count1", "count0", "--aux-file", WalkAux, "--missing", "sink", "--json").Json;
        Assert.False(j.GetProperty("equivalent").GetBoolean());
        Assert.Equal(["inc"], Strings(j.GetProperty("sequence")));
        Assert.Equal(["count2", "(sink)"], Strings(j.GetProperty("reached")));
        Assert.Equal("sink", j.GetProperty("aux")[1].GetString());

        // Both without any transition: the sink makes them bisimilar.
        Assert.True(CliRun.Of("explain", Walk, "count7", "count8", "--aux-file", WalkAux, "--missing", "sink", "--json").Json.GetProperty("equivalent").GetBoolean());
    }

    [Fact]
    public void ConditionsExitZeroWhenTheHypothesesHoldAndOneWhenNot()
    {
        var ok = CliRun.Of("conditions", Counting);
        Assert.Equal(0, ok.ExitCode);
        Assert.Contains("theorem hypotheses: hold", ok.Out);

        var incomplete = CliRun.Of("conditions", Walk, "--aux-file", WalkAux, "--json");
        Assert.Equal(1, incomplete.ExitCode);
        var j = incomplete.Json;
        Assert.False(j.GetProperty("hypotheses_hold").GetBoolean());
        Assert.Equal(["completeness"], Strings(j.GetProperty("failed")));
        Assert.True(j.GetProperty("finite_data_applies").GetBoolean());

        var reach = CliRun.Of("conditions", Grid, "--initial", "r0c0");
        Assert.Contains("every observation is reachable (from the initial set)", reach.Out);
    }

    [Fact]
    public void ConditionsReportTheGraphStructureAndWhatADatasetConstrains()
    {
        var ok = CliRun.Of("conditions", Counting);
        Assert.Contains("components    1 strongly connected component(s); the largest has 9 observation(s)", ok.Out);
        Assert.Contains("transient     every observation lies on a cycle", ok.Out);
        Assert.Equal(System.Text.Json.JsonValueKind.Null, CliRun.Of("conditions", Counting, "--json").Json.GetProperty("structure").GetProperty("dataset").ValueKind);

        // The walk dataset: counts 0 and 5–8 are only reached, never left, so they are dead ends and on no cycle.
        var walk = CliRun.Of("conditions", Walk, "--aux-file", WalkAux, "--json").Json.GetProperty("structure");
        Assert.Equal(5, walk.GetProperty("transient").GetInt32());
        Assert.Equal(["count0", "count5", "count6", "count7", "count8"], Strings(walk.GetProperty("first_transient")));
        var dataset = walk.GetProperty("dataset");
        Assert.Equal(5, dataset.GetProperty("dead_ends").GetInt32());
        Assert.Equal(36, dataset.GetProperty("pairs").GetInt64());
        Assert.Equal(31, dataset.GetProperty("pairs_without_common_action").GetInt64());

        var skipped = CliRun.Of("conditions", Counting, "--no-structure");
        Assert.DoesNotContain("structure", skipped.Out);
        Assert.Equal(System.Text.Json.JsonValueKind.Null, CliRun.Of("conditions", Counting, "--no-structure", "--json").Json.GetProperty("structure").ValueKind);
    }

    [Fact]
    public void AuditShowsWhatTheDynamicsAddAndComparesTwoAuxFunctions()
    {
        var text = CliRun.Of("audit", Grid);
        Assert.Equal(0, text.ExitCode);
        Assert.Contains("label col (4 values)", text.Out);
        Assert.Contains("kept (purity 1, separated 1)", text.Out);

        var two = CliRun.Of("audit", Counting, "--aux-file", TestFiles.Example("counting-dense-aux.csv"), "--aux-file", WriteRewardAux(), "--json");
        Assert.Equal(0, two.ExitCode);
        var j = two.Json;
        Assert.Equal(2, j.GetProperty("audits").GetArrayLength());
        Assert.Equal("kept", j.GetProperty("audits")[0].GetProperty("bisimulation").GetProperty("labels").GetProperty("count").GetProperty("verdict").GetString());
        Assert.Equal(0, j.GetProperty("comparison").GetProperty("only_first").GetInt64());

        var labels = CliRun.Of("audit", Counting, "--labels", "shape");
        Assert.Equal(2, labels.ExitCode);
        Assert.Contains("unknown label 'shape'", labels.Error);
    }

    [Fact]
    public void QuotientWritesALoadableMdpOrDot()
    {
        var dir = Path.GetDirectoryName(TestFiles.Write("seed", ""))!;
        var output = Path.Combine(dir, "q.json");
        var run = CliRun.Of("quotient", Grid, "--output", output);
        Assert.Equal(0, run.ExitCode);
        Assert.Equal("", run.Out);
        Assert.Equal(4, MdpLoader.Load(output).ObservationCount);
        Assert.Equal(4, CliRun.Of("classes", output, "--json").Json.GetProperty("classes").GetInt32());

        var dot = CliRun.Of("quotient", Counting, "--to", "dot");
        Assert.StartsWith("digraph \"quotient\" {", dot.Out);

        var refused = CliRun.Of("quotient", Walk, "--aux-file", WalkAux);
        Assert.Equal(2, refused.ExitCode);
        Assert.Contains("pass --missing sink", refused.Error);
    }

    [Fact]
    public void BenchBisimReportsTimesAndMemory()
    {
        var j = CliRun.Of("bench", "bisim", "--states", "2000", "--actions", "2", "--aux-values", "3", "--seed", "5", "--repeat", "2", "--json").Json;
        Assert.Equal(2000, j.GetProperty("states").GetInt32());
        Assert.True(j.GetProperty("classes").GetInt32() > 1);
        Assert.True(j.GetProperty("best_ms").GetDouble() >= 0);
        Assert.True(j.GetProperty("peak_working_set_bytes").GetInt64() > 0);
        Assert.Equal(2, CliRun.Of("bench", "bisim", "--states", "0").ExitCode);

        // Whole processes of this program under /usr/bin/time -v, on files in two of the layouts users write.
        var load = CliRun.Of("bench", "load", "--states", "300", "--actions", "2", "--layout", "one-line", "--layout", "csv", "--no-peers", "--json").Json;
        var runs = load.GetProperty("runs").EnumerateArray().ToList();
        Assert.Equal(["jepa-verify one-line", "jepa-verify csv"], runs.Select(r => r.GetProperty("what").GetString()));
        Assert.All(runs, r => Assert.Equal(0, r.GetProperty("exit_code").GetInt32()));
        Assert.All(runs, r => Assert.True(r.GetProperty("peak_rss_bytes").GetInt64() > 1_000_000));
        Assert.True(runs[0].GetProperty("file_bytes").GetInt64() > 300 * 20);
    }

    [Fact]
    public void TrainPlotWritesLossCurvesPcaAndHeatmapAsPngAndSvg()
    {
        var dir = Path.Combine(Path.GetTempPath(), "jv-plot-" + Guid.NewGuid().ToString("N"), "figures");
        var run = CliRun.Of("train", Counting, "--steps", "200", "--quiet", "--plot", dir);
        Assert.Contains($"figures: losses.png, losses.svg, pca.png, pca.svg, distances.png, distances.svg written to {dir}", run.Out);
        FigureFiles.AssertValid(dir, ["losses.png", "losses.svg", "pca.png", "pca.svg", "distances.png", "distances.svg"]);

        // A file where the directory should be: one line, exit 2, before any training.
        var file = Path.Combine(dir, "losses.png");
        var refused = CliRun.Of("train", Counting, "--quiet", "--plot", file);
        Assert.Equal(2, refused.ExitCode);
        Assert.Contains("--plot", refused.Error);
        Assert.Contains("is a file; name a directory", refused.Error);
        Directory.Delete(Path.GetDirectoryName(dir)!, recursive: true);
    }

    [Fact]
    public void DemoChecksItsExpectedOutcomes()
    {
        var dir = Path.Combine(Path.GetTempPath(), "jv-demo-" + Guid.NewGuid().ToString("N"));
        var run = CliRun.Of("demo", "--out", dir);
        Assert.True(run.ExitCode == 0, $"exit {run.ExitCode}: {run.Error}");
        Assert.DoesNotContain("FAILED", run.Out);
        Assert.Equal(10, run.Out.Split('\n').Count(l => l.Contains("[ok]", StringComparison.Ordinal)));
        FigureFiles.AssertValid(dir, ["pca-joint.png", "pca-joint.svg", "distances-joint.png", "losses-joint.png"]);
        FigureFiles.AssertValid(Path.Combine(dir, "reference"), ["tsne-joint.png", "pca-transition-only.svg"]);
        Assert.True(File.Exists(Path.Combine(dir, "reference", "counting.md")));
        Directory.Delete(dir, recursive: true);
        Assert.Contains("demo: every expected outcome holds", run.Out);
    }

    private static string WriteRewardAux() =>
        TestFiles.Write("reward.csv", "id,aux\n" + string.Concat(Enumerable.Range(0, 9).Select(c => $"count{c},{(c == 4 ? 1 : 0)}\n")));
}
