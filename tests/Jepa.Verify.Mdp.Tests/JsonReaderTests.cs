using Jepa.Verify.Mdp.Formats;
using Xunit;

namespace Jepa.Verify.Mdp.Tests;

/// <summary>Tests for <see cref="MdpJsonReader"/>.</summary>
public sealed class JsonReaderTests
{
    private const string Small = """
        {"actions": ["go"],
         "observations": [{"id": "a", "aux": 1, "labels": {"kind": "x", "n": 2}, "features": [0.5, 1]},
                          {"id": "b", "aux": [0, 2]}],
         "transitions": [{"from": "a", "action": "go", "to": "b"}]}
        """;

    private static MdpFormatException Fails(string json, string name = "bad.json") =>
        Assert.Throws<MdpFormatException>(() => MdpJsonReader.Read(name, System.Text.Encoding.UTF8.GetBytes(json)));

    [Fact]
    public void ReadsTheCountingExample()
    {
        var mdp = MdpLoader.Load(TestFiles.Example("counting.json"));
        Assert.Equal(9, mdp.ObservationCount);
        Assert.Equal(["inc", "dec"], mdp.Actions.ToArray());
        Assert.Equal(18, mdp.Transitions.Length);
        Assert.Equal(AuxValue.Scalar(1), mdp.Aux[mdp.IndexOfObservation("count4")]);
        Assert.Equal("4", mdp.Labels["count"][mdp.IndexOfObservation("count4")]);
    }

    [Fact]
    public void ReadsLabelsFeaturesAndVectorAux()
    {
        var mdp = MdpJsonReader.Read("small.json", System.Text.Encoding.UTF8.GetBytes(Small));
        Assert.Equal("x", mdp.Labels["kind"][0]);
        Assert.Equal("2", mdp.Labels["n"][0]);
        Assert.Null(mdp.Labels["kind"][1]);
        Assert.Equal([0.5f, 1f], mdp.Features[0].ToArray());
        Assert.True(mdp.Features[1].IsDefault);
        Assert.Equal(2, mdp.Aux[1].Length);
        Assert.Equal(new Transition(0, 0, 1), mdp.Transitions[0]);
    }

    [Fact]
    public void KeepsDuplicateIdsForTheConditionChecker()
    {
        var mdp = MdpJsonReader.Read("dup.json", System.Text.Encoding.UTF8.GetBytes(
            """{"actions": ["go", "go"], "observations": [{"id": "a", "aux": 1}, {"id": "a", "aux": 2}], "transitions": []}"""));
        Assert.Equal(1, mdp.ObservationCount);
        Assert.Equal(AuxValue.Scalar(1), mdp.Aux[0]);
        Assert.Equal(2, mdp.Duplicates.Length);
        Assert.Contains(mdp.Duplicates, d => d.Kind == "observation" && d.Id == "a" && d.Repeated.Line == 1);
    }

    [Fact]
    public void AnObservationWithoutAuxHasAMissingValue()
    {
        var mdp = MdpJsonReader.Read("m.json", System.Text.Encoding.UTF8.GetBytes("""{"actions": [], "observations": [{"id": "a"}, {"id": 7, "aux": null}], "transitions": []}"""));
        Assert.True(mdp.Aux[0].IsMissing);
        Assert.True(mdp.Aux[1].IsMissing);
        Assert.Equal("7", mdp.Observations[1]);
    }

