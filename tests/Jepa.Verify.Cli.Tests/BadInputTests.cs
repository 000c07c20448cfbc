using Jepa.Verify.Mdp.Formats;
using Jepa.Verify.Mdp.Tests;
using Xunit;

namespace Jepa.Verify.Cli.Tests;

/// <summary>Tests for <see cref="CliApp"/>: every bad input or usage is one line on stderr and exit code 2.</summary>
public sealed class BadInputTests
{
    /// <summary>Exit 2, nothing on stdout, and one line on stderr holding <paramref name="expected"/> (no stack trace).</summary>
    internal static void AssertOneLineError(CliRun run, string expected)
    {
        Assert.Equal(2, run.ExitCode);
        Assert.Equal("", run.Out);
        Assert.StartsWith("error: ", run.Error);
        Assert.Equal(1, run.Error.Count(c => c == '\n'));
        Assert.Contains(expected, run.Error);
        Assert.DoesNotContain("   at ", run.Error);
    }

    [Theory]
    [InlineData("m.json", "", ":1:1: the file is empty")]
    [InlineData("m.json", "{\"actions\": [\"a\"], \"observations\": [{\"id\": \"s\", \"aux\"", ":1:")]
    [InlineData("m.json", "{\"actions\": [], \"observations\": [{\"id\": \"s\", \"aux\": 1}], \"transitions\": [{\"from\": \"s\", \"action\": \"a\", \"to\": \"s\"}]}", "unknown action 'a'")]
    [InlineData("m.json", "{\"actions\": [\"a\"], \"observations\": [{\"id\": \"s\", \"aux\": 1}], \"transitions\": [{\"from\": \"s\", \"action\": \"a\", \"to\": \"t\"}]}", "unknown observation 't'")]
    [InlineData("m.aut", "des 0 1 2\n", ":1: bad header")]
    [InlineData("m.aut", "des (0, 3, 2)\n(0, a, 1)\n", "declares 3 transitions but the file has 1")]
    [InlineData("m.json", "{\"actions\": [\"a\"], \"observations\": [{\"id\": \"s\", \"aux\": 0}, {\"id\": \"t\", \"aux\": 0}], \"transitions\": [{\"from\": \"s\", \"action\": \"a\", \"to\": \"s\"}, {\"from\": \"s\", \"action\": \"a\", \"to\": \"t\"}]}", "determinism fails: 's' has 2 successors under 'a'")]
    [InlineData("m.json", "{\"actions\": [], \"observations\": [{\"id\": \"s\"}], \"transitions\": []}", "aux fails: 's' has no aux value")]
    public void MalformedFilesFailWithOneLine(string name, string content, string expected)
    {
        var path = TestFiles.Write(name, content);
        foreach (var command in new[] { "classes", "explain", "quotient", "audit" })
        {
            string[] args = command == "explain" ? [command, path, "s", "s"] : [command, path];
            var run = CliRun.Of(args);
            AssertOneLineError(run, path);
            Assert.Contains(expected, run.Error);
        }
    }

    [Fact]
    public void ConditionsReportsInsteadOfFailingOnHypothesisProblems()
    {
        var path = TestFiles.Write("nan.csv", "id,aux\ncount0,NaN\n");
        var run = CliRun.Of("conditions", TestFiles.Example("counting.json"), "--aux-file", path);
        Assert.Equal(1, run.ExitCode);
        Assert.Contains("aux           FAIL", run.Out);
        AssertOneLineError(CliRun.Of("classes", TestFiles.Example("counting.json"), "--aux-file", path), "'count0' has the aux value NaN");
    }

    [Fact]
    public void BinaryGarbageIsRefused()
    {
        var path = TestFiles.WriteBytes("g.aut", [0xDE, 0xAD, 0x00, 0xBE, 0xEF]);
        AssertOneLineError(CliRun.Of("classes", path), "binary, or UTF-16");
        var json = TestFiles.WriteBytes("g.json", [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A]);
        AssertOneLineError(CliRun.Of("classes", json), "g.json:1:");
    }

    [Fact]
    public void MissingFilesAndUnknownFormatsAreNamed()
    {
        AssertOneLineError(CliRun.Of("classes", "/nonexistent/m.json"), "/nonexistent/m.json: file not found");
        AssertOneLineError(CliRun.Of("classes", TestFiles.Write("m.txt", "{}")), "pass --format json|csv|aut");
        AssertOneLineError(CliRun.Of("classes", TestFiles.Example("counting-walk/transitions.csv")), "needs an aux file");
    }

