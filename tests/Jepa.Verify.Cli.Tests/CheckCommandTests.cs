using System.Collections.Immutable;
using System.Xml.Linq;
using Jepa.Verify.Cli.Check;
using Jepa.Verify.Pipeline.Check;
using Jepa.Verify.Mdp.Tests;
using Jepa.Verify.Pipeline;
using Jepa.Verify.Smt.Solvers;
using Xunit;

namespace Jepa.Verify.Cli.Tests;

/// <summary>Tests for <see cref="Commands.CheckCommand"/>, <see cref="CheckConfigReader"/>, <see cref="CheckRunner"/> and <see cref="CheckReport"/>.</summary>
public sealed class CheckCommandTests
{
    private const string Counting = """
        {
          "name": "counting",
          "environment": { "builtin": "counting" },
          "model": { "latent_dim": 16 },
          "training": { "steps": 3000 },
          "seeds": [0, 1],
          "thresholds": { "classes": 9, "min_latents": 9 }
        }
        """;

    [Fact]
    public void TheCountingExamplePassesEveryCheckAndWritesJUnitAndMarkdown()
    {
        var dir = CopyExamples();
        var junit = Path.Combine(dir, "out", "junit.xml");
        var markdown = Path.Combine(dir, "out", "summary.md");
        var run = CliRun.Of("check", Path.Combine(dir, "counting.check.json"), "--junit", junit, "--markdown", markdown, "--quiet");
        Assert.True(run.ExitCode == 0, run.Out + run.Error);
        Assert.Contains("16 passed, 0 failed, 0 inconclusive, 0 skipped; verdict: pass", run.Out);

        // One test case per check and seed: conditions, classes, prove, baseline, then train, collapse, certify and baseline per seed.
        var suite = XDocument.Load(junit).Root!.Element("testsuite")!;
        var names = suite.Elements("testcase").Select(e => (string)e.Attribute("name")!).ToList();
        Assert.Equal(["conditions", "classes", "prove", "baseline", "train[seed=0]", "collapse[seed=0]", "certify[seed=0]", "baseline[seed=0]",
            "train[seed=1]", "collapse[seed=1]", "certify[seed=1]", "baseline[seed=1]", "train[seed=2]", "collapse[seed=2]", "certify[seed=2]", "baseline[seed=2]"], names);
        Assert.Equal("0", (string)suite.Attribute("failures")!);
        Assert.Empty(suite.Descendants("failure"));
        Assert.Contains("| `collapse[seed=2]` | ✅ pass |", File.ReadAllText(markdown));
    }

    [Fact]
    public void TheSameConfigAndSeedsGiveByteIdenticalJson()
    {
        var config = TestFiles.Write("counting.check.json", Counting);
        var first = CliRun.Of("check", config, "--json", "--quiet");
        var second = CliRun.Of("check", config, "--json", "--quiet");
        Assert.Equal(0, first.ExitCode);
        Assert.Equal(first.Out, second.Out);
        Assert.Equal("pass", first.Json.GetProperty("verdict").GetString());
        Assert.Equal(9, first.Json.GetProperty("classes").GetInt32());
        Assert.Equal(9, first.Json.GetProperty("proof").GetProperty("min_latents").GetInt32());
        Assert.Equal(2, first.Json.GetProperty("runs").GetArrayLength());
    }

    [Fact]
    public void TheDynOnlyAblationFailsWithJUnitFailuresThatNameTheCollapsedPairs()
    {
        var junit = Path.Combine(Path.GetTempPath(), "jepa-verify-tests", Guid.NewGuid().ToString("N"), "junit.xml");
        var run = CliRun.Of("check", TestFiles.Example("counting-dyn-only.check.json"), "--junit", junit, "--quiet");
        Assert.Equal(1, run.ExitCode);
        Assert.Contains("[fail] collapse[seed=0]: unhealthy collapse: 36 of 36 non-equivalent pairs", run.Out);
        var failures = XDocument.Load(junit).Descendants("failure").ToList();
        Assert.Single(failures);
        Assert.Contains("collapsed: count", failures[0].Value);
        Assert.Equal("fail", (string)failures[0].Attribute("type")!);
    }