    [Theory]
    [InlineData("", "bad.json:1:1: the file is empty")]
    [InlineData("   \n  ", "bad.json:1:1: the file is empty")]
    [InlineData("{\"actions\": [\"a\"],\n \"observations\": [", "bad.json:2:")]
    [InlineData("{\"actions\": [], \"observations\": [{\"id\": \"a\", \"aux\": NaN}], \"transitions\": []}", "invalid JSON")]
    [InlineData("[1, 2]", "the top level must be an object")]
    [InlineData("{\"actions\": [], \"observations\": []}", "the MDP has no \"transitions\"")]
    [InlineData("{\"actions\": [], \"observations\": [], \"transitions\": [], \"transition\": []}", "unknown key \"transition\"")]
    [InlineData("{\"actions\": [], \"actions\": [], \"observations\": [], \"transitions\": []}", "key \"actions\" appears twice")]
    [InlineData("{\"actions\": [], \"observations\": [{\"id\": \"a\", \"aux\": \"high\"}], \"transitions\": []}", "\"aux\" must be a number or a list of numbers, found the string \"high\"")]
    [InlineData("{\"actions\": [], \"observations\": [{\"id\": \"a\", \"aux\": []}], \"transitions\": []}", "\"aux\" is an empty list")]
    [InlineData("{\"actions\": [], \"observations\": [{\"id\": \"a\", \"aux\": 1e400}], \"transitions\": []}", "out of range")]
    [InlineData("{\"actions\": [], \"observations\": [{\"id\": \"\", \"aux\": 1}], \"transitions\": []}", "an observation id is an empty string")]
    [InlineData("{\"actions\": [], \"observations\": [{\"id\": true, \"aux\": 1}], \"transitions\": []}", "an observation id must be a string")]
    [InlineData("{\"actions\": [], \"observations\": [{\"aux\": 1}], \"transitions\": []}", "this observation has no \"id\"")]
    [InlineData("{\"actions\": [\"go\"], \"observations\": [{\"id\": \"a\", \"aux\": 1}],\n\"transitions\": [{\"from\": \"a\", \"action\": \"go\", \"to\": \"z\"}]}", "bad.json:2:53: unknown observation 'z' in \"to\"")]
    [InlineData("{\"actions\": [\"go\"], \"observations\": [{\"id\": \"a\", \"aux\": 1}],\n\"transitions\": [{\"from\": \"a\", \"action\": \"jump\", \"to\": \"a\"}]}", "bad.json:2:41: unknown action 'jump'")]
    [InlineData("{\"actions\": [], \"observations\": [], \"transitions\": []} {}", "invalid JSON: '{' is invalid after a single JSON value")]
    public void MalformedInputGetsALocatedOneLineError(string json, string expected)
    {
        var ex = Fails(json);
        Assert.Contains(expected, ex.Message);
        Assert.StartsWith("bad.json", ex.Message);
        Assert.DoesNotContain('\n', ex.Message);
    }

    [Fact]
    public void AnUnknownIdQueuedForTheBatchedLookupIsStillTheFirstErrorReported()
    {
        // Observation ids of transitions are looked up in batches; an unknown one must still be reported
        // before a later error in the same batch, with its own place.
        var ex = Fails("{\"actions\": [\"go\"], \"observations\": [{\"id\": \"a\", \"aux\": 1}],\n\"transitions\": [{\"from\": \"a\", \"action\": \"go\", \"to\": \"z\"},\n{\"from\": \"a\", \"to\": \"a\"}]}");
        Assert.StartsWith("bad.json:2:53: unknown observation 'z' in \"to\"", ex.Message);
    }

