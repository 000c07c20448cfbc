using System.Xml.Linq;
using Jepa.Verify.Cli.Check;
using Jepa.Verify.Pipeline.Check;
using Jepa.Verify.Mdp.Tests;
using Xunit;

namespace Jepa.Verify.Cli.Tests;

/// <summary>Tests for <see cref="CheckRunner"/> with <see cref="ExternalModel"/>: check configs that assess a model trained elsewhere.</summary>
public sealed class CheckExternalModelTests
{
    private static string Folder()
    {
        var dir = Directory.CreateTempSubdirectory("jv-check-external-").FullName;
        File.Copy(TestFiles.Example("counting.json"), Path.Combine(dir, "counting.json"));
        foreach (var f in new[] { "encoder.onnx", "transition.onnx", "aux_head.onnx", "collapsed_encoder.onnx", "latents.npy" })
        {
            File.Copy(Path.Combine(TestFiles.Root, "tests", "Jepa.Verify.Pipeline.Tests", "Fixtures", f), Path.Combine(dir, f));
        }

        return dir;
    }

    [Fact]
    public void AnOnnxModelIsAssessedRecordedAsABaselineAndNamedInJUnit()
    {
        var dir = Folder();
        var config = Path.Combine(dir, "onnx.check.json");
        File.WriteAllText(config, """
            {"name": "counting-onnx", "environment": {"file": "counting.json"},
             "model": {"onnx": {"encoder": "encoder.onnx", "transition": "transition.onnx", "aux_head": "aux_head.onnx"}},
             "prove": false, "thresholds": {"classes": 9}, "baseline": "onnx.baseline.json"}
            """);
        // PyTorch's plain model is certified (30 of 36 pairs step by step, the other 6 by its rollouts): every case passes.
        Assert.Equal(0, CliRun.Of("check", config, "--update-baseline", "--quiet").ExitCode);
        var junit = Path.Combine(dir, "junit.xml");
        var run = CliRun.Of("check", config, "--junit", junit, "--json", "--quiet");
        Assert.Equal(0, run.ExitCode);
        var statuses = run.Json.GetProperty("checks").EnumerateArray().ToDictionary(c => c.GetProperty("name").GetString()!, c => c.GetProperty("status").GetString());
        Assert.Equal("pass", statuses["certify onnx"]);
        Assert.Equal("pass", statuses["baseline onnx"]);
        Assert.True(run.Json.GetProperty("assessment").GetProperty("losses_below_target").GetBoolean());
        Assert.Equal(0, run.Json.GetProperty("runs").GetArrayLength());
        var names = XDocument.Load(junit).Descendants("testcase").Select(t => (string)t.Attribute("name")!).ToArray();
        Assert.Equal(["conditions", "classes", "baseline", "assess onnx", "collapse onnx", "certify onnx", "baseline onnx"], names);

        // The collapsed encoder under the same baseline: collapse fails and the baseline reports the regression.
        File.WriteAllText(config, File.ReadAllText(config).Replace("\"encoder.onnx\"", "\"collapsed_encoder.onnx\"", StringComparison.Ordinal));
        var collapsed = CliRun.Of("check", config, "--json", "--quiet");
        Assert.Equal(1, collapsed.ExitCode);
        var checks = collapsed.Json.GetProperty("checks").EnumerateArray().ToDictionary(c => c.GetProperty("name").GetString()!, c => c.GetProperty("status").GetString());
        Assert.Equal("fail", checks["collapse onnx"]);
        Assert.Equal("fail", checks["baseline onnx"]);
        Directory.Delete(dir, recursive: true);
    }

    [Fact]
    public void LatentsNeedNoModelAndLeaveThePremiseUnmeasured()
    {
        var dir = Folder();
        var config = Path.Combine(dir, "latents.check.json");
        File.WriteAllText(config, """{"environment": {"file": "counting.json"}, "model": {"latents": "latents.npy"}, "prove": false}""");
        var run = CliRun.Of("check", config, "--json", "--quiet");
        Assert.Equal(0, run.ExitCode);
        Assert.Equal(System.Text.Json.JsonValueKind.Null, run.Json.GetProperty("assessment").GetProperty("losses_below_target").ValueKind);
        Directory.Delete(dir, recursive: true);
    }

