using System.Text;
using Jepa.Verify.Mdp.Tests;
using Xunit;

namespace Jepa.Verify.Cli.Tests;

/// <summary>
/// Tests for <see cref="CliApp"/> on the defects of issue #12, one test each: inputs and options the tool cannot
/// honour are exit 2 with one line, never exit 70 or a wrong answer.
/// </summary>
public sealed class ReaderDefectTests
{
    private const string NoActions = "{\"actions\": [], \"observations\": [{\"id\": \"a\", \"aux\": 0}, {\"id\": \"b\", \"aux\": 1}], \"transitions\": []}";

    private static void AssertOneLineError(CliRun run, string expected) => BadInputTests.AssertOneLineError(run, expected);

    [Fact]
    public void AnMdpWithNoActionsIsRefusedByProveAndSkippedByCheck()
    {
        var mdp = TestFiles.Write("none.json", NoActions);
        AssertOneLineError(CliRun.Of("prove", mdp), "has no actions");
        var aut = TestFiles.Write("none.aut", "des (0, 0, 2)\n");
        AssertOneLineError(CliRun.Of("prove", aut), "has no actions");

        var config = TestFiles.Write("none.check.json", "{\"name\": \"none\", \"environment\": {\"file\": \"none.json\"}, \"training\": {\"steps\": 20}, \"seeds\": [0]}");
        File.Copy(mdp, Path.Combine(Path.GetDirectoryName(config)!, "none.json"), overwrite: true);
        var junit = Path.Combine(Path.GetDirectoryName(config)!, "none.junit.xml");
        var run = CliRun.Of("check", config, "--junit", junit, "--quiet");
        Assert.NotEqual(70, run.ExitCode);
        Assert.DoesNotContain("internal error", run.Error);
        Assert.Contains("has no actions", File.ReadAllText(junit));
    }

    [Theory]
    [InlineData("check", "--junit")]
    [InlineData("check", "--markdown")]
    [InlineData("quotient", "--output")]
    [InlineData("train", "--save")]
    [InlineData("env", "--export")]
    [InlineData("prove", "--emit-smt2")]
    public void AnEmptyOutputPathIsRefused(string command, string option)
    {
        string[] args = command switch
        {
            "check" => ["check", TestFiles.Example("counting.check.json"), option, ""],
            "env" => ["env", "counting", option, ""],
            _ => [command, TestFiles.Example("counting.json"), option, ""],
        };
        AssertOneLineError(CliRun.Of(args), $"{option} was given an empty path");
    }

    [Fact]
    public void ATolerancePushingAuxValuesToInfinityIsRefusedNotMerged()
    {
        var mdp = TestFiles.Write("big.json", "{\"actions\": [\"a\"], \"observations\": [{\"id\": \"x\", \"aux\": 1e10}, {\"id\": \"y\", \"aux\": 2e10}], \"transitions\": [{\"from\": \"x\", \"action\": \"a\", \"to\": \"x\"}, {\"from\": \"y\", \"action\": \"a\", \"to\": \"y\"}]}");
        AssertOneLineError(CliRun.Of("explain", mdp, "x", "y", "--aux-tolerance", "1e-300"), "--aux-tolerance");
        var exact = CliRun.Of("explain", mdp, "x", "y");
        Assert.Equal(0, exact.ExitCode);
        Assert.Contains("not bisimilar", exact.Out);
    }

    [Fact]
    public void NumberIdsKeepTheirLiteralText()
    {
        var mdp = TestFiles.Write("ids.json", "{\"actions\": [\"a\"], \"observations\": [{\"id\": 9223372036854775807, \"aux\": 0}, {\"id\": 9007199254740992, \"aux\": 0}, {\"id\": 9007199254740993, \"aux\": 1}, {\"id\": 1e2, \"aux\": 0}, {\"id\": 100, \"aux\": 1}], \"transitions\": []}");
        var conditions = CliRun.Of("conditions", mdp);
        Assert.Contains("every id is declared once", conditions.Out);
        var run = CliRun.Of("explain", mdp, "9223372036854775807", "1e2", "--json");
        Assert.Equal(0, run.ExitCode);
        Assert.Contains("\"9223372036854775807\"", run.Out);
        Assert.Contains("1e2 and 100 are distinguishable", CliRun.Of("explain", mdp, "1e2", "100").Out);
    }

    [Fact]
    public void CheckRefusesAnUnwritableReportBeforeRunningThePipeline()
    {
        var blocker = TestFiles.Write("a-file", "x");
        var run = CliRun.Of("check", TestFiles.Example("counting.check.json"), "--junit", Path.Combine(blocker, "r.xml"));
        AssertOneLineError(run, "--junit: cannot write");
        Assert.DoesNotContain("train", run.Error);
    }

