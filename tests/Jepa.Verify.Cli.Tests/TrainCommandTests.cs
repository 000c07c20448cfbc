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
    public void JointOnCountingIsCertifiedWithNineClustersAndTheDocumentedJsonFields()
    {
        // Training stops once certified, which may come before the mean losses reach the target: then the tolerance-based
        // theorem_holds, which needs that premise, is false while the certificate holds at the loss reached.
        var run = CliRun.Of("train", Counting, "--json");
        Assert.Equal(0, run.ExitCode);
        var j = run.Json;
        Assert.Equal("joint", j.GetProperty("mode").GetString());
        Assert.Equal(0, j.GetProperty("seed").GetInt32());
        Assert.True(j.GetProperty("steps").GetInt32() > 0);
        Assert.Equal("certified", j.GetProperty("verdict").GetString());
        var premise = j.GetProperty("loss_dyn").GetDouble() < 1e-4 && j.GetProperty("loss_aux").GetDouble() < 1e-4;
        Assert.Equal(premise, j.GetProperty("losses_below_target").GetBoolean());
        Assert.Equal(9, j.GetProperty("clusters").GetInt32());
        Assert.Equal(9, j.GetProperty("classes").GetInt32());
        Assert.True(j.GetProperty("min_nonequivalent_distance").GetDouble() > 1e-3);
        Assert.Equal(0, j.GetProperty("violations").GetInt32());
        Assert.Equal(premise, j.GetProperty("theorem_holds").GetBoolean());
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

    [Theory]
    [InlineData("counting.json", 0, 36)]
    [InlineData("counting.json", 1, 36)]
    [InlineData("counting.json", 2, 36)]
    [InlineData("gridworld.json", 0, 54)]
    public void DefaultTrainingStopsOnceCertified(string example, int seed, int pairs)
    {
        var run = CliRun.Of("train", TestFiles.Example(example), "--seed", seed.ToString(System.Globalization.CultureInfo.InvariantCulture), "--json");
        Assert.True(run.ExitCode == 0, run.Out + run.Error);
        var j = run.Json;
        Assert.Equal("certified", j.GetProperty("verdict").GetString());
        Assert.Equal(pairs, j.GetProperty("certified_pairs").GetInt32());
        Assert.Equal(pairs, j.GetProperty("nonequivalent_pairs").GetInt32());
        var bound = j.GetProperty("min_certified_distance").GetDouble();
        Assert.InRange(bound, double.Epsilon, j.GetProperty("min_nonequivalent_distance").GetDouble());
        Assert.True(j.GetProperty("required_residual").GetDouble() > 0);
        Assert.True(j.GetProperty("lipschitz_transition").GetDouble() > 0 && j.GetProperty("lipschitz_aux").GetDouble() > 0);
        Assert.True(j.GetProperty("max_residual_dyn").GetDouble() > 0);
    }

    [Fact]
    public void PairsListsEveryNonEquivalentPairWithADistanceAboveItsBound()
    {
        var run = CliRun.Of("train", Counting, "--pairs", "--json");
        var listed = run.Json.GetProperty("pairs").EnumerateArray().ToList();
        Assert.Equal(36, listed.Count);
        Assert.All(listed, p => Assert.True(p.GetProperty("bound").GetDouble() <= p.GetProperty("distance").GetDouble()));
        Assert.Contains(listed, p => p.GetProperty("a").GetString() == "count0" && p.GetProperty("b").GetString() == "count1");
        Assert.Contains("pair count0 vs count1: distance", CliRun.Of("train", Counting, "--pairs").Out);
    }

    [Fact]
    public void JointWithCollapsedPairsExitsOne()
    {
        // A tolerance far above the separations joint training reaches turns every pair into a violation.
        var run = CliRun.Of("train", Counting, "--tolerance", "10");
        Assert.Equal(1, run.ExitCode);
        Assert.Contains("collapsed: 36 of 36 non-equivalent pairs are within 10 (unhealthy collapse)", run.Out);
        Assert.Contains("collapsed: count", run.Out);
    }

    [Fact]
    public void JointThatIsApartButNotCertifiedIsInconclusive()
    {
        var run = CliRun.Of("train", Counting, "--steps", "20", "--step-cap", "20");
        Assert.Equal(3, run.ExitCode);
        Assert.Contains("apart, not certified", run.Out);
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
        Assert.StartsWith("error: --save: cannot write /dev/null/model.jvm", run.Error);
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

    /// <summary>Counts 0–3 (inc/dec, aux 1 at 2) drawn as that many lit pixels on a 1×8×8 image.</summary>
    private static string PixelMdp(bool shape = false)
    {
        var observations = Enumerable.Range(0, 4).Select(c =>
        {
            var pixels = Enumerable.Range(0, 64).Select(i => i < 9 * c && i % 9 == 0 ? "0.5" : "-0.5");
            return $"{{\"id\": \"c{c}\", \"aux\": {(c == 2 ? 1 : 0)}, \"features\": [{string.Join(", ", pixels)}]}}";
        });
        var transitions = Enumerable.Range(0, 4).SelectMany(c => new[]
        {
            $"{{\"from\": \"c{c}\", \"action\": \"inc\", \"to\": \"c{Math.Min(c + 1, 3)}\"}}",
            $"{{\"from\": \"c{c}\", \"action\": \"dec\", \"to\": \"c{Math.Max(c - 1, 0)}\"}}",
        });
        return TestFiles.Write(shape ? "pixels-shaped.json" : "pixels.json", $"{{\"actions\": [\"inc\", \"dec\"],{(shape ? " \"feature_shape\": [1, 8, 8]," : "")} \"observations\": [{string.Join(", ", observations)}], \"transitions\": [{string.Join(", ", transitions)}]}}");
    }

    [Fact]
    public void TheConvolutionalEncoderTrainsOnImageFeatures()
    {
        // One-step losses: what is tested is that the aux loss falls through the convolutions within 200 steps.
        var run = CliRun.Of("train", PixelMdp(), "--image", "1x8x8", "--stages", "4,8", "--steps", "200", "--step-cap", "200", "--horizon", "1", "--quiet", "--json");
        Assert.True(run.ExitCode is 0 or 1 or 3, run.Error);
        Assert.True(run.Json.GetProperty("loss_aux").GetDouble() < 0.1, run.Out);
    }

    [Theory]
    [InlineData("3x8x8", "", "--image 3x8x8 reads 192 features, but the observations of")]
    [InlineData("1x8", "", "--image must be CxHxW, e.g. 3x64x64, got '1x8'")]
    [InlineData("1x8x8", "4,x", "--stages must be channel counts separated by commas")]
    [InlineData("1x2x8", "", "images must have at least 1 channel and 4×4 pixels")]
    [InlineData("1x8x8", "onnx", "--save-onnx cannot export the convolutional encoder yet")]
    public void ImageOptionsThatCannotBeHonouredAreUsageErrors(string image, string extra, string message)
    {
        string[] args = ["train", PixelMdp(), "--image", image, "--steps", "1", "--quiet"];
        args = extra switch
        {
            "onnx" => [.. args, "--save-onnx", Path.Combine(Path.GetTempPath(), "jv-never-" + Guid.NewGuid().ToString("N"))],
            "" => args,
            _ => [.. args, "--stages", extra],
        };
        var run = CliRun.Of(args);
        Assert.Equal(2, run.ExitCode);
        Assert.Contains(message, run.Error, StringComparison.Ordinal);
        Assert.Single(run.Error.Trim().Split('\n'));
    }

    [Fact]
    public void ATwoHotHeadIsCertifiedInSymlogSpaceAndThePaperPresetIsReportedAsItIs()
    {
        // A two-hot aux head alone (ReLU MLPs): its softmax expectation has constant (max − min)/2, and counting is certified.
        var twoHot = CliRun.Of("train", Counting, "--aux-loss", "two-hot", "--quiet", "--json");
        Assert.Equal(0, twoHot.ExitCode);
        Assert.Equal("certified", twoHot.Json.GetProperty("verdict").GetString());
        Assert.Equal(36, twoHot.Json.GetProperty("certified_pairs").GetInt32());

        // The paper's preset adds LayerNorm to the heads, whose global bound leaves most pairs uncertified at 100 steps.
        var run = CliRun.Of("train", Counting, "--preset", "paper", "--steps", "100", "--quiet", "--json");
        Assert.Equal(3, run.ExitCode); // apart but not certified is inconclusive, never a pass
        Assert.Equal("two-hot", run.Json.GetProperty("aux_loss").GetString());
        Assert.Equal(256, run.Json.GetProperty("latent_dim").GetInt32());
        Assert.True(run.Json.GetProperty("certified_pairs").GetInt32() < 36);
    }

    [Theory]
    [InlineData("--preset paper --lr 0.01", "--preset paper sets --lr itself; drop one of them")]
    [InlineData("--preset paper --aux-loss mse", "--preset paper sets --aux-loss itself")]
    [InlineData("--aux-bins 11", "--aux-bins and --aux-range shape a two-hot aux head; add --aux-loss two-hot")]
    [InlineData("--aux-loss two-hot --aux-range 1", "--aux-range must be MIN,MAX")]
    [InlineData("--aux-loss two-hot --aux-bins 1", "at least 2 bins")]
    [InlineData("--aux-loss two-hot --save-onnx DIR", "--save-onnx needs an aux head that outputs the aux")]
    [InlineData("--preset bogus", "Argument 'bogus' not recognized")]
    [InlineData("--preset paper --horizon 4", "--preset paper sets --horizon itself")]
    [InlineData("--aux-loss two-hot --horizon 4", "--horizon rolls out a regression aux head")]
    [InlineData("--mode dyn-only --horizon 4", "--horizon applies to joint training; --mode dyn-only trains one-step losses")]
    [InlineData("--horizon 0", "horizon must be between 1 and 64, got 0")]
    public void AuxLossAndPresetOptionsThatCannotBeHonouredAreUsageErrors(string options, string message)
    {
        var extra = options.Replace("DIR", Path.Combine(Path.GetTempPath(), "jv-never-" + Guid.NewGuid().ToString("N")), StringComparison.Ordinal).Split(' ');
        var run = CliRun.Of(["train", Counting, "--steps", "1", "--quiet", .. extra]);
        Assert.Equal(2, run.ExitCode);
        Assert.Contains(message, run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void TheImageEncoderNeedsFeatures()
    {
        var run = CliRun.Of("train", TestFiles.Example("counting.json"), "--image", "1x8x8", "--steps", "1", "--quiet");
        Assert.Equal(2, run.ExitCode);
        Assert.Contains("--image needs observations with \"features\"", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void AnImageFeatureShapeChoosesTheConvolutionalEncoderUnlessTheMlpIsAskedFor()
    {
        string[] common = ["--stages", "4,8", "--steps", "50", "--step-cap", "50", "--quiet"];
        var auto = CliRun.Of(["train", PixelMdp(shape: true), .. common, "--json"]);
        Assert.True(auto.ExitCode is 0 or 1 or 3, auto.Error);
        Assert.Equal("conv", auto.Json.GetProperty("encoder").GetString());
        Assert.Contains("convolutional encoder on 1x8x8 images", CliRun.Of(["train", PixelMdp(shape: true), .. common]).Out, StringComparison.Ordinal);
        Assert.Equal("mlp", CliRun.Of(["train", PixelMdp(shape: true), .. common, "--encoder", "mlp", "--json"]).Json.GetProperty("encoder").GetString());
        Assert.Equal("mlp", CliRun.Of(["train", PixelMdp(), .. common, "--json"]).Json.GetProperty("encoder").GetString());
        Assert.Equal("conv", CliRun.Of(["train", PixelMdp(), .. common, "--image", "1x8x8", "--json"]).Json.GetProperty("encoder").GetString());
    }

    [Theory]
    [InlineData(false, "--encoder conv", "does not say its features are images; add \"feature_shape\": [C, H, W]")]
    [InlineData(false, "--encoder mlp --image 1x8x8", "--image reads the features with the convolutional encoder; drop it or --encoder mlp")]
    [InlineData(true, "--save-onnx DIR", "--save-onnx cannot export the convolutional encoder yet, which")]
    [InlineData(true, "--encoder cnn", "Argument 'cnn' not recognized")]
    public void EncoderChoicesThatCannotBeHonouredAreUsageErrors(bool shape, string options, string message)
    {
        var extra = options.Replace("DIR", Path.Combine(Path.GetTempPath(), "jv-never-" + Guid.NewGuid().ToString("N")), StringComparison.Ordinal).Split(' ');
        var run = CliRun.Of(["train", PixelMdp(shape), "--steps", "1", "--quiet", .. extra]);
        Assert.Equal(2, run.ExitCode);
        Assert.Contains(message, run.Error, StringComparison.Ordinal);
        Assert.Single(run.Error.Trim().Split('\n'));
    }
}
