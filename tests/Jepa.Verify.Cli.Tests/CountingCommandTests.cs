using System.Text.Json;
using System.Xml.Linq;
using Jepa.Verify.Cli.Experiments;
using Jepa.Verify.Pipeline;
using Jepa.Verify.Pipeline.Experiments;
using Jepa.Verify.Learning.Jepa;
using Jepa.Verify.Mdp.Formats;
using Jepa.Verify.Mdp.Tests;
using Xunit;

namespace Jepa.Verify.Cli.Tests;

/// <summary>Tests for <see cref="Commands.EnvCommand"/>, <see cref="Commands.ExperimentCommand"/>, <see cref="CountingExperiment"/> and <see cref="ReferenceCountingExperiment"/>.</summary>
public sealed class CountingCommandTests
{
    [Fact]
    public void EnvCountingSummarisesTheExactMdp()
    {
        var run = CliRun.Of("env", "counting", "--families", "2", "--layouts", "1", "--size", "32", "--no-features");
        Assert.Equal(0, run.ExitCode);
        Assert.Contains("18 observations, 2 actions, 36 transitions (deterministic, complete)", run.Out);
        Assert.Contains("9 bisimulation classes", run.Out);
    }

    [Fact]
    public void EnvCountingJsonGivesTheSettingsSizeAndClasses()
    {
        var path = TestFiles.Write("counting-json.json", "");
        var run = CliRun.Of("env", "counting", "--families", "2", "--layouts", "1", "--size", "32", "--channel-major", "--export", path, "--json");
        Assert.Equal(0, run.ExitCode);
        var j = run.Json;
        Assert.Equal(("counting", "exact", 18, 2, 36), (j.GetProperty("environment").GetString(), j.GetProperty("mode").GetString(),
            j.GetProperty("observations").GetInt32(), j.GetProperty("actions").GetInt32(), j.GetProperty("transitions").GetInt32()));
        Assert.Equal((9, 32 * 32 * 3, "channel-major", path), (j.GetProperty("classes").GetInt32(), j.GetProperty("features").GetInt32(),
            j.GetProperty("pixel_layout").GetString(), j.GetProperty("written_to").GetString()));
        Assert.True(j.GetProperty("deterministic").GetBoolean() && j.GetProperty("complete").GetBoolean());

        // Dataset mode: the finite-data relation instead of classes.
        var data = CliRun.Of("env", "counting", "--dataset", "--episodes", "5", "--steps", "10", "--size", "32", "--no-features", "--json").Json;
        Assert.Equal(System.Text.Json.JsonValueKind.Null, data.GetProperty("classes").ValueKind);
        Assert.Equal((454, 1176, 50), (data.GetProperty("distinguishable_pairs").GetInt32(), data.GetProperty("pairs").GetInt32(), data.GetProperty("missing_transitions").GetInt32()));

        // Both to standard output cannot be told apart.
        var both = CliRun.Of("env", "counting", "--size", "32", "--export", "-", "--json");
        Assert.Equal(2, both.ExitCode);
        Assert.Equal("error: --json and --export - would both write to standard output; export to a file (--export FILE) or leave out --json", both.Error.Trim());
    }