    [Theory]
    [InlineData(new string[0], "Required command was not provided")]
    [InlineData(new[] { "frobnicate" }, "Unrecognized command or argument 'frobnicate'")]
    [InlineData(new[] { "classes" }, "Required argument missing for command: 'classes'")]
    [InlineData(new[] { "classes", "x.json", "--bogus" }, "Unrecognized command or argument '--bogus'")]
    [InlineData(new[] { "classes", "x.json", "--missing", "maybe" }, "maybe")]
    [InlineData(new[] { "bench", "bisim", "--states", "many" }, "many")]
    public void UsageErrorsFailWithOneLine(string[] args, string expected)
    {
        var run = CliRun.Of(args);
        AssertOneLineError(run, expected);
        Assert.Contains("--help'", run.Error);
    }

    [Fact]
    public void AUsageErrorInASubcommandPointsToThatSubcommandsHelp()
    {
        var run = CliRun.Of("env", "gridworld", "--size", "x");
        AssertOneLineError(run, "'x'");
        Assert.EndsWith("; see 'jepa-verify env gridworld --help'", run.Error.Trim(), StringComparison.Ordinal);
        Assert.EndsWith("; see 'jepa-verify bench bisim --help'", CliRun.Of("bench", "bisim", "--states", "many").Error.Trim(), StringComparison.Ordinal);
    }

    [Fact]
    public void OptionValuesAreValidatedBeforeWork()
    {
        var counting = TestFiles.Example("counting.json");
        AssertOneLineError(CliRun.Of("classes", counting, "--aux-tolerance", "-1"), "--aux-tolerance must be a finite number >= 0");
        AssertOneLineError(CliRun.Of("classes", counting, "--max-pairs", "0"), "--max-pairs must be at least 1");
        AssertOneLineError(CliRun.Of("explain", counting, "count0", "nobody"), "unknown observation 'nobody'");
        AssertOneLineError(CliRun.Of("conditions", counting, "--initial", "nobody"), "unknown observation 'nobody'");
        AssertOneLineError(CliRun.Of("classes", counting, "--aux-file", "a.csv", "--aux-file", "b.csv"), "--aux-file was given 2 times; this command takes at most 1");
        AssertOneLineError(CliRun.Of("audit", counting, "--aux-file", "a.csv", "--aux-file", "b.csv", "--aux-file", "c.csv"), "this command takes at most 2");
    }

    [Fact]
    public void TheRelationLimitIsAOneLineError()
    {
        var walk = TestFiles.Example("counting-walk/transitions.csv");
        AssertOneLineError(CliRun.Of("classes", walk, "--aux-file", TestFiles.Example("counting-walk/aux.csv"), "--max-pairs", "10"), "has 36 pairs, more than the limit of 10; use --missing sink");
    }

    [Fact]
    public void FilesLargerThanTheReadLimitAreRefusedBeforeReading()
    {
        // Sparse files: the size is there, the disk blocks are not.
        foreach (var name in new[] { "huge.json", "huge.aut", "huge.check.json" })
        {
            var path = TestFiles.Write(name, "");
            using (var stream = File.OpenWrite(path))
            {
                stream.SetLength(TextFile.MaxBytes + 1);
            }

            var command = name.EndsWith(".check.json", StringComparison.Ordinal) ? "check" : "classes";
            var run = CliRun.Of(command, path);
            AssertOneLineError(run, path);
            Assert.Contains(command == "check" ? "more than the 1048576 a config may have" : "MiB this tool reads into memory here", run.Error);
            File.Delete(path);
        }
    }

    [Fact]
    public void HelpIsAvailableForEveryCommand()
    {
        var root = CliRun.Of("--help");
        Assert.Equal(0, root.ExitCode);
        foreach (var command in new[] { "demo", "conditions", "classes", "explain", "audit", "quotient", "prove", "solve", "train", "check", "env", "experiment", "bench" })
        {
            Assert.Contains(command, root.Out);
            var help = CliRun.Of(command, "--help");
            Assert.Equal(0, help.ExitCode);
            Assert.Contains("Usage:", help.Out);
        }

        Assert.Contains("--missing", CliRun.Of("classes", "--help").Out);
        Assert.Contains("--aux-values", CliRun.Of("bench", "bisim", "--help").Out);
    }
}
