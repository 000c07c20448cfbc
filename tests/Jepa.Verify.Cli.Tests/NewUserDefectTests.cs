using System.Diagnostics;
using System.Text;
using Jepa.Verify.Mdp.Tests;
using Xunit;

namespace Jepa.Verify.Cli.Tests;

/// <summary>
/// Tests for <see cref="CliApp"/> on the defects found by trying every command as a new user would (issue #26), one test
/// per defect, named by its letter: no wrong answer, no clobbered file, no exit 70.
/// </summary>
public sealed class NewUserDefectTests
{
    private const string TwoSelfLoops = "{\"actions\": [\"a\"], \"observations\": [{\"id\": \"x\", \"aux\": AX}, {\"id\": \"y\", \"aux\": AY}], \"transitions\": [{\"from\": \"x\", \"action\": \"a\", \"to\": \"x\"}, {\"from\": \"y\", \"action\": \"a\", \"to\": \"y\"}]}";

    private static void AssertOneLineError(CliRun run, string expected) => BadInputTests.AssertOneLineError(run, expected);

    private static string Mdp(string name, string ax, string ay) => TestFiles.Write(name, TwoSelfLoops.Replace("AX", ax, StringComparison.Ordinal).Replace("AY", ay, StringComparison.Ordinal));

    /// <summary>A FIFO fed with <paramref name="content"/> by a background writer, as <c>&lt;(cat file)</c> gives a command.</summary>
    private static string Fifo(string name, string content)
    {
        var path = MakeFifo(Path.Combine(Path.GetDirectoryName(TestFiles.Write("fifo-dir.txt", ""))!, name));
        _ = Task.Run(() => File.WriteAllText(path, content));
        return path;
    }

    private static string MakeFifo(string path)
    {
        using var mkfifo = Process.Start("mkfifo", path)!;
        mkfifo.WaitForExit();
        Assert.Equal(0, mkfifo.ExitCode);
        return path;
    }

    [Fact]
    public void DefectA_PipesAndFifosAreReadLikeFiles()
    {
        var fifo = Fifo("counting.json", File.ReadAllText(TestFiles.Example("counting.json")));
        var run = CliRun.Of("classes", fifo, "--format", "json");
        Assert.Equal(0, run.ExitCode);
        Assert.Contains("9 bisimulation classes", run.Out);

        var aut = Fifo("counting.aut", File.ReadAllText(TestFiles.Example("counting.aut")));
        var aux = Fifo("aux.csv", File.ReadAllText(TestFiles.Example("counting-aut-aux.csv")));
        var withAux = CliRun.Of("classes", aut, "--format", "aut", "--aux-file", aux);
        Assert.Equal(0, withAux.ExitCode);
        Assert.Contains("9 bisimulation classes", withAux.Out);

        var broken = Fifo("broken.json", "{\"actions\": [\"a\"],\n \"observations\": [oops]}");
        AssertOneLineError(CliRun.Of("classes", broken, "--format", "json"), "broken.json:2:");
    }

    [Fact]
    public void DefectB_ControlCharactersInNamesAndIdsAreEscapedInJUnit()
    {
        var dir = Path.GetDirectoryName(TestFiles.Write("placeholder", ""))!;
        File.Copy(TestFiles.Example("counting.json"), Path.Combine(dir, "counting.json"));
        var config = Path.Combine(dir, "ctl.check.json");
        File.WriteAllText(config, "{\"name\": \"a\\u0001b\", \"environment\": {\"file\": \"counting.json\"}, \"training\": {\"steps\": 10}, \"seeds\": [0], \"thresholds\": {\"classes\": 3}}");
        var junit = Path.Combine(dir, "out.xml");
        var run = CliRun.Of("check", config, "--junit", junit, "--quiet");
        Assert.Equal(1, run.ExitCode);
        var xml = File.ReadAllText(junit);
        Assert.Contains("a\\u0001b", xml);
        Assert.NotNull(System.Xml.Linq.XDocument.Parse(xml));
    }