    [Fact]
    public void EnvGridworldExportsTheKeyAndDoorWorldAndNamesBadOptions()
    {
        var path = TestFiles.Write("gridworld.json", "");
        var run = CliRun.Of("env", "gridworld", "--channel-major", "--export", path, "--json");
        Assert.Equal(0, run.ExitCode);
        var j = run.Json;
        Assert.Equal(("gridworld", 5, 60, 4, 240, 30), (j.GetProperty("environment").GetString(), j.GetProperty("size").GetInt32(),
            j.GetProperty("observations").GetInt32(), j.GetProperty("actions").GetInt32(), j.GetProperty("transitions").GetInt32(), j.GetProperty("classes").GetInt32()));
        Assert.Equal((16 * 16 * 3, "channel-major", path), (j.GetProperty("features").GetInt32(), j.GetProperty("pixel_layout").GetString(), j.GetProperty("written_to").GetString()));
        var mdp = MdpLoader.Load(path);
        Assert.Equal("true", mdp.Labels["key"][mdp.IndexOfObservation("x2y2k-t1")]);
        var explain = CliRun.Of("explain", path, "x0y0-t0", "x0y1-t0");
        Assert.Equal(0, explain.ExitCode);
        Assert.Contains("x0y0-t0", explain.Out, StringComparison.Ordinal);

        Assert.Contains("30 bisimulation classes", CliRun.Of("env", "gridworld", "--no-features").Out, StringComparison.Ordinal);
        foreach (var (args, message) in new[]
        {
            (new[] { "--size", "3" }, "error: the grid size must be 4 to 32 cells, got 3"),
            (["--walls", "7"], "error: walls must be 0 to 6 (a quarter of the cells) for a grid of size 5, got 7"),
            (["--image-size", "4"], "error: the image size must be 5 (one pixel a cell) to 256 pixels, got 4"),
            (["--size", "4", "--walls", "4", "--seed", "2"], "error: only 3 of 4 extra walls could be placed in a grid of size 4 with seed 2"),
        })
        {
            var bad = CliRun.Of(["env", "gridworld", .. args]);
            Assert.Equal(2, bad.ExitCode);
            Assert.StartsWith(message, bad.Error.Trim(), StringComparison.Ordinal);
            Assert.Single(bad.Error.Trim().Split('\n'));
        }
    }

    [Fact]
    public void ExportedEnvironmentWorksWithEveryOtherCommand()
    {
        var path = TestFiles.Write("counting-images.json", "");
        var run = CliRun.Of("env", "counting", "--families", "2", "--layouts", "2", "--size", "32", "--export", path);
        Assert.Equal(0, run.ExitCode);
        var mdp = MdpLoader.Load(path);
        Assert.Equal(36, mdp.ObservationCount);
        Assert.Equal(32 * 32 * 3, mdp.Features[0].Length);
        Assert.Equal("4", mdp.Labels["count"][mdp.IndexOfObservation("c4-f1-l0")]);
        var classes = CliRun.Of("classes", path, "--json");
        Assert.Equal(0, classes.ExitCode);
        Assert.Equal(9, classes.Json.GetProperty("classes").GetInt32());
    }

    [Fact]
    public void ChannelMajorExportsTheSamePixelsInTheLayoutTheImageEncoderReads()
    {
        var (hwc, chw) = (TestFiles.Write("counting-hwc.json", ""), TestFiles.Write("counting-chw.json", ""));
        Assert.Equal(0, CliRun.Of("env", "counting", "--families", "1", "--layouts", "1", "--size", "32", "--export", hwc).ExitCode);
        Assert.Equal(0, CliRun.Of("env", "counting", "--families", "1", "--layouts", "1", "--size", "32", "--channel-major", "--export", chw).ExitCode);
        var (interleaved, planar) = (MdpLoader.Load(hwc).Features[3], MdpLoader.Load(chw).Features[3]);
        for (var i = 0; i < 32 * 32; i++)
        {
            for (var ch = 0; ch < 3; ch++)
            {
                Assert.Equal(interleaved[(i * 3) + ch], planar[(ch * 32 * 32) + i]);
            }
        }

        var train = CliRun.Of("train", chw, "--image", "3x32x32", "--steps", "2", "--step-cap", "2", "--quiet");
        Assert.True(train.ExitCode is 0 or 1 or 3, train.Error);
    }

    [Fact]
    public void DatasetModeIsATransitionDatasetWithTheFiniteDataRelation()
    {
        var run = CliRun.Of("env", "counting", "--dataset", "--episodes", "5", "--steps", "10", "--size", "32", "--no-features");
        Assert.Equal(0, run.ExitCode);
        Assert.Contains("49 observations, 2 actions, 48 transitions (deterministic, 50 missing transitions)", run.Out);
        Assert.Contains("finite data: 454 of 1176 pairs distinguishable", run.Out);
    }