    [Fact]
    public void ABaselineIsWrittenOnlyOnPurposeAndARegressionAgainstItFails()
    {
        var dir = Path.GetDirectoryName(TestFiles.Write("counting.check.json", Counting.Replace("\"seeds\": [0, 1]", "\"seeds\": [0], \"baseline\": \"base.json\"", StringComparison.Ordinal)))!;
        var config = Path.Combine(dir, "counting.check.json");
        var baseline = Path.Combine(dir, "base.json");

        var missing = CliRun.Of("check", config, "--quiet");
        Assert.Equal(2, missing.ExitCode);
        Assert.Contains("does not exist; create it once with 'jepa-verify check", missing.Error);
        Assert.False(File.Exists(baseline));

        Assert.Equal(0, CliRun.Of("check", config, "--update-baseline", "--quiet").ExitCode);
        var recorded = CheckBaseline.Read(baseline);
        Assert.Equal(9, recorded.Classes);
        Assert.Equal(0, recorded.Runs.Single().Violations);
        var clean = CliRun.Of("check", config, "--quiet");
        Assert.Equal(0, clean.ExitCode);
        Assert.Contains("[pass] baseline[seed=0]: no regression", clean.Out);

        Assert.Equal(36, recorded.Runs.Single().CertifiedPairs);

        // Pretend the recorded run had more clusters, more certified pairs and a different class count: all are regressions.
        File.WriteAllText(baseline, CheckReport.Baseline(recorded with { Classes = 10, Runs = [recorded.Runs[0] with { Clusters = 12, CertifiedPairs = 40 }] }));
        var regressed = CliRun.Of("check", config, "--quiet");
        Assert.Equal(1, regressed.ExitCode);
        Assert.Contains("[fail] baseline: the environment changed: classes 9, baseline 10", regressed.Out);
        Assert.Contains("[fail] baseline[seed=0]: regression: clusters 9, baseline 12; certified pairs 36, baseline 40", regressed.Out);

        // A recorded run that reached the loss target, against this one, which stopped certified before it: not a regression.
        Assert.False(recorded.Runs[0].LossesBelowTarget);
        File.WriteAllText(baseline, CheckReport.Baseline(recorded with { Runs = [recorded.Runs[0] with { LossesBelowTarget = true }] }));
        Assert.Contains("[pass] baseline[seed=0]: no regression", CliRun.Of("check", config, "--quiet").Out);
    }

    [Fact]
    public void UpdatingABaselineNeedsOneInTheConfig()
    {
        var run = CliRun.Of("check", TestFiles.Write("c.check.json", Counting), "--update-baseline", "--quiet");
        Assert.Equal(2, run.ExitCode);
        Assert.Contains("--update-baseline needs a baseline file: add \"baseline\"", run.Error);
    }

    [Fact]
    public void AModelApartButNotCertifiedIsInconclusive()
    {
        // 20 steps (at most 160 with the budget's extensions): every pair apart, but one pair's bound still 0.
        var config = TestFiles.Write("c.check.json", """
            {"environment": {"builtin": "counting"}, "model": {"latent_dim": 16}, "training": {"steps": 20}, "seeds": [0], "prove": false}
            """);
        var run = CliRun.Of("check", config, "--json", "--quiet");
        Assert.Equal(3, run.ExitCode);
        var statuses = run.Json.GetProperty("checks").EnumerateArray().ToDictionary(c => c.GetProperty("name").GetString()!, c => c.GetProperty("status").GetString());
        Assert.Equal("pass", statuses["collapse"]);
        Assert.Equal("inconclusive", statuses["certify"]);
    }

    [Fact]
    public void ASolverWithoutAnAnswerIsInconclusiveNeverAPass()
    {
        var config = CheckConfigReader.Read(TestFiles.Write("c.check.json", Counting.Replace("[0, 1]", "[0]", StringComparison.Ordinal)));
        var result = CheckRunner.Run(config, null, panel: new SolverPanel([new Unknown()]));
        var prove = result.Cases.Single(c => c.Name == "prove");
        Assert.Equal(CheckStatus.Inconclusive, prove.Status);
        Assert.Contains("no verdict", prove.Message);
        Assert.Equal(ExitCodes.Inconclusive, result.ExitCode);
        Assert.Contains("<error message=\"no verdict", CheckReport.JUnit(result));
    }