    [Fact]
    public void DefectC_WidthsBeyondTheLimitAreRefusedUpFrontWithTheirCost()
    {
        var run = CliRun.Of("train", TestFiles.Example("counting.json"), "--latent-dim", "100000");
        AssertOneLineError(run, "latent dimension must be 1 to 4,096, got 100,000");
        Assert.Contains("160 GB", run.Error);
        AssertOneLineError(CliRun.Of("train", TestFiles.Example("counting.json"), "--hidden-dim", "20000"), "hidden dimension must be 1 to 4,096");
    }

    [Fact]
    public void DefectD_MoreLatentsThanObservationsAreRefusedBeforeTheQueryIsBuilt()
    {
        var clock = Stopwatch.StartNew();
        AssertOneLineError(CliRun.Of("prove", TestFiles.Example("counting.json"), "--latents", "200000", "--timeout", "1"), "more than the 9 observations");
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(20), $"refusing took {clock.Elapsed}");
        AssertOneLineError(CliRun.Of("prove", "--general", "--latents", "3"), "--latents asks about a file's finite abstraction");
    }

    [Fact]
    public void DefectE_AnOutputNamingAnInputOrAnotherOutputIsRefusedBeforeAnyWork()
    {
        var mdp = TestFiles.Write("g.json", File.ReadAllText(TestFiles.Example("gridworld.json")));
        var before = File.ReadAllText(mdp);
        AssertOneLineError(CliRun.Of("quotient", mdp, "-o", mdp), "is the input MDP");
        Assert.Equal(before, File.ReadAllText(mdp));

        var dir = Path.GetDirectoryName(mdp)!;
        File.Copy(TestFiles.Example("counting.json"), Path.Combine(dir, "counting.json"));
        var config = Path.Combine(dir, "c.check.json");
        var configText = "{\"environment\": {\"file\": \"counting.json\"}, \"training\": {\"steps\": 10}, \"seeds\": [0]}";
        File.WriteAllText(config, configText);
        var out1 = Path.Combine(dir, "report.txt");
        AssertOneLineError(CliRun.Of("check", config, "--junit", out1, "--markdown", out1, "--quiet"), "--markdown and --junit both name");
        Assert.False(File.Exists(out1));
        AssertOneLineError(CliRun.Of("check", config, "--junit", config, "--quiet"), "is the config");
        AssertOneLineError(CliRun.Of("check", config, "--junit", Path.Combine(dir, "counting.json"), "--quiet"), "is the environment file");
        Assert.Equal(configText, File.ReadAllText(config));
        AssertOneLineError(CliRun.Of("train", mdp, "--save", mdp, "--steps", "10"), "is the input MDP");
        Assert.Equal(before, File.ReadAllText(mdp));
    }

    [Fact]
    public async Task DefectF_SymbolicLinksAreWrittenThroughAndDevicesInPlace()
    {
        var target = TestFiles.Write("target.json", "old");
        var link = Path.Combine(Path.GetDirectoryName(target)!, "link.json");
        File.CreateSymbolicLink(link, target);
        Assert.Equal(0, CliRun.Of("quotient", TestFiles.Example("gridworld.json"), "-o", link).ExitCode);
        Assert.NotNull(new FileInfo(link).LinkTarget);
        Assert.StartsWith("{\"description\":\"quotient of", File.ReadAllText(target));

        Assert.Equal(0, CliRun.Of("quotient", TestFiles.Example("gridworld.json"), "-o", "/dev/null").ExitCode);
        Assert.Null(new FileInfo("/dev/null").LinkTarget);
        Assert.Equal(0, new FileInfo("/dev/null").Length);
        Assert.True(Jepa.Verify.Mdp.Formats.AtomicFile.IsSpecial("/dev/null"));
        Assert.Empty(Directory.GetFiles("/dev", ".null.*"));

        var fifo = MakeFifo(Path.Combine(Path.GetDirectoryName(target)!, "out.fifo"));

        var reader = Task.Run(() => File.ReadAllText(fifo));
        Assert.Equal(0, CliRun.Of("quotient", TestFiles.Example("gridworld.json"), "-o", fifo).ExitCode);
        Assert.StartsWith("{\"description\"", await reader);
        Assert.True(Jepa.Verify.Mdp.Formats.AtomicFile.IsSpecial(fifo));
    }

    [Fact]
    public void DefectG_TrainChecksSaveBeforeTraining()
    {
        var dir = Path.GetDirectoryName(TestFiles.Write("x", ""))!;
        var clock = Stopwatch.StartNew();
        AssertOneLineError(CliRun.Of("train", TestFiles.Example("counting.json"), "--save", dir), "is a directory");
        AssertOneLineError(CliRun.Of("train", TestFiles.Example("counting.json"), "--save", Path.Combine(TestFiles.Write("a-file", ""), "model.bin")), "--save");
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"refusing took {clock.Elapsed}");
    }

    [Fact]
    public void DefectH_AHeadWithoutACertificateIsInconclusiveNotAPass()
    {
        // The paper's preset at 40 steps: apart, its two-hot head bounded but not every pair certified: exit 3, not 0.
        var run = CliRun.Of("train", TestFiles.Example("counting.json"), "--steps", "40", "--preset", "paper", "--quiet");
        Assert.Equal(3, run.ExitCode);
        Assert.Contains("apart, not certified", run.Out);
    }

    [Fact]
    public void DefectI_AThresholdTheSkippedProofWouldCheckFails()
    {
        var text = File.ReadAllText(TestFiles.Example("counting.json"));
        var dropped = System.Text.RegularExpressions.Regex.Replace(text, "\\{\"from\": \"count3\", \"action\": \"inc\", \"to\": \"count4\"\\},?\\s*", "", System.Text.RegularExpressions.RegexOptions.None, TimeSpan.FromSeconds(1));
        Assert.NotEqual(text, dropped);
        var mdp = TestFiles.Write("counting.json", dropped);
        var config = Path.Combine(Path.GetDirectoryName(mdp)!, "p.check.json");
        File.WriteAllText(config, "{\"environment\": {\"file\": \"counting.json\"}, \"training\": {\"steps\": 10}, \"seeds\": [0], \"prove\": true, \"thresholds\": {\"min_latents\": 3}}");
        var run = CliRun.Of("check", config, "--quiet");
        Assert.Equal(1, run.ExitCode);
        Assert.Contains("thresholds.min_latents 3 could not be checked", run.Out);
    }

    [Theory]
    [InlineData("9007199254740993", "9007199254740992", "has more precision than a double holds")]
    [InlineData("1e-400", "0", "underflows to 0")]
    [InlineData("0.1000000000000000000001", "0.1", "has more precision than a double holds")]
    public void DefectJ_AuxLiteralsThatADoubleCannotHoldAreRefusedNotMerged(string a, string b, string expected)
    {
        AssertOneLineError(CliRun.Of("classes", Mdp("big.json", a, b)), expected);
        var data = TestFiles.Write("t.csv", "from,action,to\nx,a,x\ny,a,y\n");
        AssertOneLineError(CliRun.Of("classes", data, "--aux-file", TestFiles.Write("aux.csv", $"id,aux\nx,{a}\ny,{b}\n")), expected);
        var fine = CliRun.Of("classes", Mdp("ok.json", "0.1", "1e-5"));
        Assert.Equal(0, fine.ExitCode);
        Assert.Contains("2 bisimulation classes", fine.Out);
    }

    [Fact]
    public void DefectK_AnEmptyFeatureListHasOneMeaning_Refused()
    {
        var path = TestFiles.Write("f.json", "{\"actions\": [\"a\"], \"observations\": [{\"id\": \"x\", \"aux\": 0, \"features\": []}], \"transitions\": [{\"from\": \"x\", \"action\": \"a\", \"to\": \"x\"}]}");
        foreach (var command in new[] { "conditions", "classes", "train" })
        {
            AssertOneLineError(CliRun.Of(command, path), "\"features\" is an empty list");
        }
    }

    [Fact]
    public void DefectL_EveryHelpStatesItsExitCodes()
    {
        foreach (var command in new[] { "demo", "conditions", "classes", "explain", "audit", "quotient", "prove", "solve", "train", "assess", "check" })
        {
            var help = CliRun.Of(command, "--help").Out;
            Assert.Contains("Exit 0", help.ReplaceLineEndings(" "));
        }

        Assert.Contains("3 apart but short of --require", CliRun.Of("assess", "--help").Out.ReplaceLineEndings(" ").Replace("  ", " ", StringComparison.Ordinal));
        Assert.Contains("70 a bug", CliRun.Of("--help").Out.ReplaceLineEndings(" "));
    }

    [Theory]
    [InlineData("json")]
    [InlineData("aut")]
    public void DefectM_Utf16WithAByteOrderMarkIsReadByEveryReader(string format)
    {
        var text = File.ReadAllText(TestFiles.Example(format == "json" ? "counting.json" : "counting.aut"));
        var path = TestFiles.WriteBytes("u16." + format, [.. Encoding.Unicode.GetPreamble(), .. Encoding.Unicode.GetBytes(text)]);
        var args = format == "aut" ? new[] { "classes", path, "--aux-file", TestFiles.Example("counting-aut-aux.csv") } : ["classes", path];
        var run = CliRun.Of(args);
        Assert.Equal(0, run.ExitCode);
        Assert.Contains("9 bisimulation classes", run.Out);

        var bare = TestFiles.WriteBytes("bare." + format, Encoding.Unicode.GetBytes(text));
        AssertOneLineError(CliRun.Of("classes", bare), "UTF-16 without a byte order mark");
    }

    [Fact]
    public void DefectN_SolveReportsEachFileOnItsOwn()
    {
        var ok = TestFiles.Write("ok.smt2", "; expected: sat\n(declare-const x Int)\n(assert (> x 0))\n(check-sat)\n");
        var bad = TestFiles.Write("bad.smt2", "(declare-const x Int)\n(assert (> x 0)\n(foo)\n(check-sat)\n");
        var run = CliRun.Of("solve", ok, bad);
        Assert.Equal(2, run.ExitCode);
        Assert.Contains($"{ok}: sat", run.Out);
        Assert.StartsWith($"error: {bad}", run.Error);
    }

    [Fact]
    public void DefectO_HintsNameTheAuxFileTheyNeed()
    {
        var data = TestFiles.Write("t.csv", "from,action,to\na,go,b\nb,go,a\n");
        var aux = TestFiles.Write("a.csv", "id,aux\na,0\nb,0\n");
        Assert.Equal($"{data} --aux-file {aux}", Jepa.Verify.Mdp.Formats.MdpLoader.Load(data, null, aux).Arguments);
        Assert.Equal("'my file.json'", Jepa.Verify.Mdp.MdpModel.ShellWord("my file.json"));
    }

    [Fact]
    public void DefectP_AuxBeyondWhatFloat32TrainingCanSquareIsRefused()
    {
        AssertOneLineError(CliRun.Of("train", Mdp("huge.json", "1e30", "0"), "--steps", "10"), "rescale the aux values");
    }

    [Fact]
    public void DefectR_DirectoriesAreNamedAsDirectories()
    {
        var dir = Path.GetDirectoryName(TestFiles.Write("x", ""))!;
        AssertOneLineError(CliRun.Of("quotient", TestFiles.Example("gridworld.json"), "-o", dir), "is a directory");
        AssertOneLineError(CliRun.Of("assess", TestFiles.Example("counting.json"), "--encoder", dir), "is a directory");
    }

    [Fact]
    public void ParserMessagesSayTypesInWordsWithoutTabs()
    {
        var steps = CliRun.Of("train", "x.json", "--steps", "abc");
        AssertOneLineError(steps, "as an integer");
        Assert.DoesNotContain("System.", steps.Error);
        Assert.DoesNotContain("\t", CliRun.Of("classes", "x.json", "--format", "xml").Error);
    }

    [Fact]
    public void InitialIdsMayHoldCommas()
    {
        var path = TestFiles.Write("c.json", "{\"actions\": [\"a\"], \"observations\": [{\"id\": \"x\", \"aux\": 0}, {\"id\": \"b,c\", \"aux\": 1}], \"transitions\": [{\"from\": \"x\", \"action\": \"a\", \"to\": \"b,c\"}, {\"from\": \"b,c\", \"action\": \"a\", \"to\": \"b,c\"}]}");
        var run = CliRun.Of("conditions", path, "--initial", "b,c");
        Assert.Equal(0, run.ExitCode);
        Assert.Contains("initial set {b,c}", run.Out);
    }

    [Fact]
    public void AssessRefusesOneHeadAlone()
    {
        var fixtures = Path.Combine(TestFiles.Root, "tests", "Jepa.Verify.Pipeline.Tests", "Fixtures");
        var encoder = Directory.GetFiles(fixtures, "encoder*.onnx").First();
        var transition = Directory.GetFiles(fixtures, "transition*.onnx").First();
        AssertOneLineError(CliRun.Of("assess", TestFiles.Example("counting.json"), "--encoder", encoder, "--transition", transition), "--transition was given alone");
    }

    [Fact]
    public void UncertifiedPairsAreListedShortestWitnessFirstWithTheirWitness()
    {
        var run = CliRun.Of("train", TestFiles.Example("counting.json"), "--steps", "100", "--step-cap", "100", "--quiet");
        Assert.Equal(3, run.ExitCode);
        var lines = run.Out.Split('\n').Where(l => l.StartsWith("  not certified: ", StringComparison.Ordinal)).ToArray();
        Assert.NotEmpty(lines);
        Assert.All(lines, l => Assert.Contains("they reach", l));
        var lengths = lines.Select(l => l[(l.IndexOf("after [", StringComparison.Ordinal) + 7)..l.IndexOf(']', StringComparison.Ordinal)].Split(", ").Length).ToArray();
        Assert.Equal(lengths.Order(), lengths);
    }

    [Fact]
    public void AssessListsEveryPairWithPairs()
    {
        var fixtures = Path.Combine(TestFiles.Root, "tests", "Jepa.Verify.Pipeline.Tests", "Fixtures");
        var run = CliRun.Of("assess", TestFiles.Example("counting.json"), "--encoder", Path.Combine(fixtures, "encoder.onnx"),
            "--transition", Path.Combine(fixtures, "transition.onnx"), "--aux-head", Path.Combine(fixtures, "aux_head.onnx"), "--pairs");
        Assert.Equal(0, run.ExitCode);
        Assert.Equal(36, run.Out.Split('\n').Count(l => l.StartsWith("  pair ", StringComparison.Ordinal)));
    }

    [Fact]
    public void AnIdHoldingANewlineNeverBreaksAReportLine()
    {
        var path = TestFiles.Write("nl.json", "{\"actions\": [\"a\"], \"observations\": [{\"id\": \"a\\nb\", \"aux\": 0}, {\"id\": \"c\", \"aux\": 1}], \"transitions\": [{\"from\": \"a\\nb\", \"action\": \"a\", \"to\": \"c\"}, {\"from\": \"c\", \"action\": \"a\", \"to\": \"c\"}]}");
        var classes = CliRun.Of("classes", path, "--witnesses");
        Assert.Equal(0, classes.ExitCode);
        Assert.Contains("  class 0 (1, aux 0): a\\nb\n", classes.Out);
        Assert.Contains("  a\\nb vs c: aux differs at once", classes.Out);
        Assert.Contains("'a\\nb' is unreachable", CliRun.Of("conditions", path, "--initial", "c").Out);
        Assert.Equal("a\nb", CliRun.Of("classes", path, "--json").Json.GetProperty("partition")[0][0].GetString()); // JSON keeps the id
    }

    [Fact]
    public void IdsThatPrintAlikeButDifferAreShownAsCodePoints()
    {
        var path = TestFiles.Write("n.json", "{\"actions\": [\"a\"], \"observations\": [{\"id\": \"\u00e9\", \"aux\": 0}], \"transitions\": [{\"from\": \"\u00e9\", \"action\": \"a\", \"to\": \"\u00e9\"}]}");
        var run = CliRun.Of("explain", path, "e\u0301", "e\u0301");
        AssertOneLineError(run, "unknown observation 'e\u0301' (code points U+0065 U+0301)");
        Assert.Contains("'\u00e9' (code points U+00E9)", run.Error);
        AssertOneLineError(CliRun.Of("classes", path, "--aux-file", TestFiles.Write("aux.csv", "id,aux\ne\u0301,1\n")), "(code points U+0065 U+0301) is not in");
    }

    [Fact]
    public void BidiControlsInIdsAreShownEscaped()
    {
        Assert.Equal("a\\u202Eb", Jepa.Verify.Mdp.OneLine.Escape("a\u202Eb"));
    }
}