    [Theory]
    [InlineData("--size", "20", "the image size must be 32 to 256 pixels, got 20")]
    [InlineData("--target", "9", "the target count must be 0 to 8, got 9")]
    [InlineData("--families", "0", "families must be 1 to 64, got 0")]
    public void BadEnvironmentOptionsAreOneLineErrors(string option, string value, string message)
    {
        var run = CliRun.Of("env", "counting", option, value);
        Assert.Equal(2, run.ExitCode);
        Assert.Equal($"error: {message}", run.Error.Trim());
    }

    [Fact]
    public void ExperimentRefusesAFileAsItsOutputDirectory()
    {
        var file = TestFiles.Write("not-a-dir", "x");
        var run = CliRun.Of("experiment", "counting", "--quick", "--out", file);
        Assert.Equal(2, run.ExitCode);
        Assert.Contains("is a file; name a directory", run.Error);
    }

    [Fact]
    public void QuickExperimentJointKeepsNineCountsApartAndDynOnlyCollapsesToOne()
    {
        // Seed 1: the quick joint run keeps the 9 counts apart (docs/counting.md lists every seed).
        var result = CountingExperiment.Run(CountingSettings.Demo([1], [TrainingMode.Joint, TrainingMode.DynOnly]));
        Assert.Equal(9, result.Classes);
        Assert.Equal(9, result.Proof.MinLatents);
        var joint = result.Outcomes.Single(o => o.Mode == TrainingMode.Joint);
        var dynOnly = result.Outcomes.Single(o => o.Mode == TrainingMode.DynOnly);
        Assert.NotEqual(SeparationVerdict.Collapsed, joint.Run.Separation.Verdict);
        Assert.Equal(9, joint.CountGroups);
        Assert.Equal(1.0, joint.Run.Report.LabelPurity["count"]);
        Assert.Equal(1, dynOnly.CountGroups);
        Assert.Equal("collapsed", dynOnly.Verdict);

        // The claims: transition-only's total collapse holds; joint's 9 groups are not certified, so that claim does not.
        var claims = CountingClaims.Of(result);
        Assert.Equal([false, true, null, null, null], claims.Select(c => c.Holds));
        Assert.Equal("1 count groups; collapsed 1/1; " + dynOnly.Run.Report.Clusters + " clusters", claims[1].Measured);
        Assert.Equal("not measured", claims[2].HoldsText);

        var dir = Path.Combine(Path.GetTempPath(), "jv-counting-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        var figures = CountingReport.WriteFigures(result, dir);
        string[] names = [.. new[] { "joint", "dyn-only" }.SelectMany(m => new[] { "pca", "distances", "losses" }.SelectMany(f => new[] { $"{f}-{m}.png", $"{f}-{m}.svg" }))];
        Assert.Equal(names, figures);
        FigureFiles.AssertValid(dir, figures);

        var markdown = CountingReport.Markdown(result, figures);
        Assert.Contains("| joint | ", markdown);
        Assert.Contains("apart, not certified 1/1", markdown);
        Directory.Delete(dir, recursive: true);
    }

    [Fact]
    public void ExactExperimentCommandWritesItsJsonAndMarkdown()
    {
        var dir = Path.Combine(Path.GetTempPath(), "jv-counting-" + Guid.NewGuid().ToString("N"));
        var run = CliRun.Of("experiment", "counting", "--protocol", "exact", "--quick", "--modes", "dyn-only", "--steps", "5", "--out", dir, "--json");
        Assert.Equal(0, run.ExitCode);
        Assert.Equal(run.Out, File.ReadAllText(Path.Combine(dir, "counting.json")));
        Assert.Contains("| dyn-only | ", File.ReadAllText(Path.Combine(dir, "counting.md")));
        Assert.Contains("\"min_latents\": 9", run.Out);
        Assert.Contains("\"encoder\": \"conv\"", run.Out);
        Directory.Delete(dir, recursive: true);
    }

    [Fact]
    public void ExactExperimentJsonIsByteIdenticalAndJudgesOnlyTheClaimsItsModesMeasure()
    {
        // 2 families × 9 counts × 1 layout, 5 steps: every part of the quick settings (the convolutional encoder, the MLP
        // row beside joint, the decoder probe, the claims) on a small MDP.
        var quick = CountingSettings.QuickSettings([0], [TrainingMode.Joint, TrainingMode.RandomAux]);
        var settings = quick with { Environment = quick.Environment with { Families = 2, Layouts = 1 }, Training = quick.Training with { Steps = 5 } };
        var first = CountingReport.Json(CountingExperiment.Run(settings));
        Assert.Equal(first, CountingReport.Json(CountingExperiment.Run(settings)));

        using var doc = JsonDocument.Parse(first);
        var runs = doc.RootElement.GetProperty("runs").EnumerateArray().ToList();
        Assert.Equal(["joint", "random-aux", "joint (MLP)"], runs.Select(r => r.GetProperty("row").GetString()));
        Assert.Equal(["conv", "conv", "mlp"], runs.Select(r => r.GetProperty("encoder").GetString()));
        Assert.All(runs, r => Assert.True(r.GetProperty("decoder").GetProperty("mse").GetDouble() > 0));
        Assert.All(runs, r => Assert.InRange(r.GetProperty("certified_share").GetDouble(), 0, 1));
        Assert.Equal(0, runs[0].GetProperty("identical_image_pairs").GetInt64());
        Assert.True(runs[1].GetProperty("identical_image_pairs").GetInt64() > 0, "random aux: the black count-0 images of the two families are not bisimilar");

        // Judged where its modes ran, "not measured" (null) where they did not: never "holds" on less.
        var claims = doc.RootElement.GetProperty("claims").EnumerateArray().Select(c => c.GetProperty("holds").ValueKind).ToList();
        Assert.Equal(5, claims.Count);
        Assert.Equal([JsonValueKind.Null, JsonValueKind.Null], claims.Skip(1).Take(2));
        Assert.DoesNotContain(JsonValueKind.Null, claims.Where((_, i) => i is 0 or 3 or 4));
        // Five steps certify nothing: the joint claim cannot hold.
        Assert.Equal(JsonValueKind.False, claims[0]);
    }

    /// <summary>The reference protocol on a few trajectories and steps: every mode, every measure, every figure.</summary>
    private static ReferenceCountingSettings TinyReference(ulong seed = 0) =>
        ReferenceCountingSettings.QuickSettings([seed], ReferenceModes.All).WithSteps(3) with { Episodes = 12, Probes = 36, DecoderSteps = 5 };

    [Fact]
    public void TheReferenceProtocolRunsEveryModeAndMeasuresEveryProbe()
    {
        var result = ReferenceCountingExperiment.Run(TinyReference());
        Assert.Equal([.. ReferenceModes.All], result.Outcomes.Select(o => o.Mode));
        var joint = result.Outcomes[0];
        Assert.Equal(result.Observations[0], joint.Run.Result.Latents.Length / 256);
        Assert.Equal(36, joint.ProbeCounts.Length);
        Assert.Equal(36 * 256, joint.ProbeLatents.Length);
        Assert.Equal(72, joint.Tsne.Length);
        Assert.Equal(72, joint.Pca.Length);
        Assert.NotNull(joint.Run.Result.Model.Shape.TwoHot);
        Assert.NotNull(joint.Run.Result.Model.Shape.Image);
        Assert.All(result.Outcomes, o =>
        {
            Assert.InRange(o.ClusterAccuracy!.Accuracy, 0, 1);
            Assert.InRange(o.ClusterAccuracyInSample!.Accuracy, 0, 1);
            Assert.True(o.DecoderMse > 0 && o.DecoderBaselineMse > 0);
            Assert.InRange(o.CountGroups, 1, 9);
        });
        Assert.Equal(6, result.Outcomes.Single(o => o.Mode == ReferenceMode.Separate).Run.Result.Steps);
        Assert.Equal(TrainingMode.AuxOnly, result.Outcomes.Single(o => o.Mode == ReferenceMode.RewardOnly).Run.Result.Config.Mode);
        Assert.Equal("n/a", result.Outcomes.Single(o => o.Mode == ReferenceMode.TransitionOnly).Verdict);
        // Dense trains on 1 − |c − 4|/8 (5 values: |c − 4| is 0 to 4), the others on the sparse reward.
        Assert.Equal(5, result.Outcomes.Single(o => o.Mode == ReferenceMode.Dense).Run.Result.AuxTargets.Distinct().Count());
        Assert.Equal(2, joint.Run.Result.AuxTargets.Distinct().Count());

        var dir = Path.Combine(Path.GetTempPath(), "jv-reference-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        var figures = ReferenceReport.WriteFigures(result, dir);
        Assert.Equal(6 * 9, figures.Count);
        Assert.Contains("reconstructions-joint.png", figures);
        FigureFiles.AssertValid(dir, [.. figures.Where(f => !f.StartsWith("reconstructions-", StringComparison.Ordinal))]);
        var markdown = ReferenceReport.Markdown(result, figures);
        Assert.Contains("| transition-only |", markdown);
        Assert.Contains("cluster accuracy (held-out)", markdown);
        Directory.Delete(dir, recursive: true);
    }

    [Fact]
    public void TheReferenceProtocolIsDeterministicAndItsJsonNamesEveryMeasure()
    {
        static string Json() => System.Text.RegularExpressions.Regex.Replace(ReferenceReport.Json(ReferenceCountingExperiment.Run(TinyReference(1) with { Modes = [ReferenceMode.Joint, ReferenceMode.RandomAux] })), "\"seconds\": [0-9.e+-]+", "\"seconds\": 0");
        var first = Json();
        Assert.Equal(first, Json());
        foreach (var field in new[] { "\"cluster_accuracy\"", "\"cluster_accuracy_in_sample\"", "\"count_groups\"", "\"decoder_mse\"", "\"decoder_baseline_mse\"", "\"shape\"", "\"colour\"", "\"position\"", "\"theorem\"", "\"reference_mode\": \"random-aux\"" })
        {
            Assert.Contains(field, first, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("--modes aux-only", "--modes: 'aux-only' is not a mode of the reference protocol")]
    [InlineData("--protocol exact --modes dense", "--modes: 'dense' is not a mode of the exact protocol")]
    [InlineData("--steps 0", "--steps must be >= 1")]
    [InlineData("--protocol bogus", "Argument 'bogus' not recognized")]
    public void ExperimentOptionsThatCannotBeHonouredAreUsageErrors(string options, string message)
    {
        var run = CliRun.Of(["experiment", "counting", "--quick", "--out", Path.Combine(Path.GetTempPath(), "jv-never-" + Guid.NewGuid().ToString("N")), .. options.Split(' ')]);
        Assert.Equal(2, run.ExitCode);
        Assert.Contains(message, run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void CountGroupsMergeCountsThatShareACluster()
    {
        int[] count = [0, 0, 1, 2, 3, 4, 5, 6, 7, 8];
        Assert.Equal(9, CountingExperiment.CountGroups([0, 0, 1, 2, 3, 4, 5, 6, 7, 8], count));
        Assert.Equal(8, CountingExperiment.CountGroups([0, 1, 1, 2, 3, 4, 5, 6, 7, 8], count));
        Assert.Equal(1, CountingExperiment.CountGroups([.. Enumerable.Repeat(0, 10)], count));
    }
}