    [Fact]
    public void LatentsWithTheOnnxHeadsAndATwoHotHeadAreCertifiedInACheck()
    {
        var dir = Folder();
        var config = Path.Combine(dir, "latents-heads.check.json");
        File.WriteAllText(config, """
            {"environment": {"file": "counting.json"}, "model": {"latents": "latents.npy", "onnx": {"transition": "transition.onnx", "aux_head": "aux_head.onnx"}}, "prove": false}
            """);
        var run = CliRun.Of("check", config, "--json", "--quiet");
        Assert.Equal(0, run.ExitCode);
        var statuses = run.Json.GetProperty("checks").EnumerateArray().ToDictionary(c => c.GetProperty("name").GetString()!, c => c.GetProperty("status").GetString());
        Assert.Equal("pass", statuses["certify latents"]);
        Assert.Equal("pass", statuses["assess latents"]);

        // TD-MPC2's two-hot reward head, exported as logits, read with "aux_bins".
        foreach (var f in new[] { "encoder.onnx", "transition_onehot_17.onnx", "aux_logits_17.onnx" })
        {
            File.Copy(Path.Combine(TestFiles.Root, "tests", "Jepa.Verify.Pipeline.Tests", "Fixtures", "variants", "twohot", f), Path.Combine(dir, "th_" + f));
        }

        File.WriteAllText(config, """
            {"environment": {"file": "counting.json"}, "prove": false,
             "model": {"onnx": {"encoder": "th_encoder.onnx", "transition": "th_transition_onehot_17.onnx", "aux_head": "th_aux_logits_17.onnx", "aux_bins": 101, "aux_range": [-10, 10]}}}
            """);
        var twoHot = CliRun.Of("check", config, "--json", "--quiet");
        Assert.Equal(0, twoHot.ExitCode);
        Assert.Contains("36 of 36 non-equivalent pairs certified", twoHot.Json.GetProperty("checks").EnumerateArray().Single(c => c.GetProperty("name").GetString() == "certify onnx").GetProperty("message").GetString(), StringComparison.Ordinal);

        File.WriteAllText(config, """{"environment": {"file": "counting.json"}, "model": {"latents": "latents.npy", "onnx": {"aux_bins": 101}}}""");
        var bad = CliRun.Of("check", config, "--quiet");
        Assert.Equal(2, bad.ExitCode);
        Assert.Contains("\"model.onnx.aux_bins\" says how to read the aux head, but there is none", bad.Error, StringComparison.Ordinal);
        Directory.Delete(dir, recursive: true);
    }

    [Fact]
    public void ThresholdsRequireDecidesTheCertifyCaseAndLatentsAloneNeverPassCertified()
    {
        var dir = Folder();
        var config = Path.Combine(dir, "latents.check.json");
        File.WriteAllText(config, """{"environment": {"file": "counting.json"}, "model": {"latents": "latents.npy"}, "prove": false, "thresholds": {"require": "certified"}}""");
        var run = CliRun.Of("check", config, "--json", "--quiet");
        Assert.Equal(3, run.ExitCode);
        var certify = run.Json.GetProperty("checks").EnumerateArray().Single(c => c.GetProperty("name").GetString() == "certify latents");
        Assert.Equal("inconclusive", certify.GetProperty("status").GetString());
        Assert.Contains("required: certified", certify.GetProperty("message").GetString(), StringComparison.Ordinal);

        // Perturbed latents with the fixture's heads (34 of 36 pairs certified): inconclusive by default, a pass under apart
        // or a fraction of 0.8.
        AssessCommandTests.NoisyLatents(dir);
        var model = """ "model": {"latents": "noisy_latents.npy", "onnx": {"transition": "transition.onnx", "aux_head": "aux_head.onnx"}}, "prove": false""";
        foreach (var (thresholds, exit) in new[] { ("{}", 3), ("""{"require": "apart"}""", 0), ("""{"min_certified_fraction": 0.8}""", 0), ("""{"require": "certified", "min_certified_fraction": 0.99}""", 3) })
        {
            File.WriteAllText(config, $$"""{"environment": {"file": "counting.json"}, {{model}}, "thresholds": {{thresholds}}}""");
            var ln = CliRun.Of("check", config, "--json", "--quiet");
            Assert.True(exit == ln.ExitCode, $"{thresholds}: exit {ln.ExitCode} {ln.Error}");
            var message = ln.Json.GetProperty("checks").EnumerateArray().Single(c => c.GetProperty("name").GetString() == "certify latents").GetProperty("message").GetString()!;
            Assert.Contains("34 of 36 non-equivalent pairs certified", message, StringComparison.Ordinal);
            Assert.DoesNotContain("training.steps", message, StringComparison.Ordinal);
        }

        File.WriteAllText(config, """{"environment": {"file": "counting.json"}, "model": {"latents": "latents.npy"}, "thresholds": {"require": "proven"}}""");
        var bad = CliRun.Of("check", config, "--quiet");
        Assert.Equal(2, bad.ExitCode);
        Assert.Contains("\"thresholds.require\" must be \"certified\" or \"apart\"", bad.Error, StringComparison.Ordinal);
        Directory.Delete(dir, recursive: true);
    }

    [Theory]
    [InlineData("""{"environment": {"file": "counting.json"}, "model": {"latents": "latents.npy"}, "seeds": [1]}""", "\"seeds\" is given, but \"model\" names a model trained elsewhere")]
    [InlineData("""{"environment": {"file": "counting.json"}, "model": {"latents": "latents.npy", "onnx": {"encoder": "encoder.onnx"}}}""", "\"model\" has both \"latents\" and \"onnx.encoder\"")]
    [InlineData("""{"environment": {"file": "counting.json"}, "model": {"onnx": {"transition": "transition.onnx"}}}""", "add \"encoder\"")]
    [InlineData("""{"environment": {"file": "counting.json"}, "model": {"onnx": {"encoder": "nope.onnx"}}}""", "nope.onnx")]
    [InlineData("""{"environment": {"file": "counting.json"}, "model": {"latents": "latents.npy", "latent_dim": 4}}""", "latent_dim")]
    public void ConfigsThatMixTrainingWithAnExternalModelAreRefusedInOneLine(string text, string expected)
    {
        var dir = Folder();
        var config = Path.Combine(dir, "bad.check.json");
        File.WriteAllText(config, text);
        var run = CliRun.Of("check", config, "--quiet");
        Assert.Equal(2, run.ExitCode);
        Assert.Contains(expected, run.Error, StringComparison.Ordinal);
        Assert.Single(run.Error.TrimEnd('\n').Split('\n'));
        Directory.Delete(dir, recursive: true);
    }
}