    [Fact]
    public void ACheckWhoseModelAndProofCasesWereAllSkippedNeverPasses()
    {
        // The verdict itself: with only the environment's structure checked, nothing shows the theorem holds.
        var config = CheckConfigReader.Read(TestFiles.Write("c.check.json", Counting.Replace("[0, 1]", "[0]", StringComparison.Ordinal)));
        var first = CheckRunner.Run(config, null, panel: new SolverPanel([new Unknown()]));
        CheckCase[] skippedRest = [.. first.Cases.Where(c => c.Name is "conditions" or "classes"),
            new("prove", null, CheckStatus.Skipped, "skipped: test"), new("train", 0, CheckStatus.Skipped, "skipped: test"),
            new("collapse", 0, CheckStatus.Skipped, "skipped: test"), new("certify", 0, CheckStatus.Skipped, "skipped: test")];
        var result = first with { Cases = [.. skippedRest] };
        Assert.All(result.Cases.Take(2), c => Assert.Equal(CheckStatus.Pass, c.Status));
        Assert.Equal(CheckStatus.Inconclusive, result.Verdict);
        Assert.Equal(CheckStatus.Pass, (result with { Cases = [.. skippedRest.Take(4), new CheckCase("collapse", 0, CheckStatus.Pass, "ok")] }).Verdict);
    }

    [Fact]
    public void ANonDeterministicEnvironmentFailsConditionsAndSkipsTheRest()
    {
        var mdp = TestFiles.Write("nd.json", """
            {"actions": ["a"], "observations": [{"id": "x", "aux": 0}, {"id": "y", "aux": 1}],
             "transitions": [{"from": "x", "action": "a", "to": "x"}, {"from": "x", "action": "a", "to": "y"}, {"from": "y", "action": "a", "to": "y"}]}
            """);
        var config = Path.Combine(Path.GetDirectoryName(mdp)!, "nd.check.json");
        File.WriteAllText(config, """{"environment": {"file": "nd.json"}}""");
        var run = CliRun.Of("check", config, "--json", "--quiet");
        Assert.Equal(1, run.ExitCode);
        var checks = run.Json.GetProperty("checks").EnumerateArray().Select(c => c.GetProperty("status").GetString()).ToList();
        Assert.Equal(["fail", "skipped", "skipped", "skipped", "skipped", "skipped"], checks);
    }