    [Fact]
    public void FeaturesBeyondFloat32AreRefusedAndUnderflowingOnesReported()
    {
        var huge = TestFiles.Write("huge.json", "{\"actions\": [], \"observations\": [{\"id\": \"a\", \"aux\": 0, \"features\": [1, 1e39]}], \"transitions\": []}");
        AssertOneLineError(CliRun.Of("conditions", huge), "beyond the float32 range");
        var tiny = TestFiles.Write("tiny.json", "{\"actions\": [\"a\"], \"observations\": [{\"id\": \"a\", \"aux\": 0, \"features\": [1e-50]}, {\"id\": \"b\", \"aux\": 1, \"features\": [2e-50]}], \"transitions\": [{\"from\": \"a\", \"action\": \"a\", \"to\": \"a\"}, {\"from\": \"b\", \"action\": \"a\", \"to\": \"b\"}]}");
        var run = CliRun.Of("conditions", tiny);
        Assert.Contains("'b' has the same features as 'a' (as float32) although their aux values differ", run.Out);
    }

    [Fact]
    public void CsvWhitespaceNanAndInfinityFollowTheDocumentedRules()
    {
        var aux = TestFiles.Write("aux7.csv", "id,aux\r\n a ,1\r\n\" b \",\r\ninf,inf\r\nc,-Infinity\r\n");
        var data = TestFiles.Write("t7.csv", "from,action,to\r\na,go,\" b \"\r\n");
        var run = CliRun.Of("conditions", data, "--aux-file", aux);
        Assert.Contains("3 NaN or infinite", run.Out);
        AssertOneLineError(CliRun.Of("conditions", data, "--aux-file", TestFiles.Write("aux7b.csv", "id,aux\na,1e309\n")), "out of range");
        AssertOneLineError(CliRun.Of("conditions", TestFiles.Write("t7b.csv", "from,action,to\nb,go,a\n"), "--aux-file", aux), "unknown observation 'b'");
    }

    [Fact]
    public void IdsAuxTimeoutAndUtf16AreShownAndNamedProperly()
    {
        var mdp = TestFiles.Write("ctl.json", "{\"actions\": [\"a\"], \"observations\": [{\"id\": \"x\\u001b[31my\", \"aux\": -0.0}], \"transitions\": [{\"from\": \"x\\u001b[31my\", \"action\": \"a\", \"to\": \"x\\u001b[31my\"}]}");
        var classes = CliRun.Of("classes", mdp);
        Assert.DoesNotContain("\u001b", classes.Out);
        Assert.Contains("x\\u001B[31my", classes.Out);
        Assert.Contains("aux 0)", classes.Out);
        Assert.DoesNotContain("aux -0", classes.Out);
        AssertOneLineError(CliRun.Of("prove", TestFiles.Example("counting.json"), "--timeout", "0"), "must be more than 0 and at most 86400");

        var utf16 = TestFiles.WriteBytes("u16.csv", [.. Encoding.Unicode.GetPreamble(), .. Encoding.Unicode.GetBytes("id,aux\r\ns0,0\r\ns1,1\r\n")]);
        var data = TestFiles.Write("t8.csv", "from,action,to\ns0,a,s1\ns1,a,s1\n");
        Assert.Equal(0, CliRun.Of("classes", data, "--aux-file", utf16).ExitCode);
        var bare = TestFiles.WriteBytes("u16b.csv", Encoding.Unicode.GetBytes("id,aux\r\ns0,0\r\n"));
        AssertOneLineError(CliRun.Of("classes", data, "--aux-file", bare), "UTF-16 without a byte order mark");
    }

    [Fact]
    public void OneLinePrettyAndCrlfJsonGiveTheSameClassesInAnyKeyOrder()
    {
        const string oneLine = "{\"transitions\": [{\"to\": \"s1\", \"from\": \"s0\", \"action\": \"a\"}, {\"from\": \"s1\", \"action\": \"a\", \"to\": \"s0\"}], \"initial\": [\"s0\"], \"observations\": [{\"aux\": 0, \"id\": \"s0\"}, {\"id\": \"s1\", \"aux\": 0}], \"actions\": [\"a\"]}";
        var pretty = oneLine.Replace(", ", ",\n  ", StringComparison.Ordinal);
        var crlf = "\uFEFF" + pretty.Replace("\n", "\r\n", StringComparison.Ordinal);
        static string WithoutSource(string json) => string.Join('\n', json.Split('\n').Where(l => !l.Contains("\"source\"", StringComparison.Ordinal)));
        var expected = WithoutSource(CliRun.Of("classes", "--json", TestFiles.Write("one.json", oneLine)).Out);
        Assert.Contains("\"classes\": 1", expected);
        Assert.Equal(expected, WithoutSource(CliRun.Of("classes", "--json", TestFiles.Write("pretty.json", pretty)).Out));
        Assert.Equal(expected, WithoutSource(CliRun.Of("classes", "--json", TestFiles.Write("crlf.json", crlf)).Out));
    }
}
