using System.Xml.Linq;
using Jepa.Verify.Cli.Experiments;
using Jepa.Verify.Pipeline;
using Jepa.Verify.Pipeline.Experiments;
using Jepa.Verify.Learning.Jepa;
using Jepa.Verify.Mdp.Formats;
using Jepa.Verify.Mdp.Tests;
using Xunit;

namespace Jepa.Verify.Cli.Tests;

/// <summary>Tests for <see cref="Commands.EnvCommand"/>, <see cref="Commands.ExperimentCommand"/> and <see cref="CountingExperiment"/>.</summary>
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
        var result = CountingExperiment.Run(CountingSettings.QuickSettings([1], [TrainingMode.Joint, TrainingMode.DynOnly]));
        Assert.Equal(9, result.Classes);
        Assert.Equal(9, result.Proof.MinLatents);
        var joint = result.Outcomes.Single(o => o.Mode == TrainingMode.Joint);
        var dynOnly = result.Outcomes.Single(o => o.Mode == TrainingMode.DynOnly);
        Assert.NotEqual(SeparationVerdict.Collapsed, joint.Run.Separation.Verdict);
        Assert.Equal(9, joint.CountGroups);
        Assert.Equal(1.0, joint.Run.Report.LabelPurity["count"]);
        Assert.Equal(1, dynOnly.CountGroups);
        Assert.Equal("collapsed", dynOnly.Verdict);

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
    public void ExperimentJsonIsByteIdenticalForTheSameSettings()
    {
        string Once()
        {
            var dir = Path.Combine(Path.GetTempPath(), "jv-counting-" + Guid.NewGuid().ToString("N"));
            var run = CliRun.Of("experiment", "counting", "--quick", "--modes", "joint", "random-aux", "--steps", "100", "--out", dir, "--json");
            Assert.Equal(0, run.ExitCode);
            Assert.Equal(run.Out, File.ReadAllText(Path.Combine(dir, "counting.json")));
            Assert.True(File.Exists(Path.Combine(dir, "counting.md")));
            Directory.Delete(dir, recursive: true);
            return run.Out;
        }

        var first = Once();
        Assert.Equal(first, Once());
        Assert.Contains("\"min_latents\": 9", first);
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
