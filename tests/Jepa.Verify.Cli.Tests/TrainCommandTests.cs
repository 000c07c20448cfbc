using Jepa.Verify.Cli.Commands;
using Jepa.Verify.Learning.Jepa;
using Jepa.Verify.Mdp.Tests;
using Xunit;

namespace Jepa.Verify.Cli.Tests;

/// <summary>Tests for <see cref="TrainCommand"/>: the report, its JSON fields and the exit codes.</summary>
public sealed class TrainCommandTests
{
    private static readonly string Counting = TestFiles.Example("counting.json");

    [Fact]
    public void JointOnCountingHoldsWithNineClustersAndTheDocumentedJsonFields()
    {
        var run = CliRun.Of("train", Counting, "--json");
        Assert.Equal(0, run.ExitCode);
        var j = run.Json;
        Assert.Equal("joint", j.GetProperty("mode").GetString());
        Assert.Equal(0, j.GetProperty("seed").GetInt32());
        Assert.True(j.GetProperty("steps").GetInt32() > 0);
        Assert.True(j.GetProperty("loss_dyn").GetDouble() < 1e-4);
        Assert.True(j.GetProperty("loss_aux").GetDouble() < 1e-4);
        Assert.Equal(9, j.GetProperty("clusters").GetInt32());
        Assert.Equal(9, j.GetProperty("classes").GetInt32());
        Assert.True(j.GetProperty("min_nonequivalent_distance").GetDouble() > 1e-3);
        Assert.Equal(0, j.GetProperty("violations").GetInt32());
        Assert.True(j.GetProperty("theorem_holds").GetBoolean());
        Assert.Equal(1.0, j.GetProperty("label_purity").GetProperty("count").GetDouble());
    }

    [Fact]
    public void TheSameSeedPrintsByteIdenticalJson()
    {
        var a = CliRun.Of("train", Counting, "--json", "--seed", "4", "--steps", "200");
        var b = CliRun.Of("train", Counting, "--json", "--seed", "4", "--steps", "200");
        Assert.Equal(a.Out, b.Out);
    }

    [Fact]
    public void DynOnlyReportsTheCollapseButAnAblationDoesNotFailTheCommand()
    {
        var run = CliRun.Of("train", Counting, "--mode", "dyn-only", "--json");
        Assert.Equal(0, run.ExitCode);
        Assert.Equal(1, run.Json.GetProperty("clusters").GetInt32());
        Assert.Equal(36, run.Json.GetProperty("violations").GetInt32());
        Assert.False(run.Json.GetProperty("theorem_holds").GetBoolean());
    }

    [Fact]
    public void JointWithCollapsedPairsExitsOne()
    {
        // A tolerance far above the separations joint training reaches turns every pair into a violation.
        var run = CliRun.Of("train", Counting, "--tolerance", "10");
        Assert.Equal(1, run.ExitCode);
        Assert.Contains("unhealthy collapse: 36 of 36", run.Out);
        Assert.Contains("collapsed: count", run.Out);
    }

    [Fact]
    public void JointThatDoesNotReachTheTargetIsInconclusive()
    {
        var run = CliRun.Of("train", Counting, "--steps", "20");
        Assert.Equal(3, run.ExitCode);
        Assert.Contains("inconclusive", run.Out);
    }

    [Fact]
    public void DivergenceIsInconclusiveWithTheReason()
    {
        var run = CliRun.Of("train", Counting, "--lr", "1e30", "--json");
        Assert.Equal(3, run.ExitCode);
        Assert.Equal("diverged", run.Json.GetProperty("status").GetString());
        Assert.Contains("lower the learning rate", run.Json.GetProperty("message").GetString());
    }

    [Fact]
    public void RandomAuxChecksAgainstTheClassesOfTheRandomMap()
    {
        var run = CliRun.Of("train", TestFiles.Example("gridworld.json"), "--mode", "random-aux", "--json");
        Assert.Equal(0, run.ExitCode);
        // The gridworld has 4 classes under its reward; the random map of one-hot ids separates all 12 cells.
        Assert.Equal(12, run.Json.GetProperty("classes").GetInt32());
    }

    [Fact]
    public void FiniteDataUsesTheDistinguishabilityRelation()
    {
        var run = CliRun.Of("train", TestFiles.Example("counting-walk/transitions.csv"), "--aux-file", TestFiles.Example("counting-walk/aux.csv"), "--json");
        Assert.Equal(0, run.ExitCode);
        Assert.Equal(System.Text.Json.JsonValueKind.Null, run.Json.GetProperty("classes").ValueKind);
        Assert.Equal(0, run.Json.GetProperty("violations").GetInt32());
    }

    [Fact]
    public void SaveWritesALoadableModelAtomically()
    {
        var dir = Path.Combine(Path.GetTempPath(), $"jv-train-{Guid.NewGuid():N}");
        var path = Path.Combine(dir, "counting.jvm");
        try
        {
            var run = CliRun.Of("train", Counting, "--steps", "50", "--save", path);
            Assert.Contains($"model written to {path}", run.Out);
            var model = ModelFile.Load(path);
            Assert.Equal(9, model.Shape.FeatureDim);
            Assert.Single(Directory.GetFiles(dir));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void AnUnwritableSavePathIsAOneLineErrorAndLeavesNoFile()
    {
        var run = CliRun.Of("train", Counting, "--steps", "10", "--save", "/dev/null/model.jvm");
        Assert.Equal(2, run.ExitCode);
        Assert.StartsWith("error: /dev/null/model.jvm", run.Error);
        Assert.Single(run.Error.TrimEnd('\n').Split('\n'));
    }

    [Theory]
    [InlineData("--mode", "bogus")]
    [InlineData("--steps", "-1")]
    [InlineData("--lr", "0")]
    [InlineData("--tolerance", "-1")]
    [InlineData("--batch-size", "0")]
    public void BadOptionsAreOneLineUsageErrors(string option, string value)
    {
        var run = CliRun.Of("train", Counting, option, value);
        Assert.Equal(2, run.ExitCode);
        Assert.Single(run.Error.TrimEnd('\n').Split('\n'));
        Assert.Empty(run.Out);
    }
}