    [Theory]
    [InlineData("""{"environment": {"builtin": "counting"}, "seeds": [0], "thresholds": {"clases": 9}}""", "c.check.json:1:71: unknown key \"clases\" in \"thresholds\"; use only")]
    [InlineData("""{"environment": {"builtin": "countng"}}""", "c.check.json:1:29: \"environment.builtin\" is the string \"countng\"; use one of \"counting\"")]
    [InlineData("""{"environment": {"builtin": "counting", "target": 9}}""", "\"environment.target\" must be an integer from 0 to 8, found the number 9")]
    [InlineData("""{"environment": {"file": "absent.json"}}""", "absent.json, which does not exist; give a path relative to the config's folder")]
    [InlineData("""{"environment": {"builtin": "counting"}, "seeds": []}""", "\"seeds\" has 0 entries; give 1 to 256 seeds")]
    [InlineData("""{"environment": {"builtin": "counting"}, "seeds": [1, 1]}""", "\"seeds\" repeats a seed")]
    [InlineData("""{"environment": {"builtin": "counting"}, "training": {"steps": -1}}""", "\"training.steps\" must be an integer from 0 to 10000000")]
    [InlineData("""{"environment": {"builtin": "counting"}, "prove": false, "thresholds": {"min_latents": 9}}""", "\"thresholds.min_latents\" needs the proof")]
    [InlineData("""{"seeds": [0]}""", "the config has no \"environment\"")]
    [InlineData("""{"environment": {"builtin": "counting"},}""", "invalid JSON")]
    [InlineData("", "c.check.json:1:1: the file is empty")]
    [InlineData("""{"environment": {"builtin": "counting"}, "model": {"encoder": "cnn"}}""", "\"model.encoder\" is the string \"cnn\"; use one of \"auto\"")]
    [InlineData("""{"environment": {"builtin": "counting"}, "model": {"stages": [16, 0]}}""", "\"model.stages\" must be an integer from 1 to 4096")]
    [InlineData("""{"environment": {"builtin": "counting"}, "model": {"stages": []}}""", "\"model.stages\" is empty")]
    [InlineData("""{"environment": {"builtin": "counting"}, "training": {"horizon": 0}}""", "\"training.horizon\" must be an integer from 1 to 64")]
    [InlineData("""{"environment": {"builtin": "counting"}, "model": {"encoder": "conv"}, "prove": false}""", "does not say its features are images")]
    public void ABadConfigIsOneLineWithThePlaceAndExitCode2(string text, string expected)
    {
        var junit = Path.Combine(Path.GetTempPath(), "jepa-verify-tests", Guid.NewGuid().ToString("N"), "junit.xml");
        var run = CliRun.Of("check", TestFiles.Write("c.check.json", text), "--junit", junit);
        Assert.Equal(2, run.ExitCode);
        Assert.Contains(expected, run.Error);
        Assert.Single(run.Error.TrimEnd('\n').Split('\n'));
        Assert.False(File.Exists(junit));
    }

    [Fact]
    public void TheImageExampleIsCertifiedWithTheConvolutionalEncoder()
    {
        // examples/counting-images.check.json: 18 images of 32×32, the defaults' encoder and multi-step losses (about 35 s).
        var run = CliRun.Of("check", TestFiles.Example("counting-images.check.json"), "--quiet");
        Assert.Equal(0, run.ExitCode);
        Assert.Contains("(convolutional encoder on 3x32x32 images)", run.Out, StringComparison.Ordinal);
        Assert.Contains("[pass] certify[seed=1]: certified: 144 of 144", run.Out, StringComparison.Ordinal);
    }

    [Fact]
    public void TheImageEnvironmentIsReadByTheConvolutionalEncoderUnlessTheConfigAsksForTheMlp()
    {
        const string Config = """
            {"environment": {"builtin": "counting-images", "families": 1, "layouts": 1, "size": 32}, "prove": false,
             "model": {"latent_dim": 8, "stages": [4, 8]ENCODER}, "training": {"steps": 20}}
            """;
        var conv = CliRun.Of("check", TestFiles.Write("conv.check.json", Config.Replace("ENCODER", "", StringComparison.Ordinal)), "--quiet");
        Assert.Contains(" steps (convolutional encoder on 3x32x32 images)", conv.Out, StringComparison.Ordinal);
        var mlp = CliRun.Of("check", TestFiles.Write("mlp.check.json", Config.Replace("ENCODER", ", \"encoder\": \"mlp\"", StringComparison.Ordinal)), "--quiet");
        Assert.Contains("[pass] train[seed=0]:", mlp.Out, StringComparison.Ordinal);
        Assert.DoesNotContain("convolutional", mlp.Out, StringComparison.Ordinal);
    }

    private static string CopyExamples()
    {
        var dir = Path.Combine(Path.GetTempPath(), "jepa-verify-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        foreach (var name in new[] { "counting.check.json", "counting.baseline.json", "counting.json" })
        {
            File.Copy(TestFiles.Example(name), Path.Combine(dir, name));
        }

        return dir;
    }

    private sealed class Unknown : ISolver
    {
        public string Name => "stub";

        public SolverResult Run(string smtLib, IReadOnlyList<string> values, SolverOptions options) =>
            new("stub", SolverStatus.Unknown, "timeout", ImmutableDictionary<string, string>.Empty, TimeSpan.Zero, [SolverStatus.Unknown]);
    }
}