    [Theory]
    [InlineData(511, 0, false)]
    [InlineData(511, 0, true)]
    [InlineData(512, 0, false)]
    [InlineData(3000, 0, false)]
    [InlineData(3000, 150, false)]
    [InlineData(512, 0, true)]
    [InlineData(3000, 0, true)]
    [InlineData(3000, 150, true)]
    public void BatchedLookupsKeepEveryTransitionInFileOrderAndLocateAnUnknownIdAnywhere(int transitions, int idPadding, bool threaded)
    {
        // Sources change every second transition (so a batch holds an odd number of queued ids now and then),
        // targets run backwards, and batches split the file: after 512 transitions, or, with long ids, once
        // 16 KiB of ids are queued. The model must equal the one built transition by transition, on one
        // thread or two (large files are read on two).
        var n = 700;
        var pad = new string('x', idPadding);
        var json = new System.Text.StringBuilder("{\"actions\": [\"a\", \"b\"], \"observations\": [");
        json.AppendJoin(", ", Enumerable.Range(0, n).Select(i => $"{{\"id\": \"o{i}{pad}\", \"aux\": {i % 3}}}"));
        json.Append("],\n\"transitions\": [");
        var expected = new List<Transition>();
        for (var t = 0; t < transitions; t++)
        {
            var (from, action, to) = (t / 2 * 7 % n, t / n % 2, n - 1 - (t % n));
            expected.Add(new Transition(from, action, to));
            json.Append(t == 0 ? "" : ",\n").Append($"{{\"from\": \"o{from}{pad}\", \"action\": \"{(action == 0 ? "a" : "b")}\", \"to\": \"o{to}{pad}\"}}");
        }

        var text = json + "]}";
        var mdp = MdpJsonReader.Read("big.json", System.Text.Encoding.UTF8.GetBytes(text), threaded);
        Assert.Equal(expected.Distinct(), mdp.Transitions);
        Assert.Equal(expected.Count - expected.Distinct().Count(), mdp.RepeatedTransitions);

        // The last transition's target renamed to an unknown id: reported on its own line, the file's last.
        var broken = text[..text.LastIndexOf("\"to\": \"o", StringComparison.Ordinal)] + "\"to\": \"nowhere\"}]}";
        var ex = Assert.Throws<MdpFormatException>(() => MdpJsonReader.Read("big.json", System.Text.Encoding.UTF8.GetBytes(broken), threaded));
        Assert.StartsWith($"big.json:{transitions + 1}:", ex.Message);
        Assert.Contains("unknown observation 'nowhere' in \"to\"", ex.Message);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void TheFirstErrorInTheFileIsReportedWhicheverThreadFindsIt(bool threaded)
    {
        // An unknown id (found by the worker that resolves ids) in transition 10, then a syntax error (found by the
        // tokeniser) in transition 2,000, several batches later: the unknown id is reported. Duplicate observations
        // in different batches are recorded the same way on one thread or two.
        var n = 1500;
        var json = new System.Text.StringBuilder("{\"actions\": [\"a\"], \"observations\": [");
        json.AppendJoin(",\n", Enumerable.Range(0, n).Select(i => $"{{\"id\": \"o{i}\", \"aux\": {i % 2}}}"));
        json.Append(",\n{\"id\": \"o3\", \"aux\": 9}],\n\"transitions\": [");
        json.AppendJoin(",\n", Enumerable.Range(0, 2500).Select(t =>
            t == 10 ? "{\"from\": \"o1\", \"action\": \"a\", \"to\": \"ghost\"}"
            : t == 2000 ? "{\"from\": \"o1\", \"action\": \"a\" \"to\": \"o2\"}"
            : $"{{\"from\": \"o{t % n}\", \"action\": \"a\", \"to\": \"o{(t + 1) % n}\"}}"));
        var text = json + "]}";
        var ex = Assert.Throws<MdpFormatException>(() => MdpJsonReader.Read("order.json", System.Text.Encoding.UTF8.GetBytes(text), threaded));
        Assert.StartsWith($"order.json:{n + 2 + 10}:", ex.Message);
        Assert.Contains("unknown observation 'ghost' in \"to\"", ex.Message);

        var syntax = text.Replace("\"to\": \"ghost\"", "\"to\": \"o2\"", StringComparison.Ordinal);
        ex = Assert.Throws<MdpFormatException>(() => MdpJsonReader.Read("order.json", System.Text.Encoding.UTF8.GetBytes(syntax), threaded));
        Assert.StartsWith($"order.json:{n + 2 + 2000}:", ex.Message);

        var fixedText = syntax.Replace("\"action\": \"a\" \"to\"", "\"action\": \"a\", \"to\"", StringComparison.Ordinal);
        var mdp = MdpJsonReader.Read("order.json", System.Text.Encoding.UTF8.GetBytes(fixedText), threaded);
        Assert.Equal(n, mdp.ObservationCount);
        var duplicate = Assert.Single(mdp.Duplicates);
        Assert.Equal(("o3", 4, n + 1), (duplicate.Id, duplicate.First.Line, duplicate.Repeated.Line));
        Assert.Equal((1500, 1000), (mdp.Transitions.Length, mdp.RepeatedTransitions)); // transition t + 1,500 repeats t
    }

    [Fact]
    public void BinaryGarbageIsRejectedWithALocation()
    {
        var bytes = new byte[] { 0x7B, 0xFF, 0xFE, 0x00, 0x13, 0x37 };
        var ex = Assert.Throws<MdpFormatException>(() => MdpJsonReader.Read("garbage.json", bytes));
        Assert.StartsWith("garbage.json:1:", ex.Message);
    }

    [Fact]
    public void ColumnsCountCharactersNotBytes()
    {
        var ex = Fails("{\"actions\": [\"é\"], \"observations\": [{\"id\": \"a\", \"aux\": 1}], \"transitions\": [{\"from\": \"a\", \"action\": \"x\", \"to\": \"a\"}]}");
        Assert.StartsWith("bad.json:1:101:", ex.Message); // 102 in bytes: é is two
    }

    [Fact]
    public void WriterOutputReadsBackIdentically()
    {
        var mdp = MdpJsonReader.Read("small.json", System.Text.Encoding.UTF8.GetBytes(Small));
        var text = MdpJsonWriter.Write(mdp, "it's \"quoted\"");
        var again = MdpJsonReader.Read("again.json", System.Text.Encoding.UTF8.GetBytes(text));
        Assert.Equal(text, MdpJsonWriter.Write(again, "it's \"quoted\""));
        Assert.Contains("it's", text);
    }
    private const string Images = """
        {"actions": ["go"], "feature_shape": [1, 2, 2],
         "observations": [{"id": "a", "aux": 1, "features": [0, 1, 2, 3]},
                          {"id": "b", "aux": 0, "features": [3, 2, 1, 0]}],
         "transitions": [{"from": "a", "action": "go", "to": "b"}]}
        """;

    [Fact]
    public void FeatureShapeIsReadAndWrittenBack()
    {
        var mdp = MdpJsonReader.Read("images.json", System.Text.Encoding.UTF8.GetBytes(Images));
        Assert.Equal([1, 2, 2], mdp.FeatureShape.ToArray());
        Assert.True(mdp.HasImageFeatures);
        var text = MdpJsonWriter.Write(mdp);
        Assert.Contains("\"feature_shape\":[1,2,2]", text);
        Assert.Equal([1, 2, 2], MdpJsonReader.Read("again.json", System.Text.Encoding.UTF8.GetBytes(text)).FeatureShape.ToArray());
        // Copies keep it; a file without one has none.
        Assert.Equal(mdp.FeatureShape, mdp.WithAux([AuxValue.Scalar(0), AuxValue.Scalar(1)], SourcePositions.None).FeatureShape);
        Assert.Empty(MdpJsonReader.Read("small.json", System.Text.Encoding.UTF8.GetBytes(Small)).FeatureShape);
        Assert.False(MdpJsonReader.Read("flat.json", System.Text.Encoding.UTF8.GetBytes(Images.Replace("[1, 2, 2]", "[4]", StringComparison.Ordinal))).HasImageFeatures);
    }

    [Theory]
    [InlineData("[3, 0, 2]", "bad.json:1:42: \"feature_shape\" must hold positive integers, found")]
    [InlineData("[1.5]", "bad.json:1:39: \"feature_shape\" must hold positive integers, found")]
    [InlineData("[\"3\"]", "\"feature_shape\" must hold positive integers")]
    [InlineData("[]", "\"feature_shape\" is empty")]
    [InlineData("[1, 1, 2, 2]", "\"feature_shape\" has more than 3 dimensions")]
    [InlineData("[65536, 65536]", "describes more than 2147483647 features")]
    [InlineData("3", "\"feature_shape\" must be")]
    [InlineData("[2, 2, 2]", "bad.json:2:19: observation 'a' has 4 features, but \"feature_shape\" [2, 2, 2] (at line 1) says 8")]
    public void BadFeatureShapesAreOneLineErrors(string shape, string expected)
    {
        var ex = Fails(Images.Replace("[1, 2, 2]", shape, StringComparison.Ordinal));
        Assert.Contains(expected, ex.Message);
        Assert.StartsWith("bad.json:", ex.Message);
        Assert.DoesNotContain('\n', ex.Message);
    }

    [Fact]
    public void FeatureShapeWithoutFeaturesNamesTheObservation()
    {
        var ex = Fails(Images.Replace(", \"features\": [3, 2, 1, 0]", "", StringComparison.Ordinal));
        Assert.Contains("observation 'b' has no \"features\", but \"feature_shape\" [1, 2, 2]", ex.Message);
    }
}
