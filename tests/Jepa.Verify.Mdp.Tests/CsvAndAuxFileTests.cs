using Jepa.Verify.Mdp.Formats;
using Xunit;

namespace Jepa.Verify.Mdp.Tests;

/// <summary>Tests for <see cref="CsvDatasetReader"/> and <see cref="AuxFile"/>.</summary>
public sealed class CsvAndAuxFileTests
{
    private const string Aux = "id,aux,label_count\ns0,0,0\ns1,1,1\n";

    [Fact]
    public void ReadsTheCountingWalkDataset()
    {
        var mdp = MdpLoader.Load(TestFiles.Example("counting-walk/transitions.csv"), auxFile: TestFiles.Example("counting-walk/aux.csv"));
        Assert.Equal(9, mdp.ObservationCount);
        Assert.Equal(["inc", "dec"], mdp.Actions.OrderByDescending(a => a).ToArray());
        Assert.True(mdp.RepeatedTransitions > 0);
        Assert.Equal("4", mdp.Labels["count"][mdp.IndexOfObservation("count4")]);
    }

    [Fact]
    public void ReadsQuotedFieldsVectorsCommentsAndBlankLines()
    {
        var aux = AuxFile.Read(TestFiles.Write("aux.csv", "# two dims\nid,aux_0,aux_1\n\"a,1\",1,2\n b , -0.5 , 3e2 \n"));
        Assert.Equal("a,1", aux.Rows[0].Id);
        Assert.Equal("b", aux.Rows[1].Id);
        Assert.Equal([-0.5, 300.0], aux.Rows[1].Value.Components.ToArray());
        Assert.Equal(4, aux.Rows[1].Line);
    }

    [Fact]
    public void NanAuxIsReadSoConditionsCanReportIt()
    {
        var aux = AuxFile.Read(TestFiles.Write("aux.csv", "id,aux\na,NaN\n"));
        Assert.False(aux.Rows[0].Value.IsFinite);
    }

    [Theory]
    [InlineData("", "aux.csv:1:1: the aux file is empty")]
    [InlineData("name,aux\na,1\n", "aux.csv:1:1: bad aux header 'name,aux'")]
    [InlineData("id,value\na,1\n", "aux.csv:1:4: bad aux column 'value'")]
    [InlineData("id,aux,colour\na,1,red\n", "aux.csv:1:8: unexpected column 'colour'")]
    [InlineData("id,aux\na,1,2\n", "aux.csv:2: 3 fields where the header has 2")]
    [InlineData("id,aux\na,high\n", "aux.csv:2:3: 'high' in column aux is not a number")]
    [InlineData("id,aux\na,1\nb,2\na,3\n", "aux.csv:4: observation 'a' appears twice (first at line 2)")]
    [InlineData("id,aux\n,1\n", "aux.csv:2:1: empty observation id")]
    [InlineData("id,aux\n\"a,1\n", "aux.csv:2:1: a quoted field is not closed")]
    [InlineData("id,aux\n\"a\"x,1\n", "aux.csv:2:4: text after a closing quote")]
    public void MalformedAuxFilesGetLocatedErrors(string content, string expected)
    {
        var path = TestFiles.Write("aux.csv", content);
        var ex = Assert.Throws<MdpFormatException>(() => AuxFile.Read(path));
        Assert.StartsWith(path + expected["aux.csv".Length..], ex.Message);
    }

    [Theory]
    [InlineData("", "t.csv:1:1: the transitions file is empty")]
    [InlineData("source,action,target\n", "t.csv:1:1: bad header 'source,action,target'")]
    [InlineData("from,action,to\ns0,go\n", "t.csv:2: 2 fields where from,action,to needs 3")]
    [InlineData("from,action,to\ns0,go,s9\n", "t.csv:2:7: unknown observation 's9'")]
    [InlineData("from,action,to\ns0,,s1\n", "t.csv:2:4: empty action")]
    public void MalformedTransitionFilesGetLocatedErrors(string content, string expected)
    {
        var path = TestFiles.Write("t.csv", content);
        var aux = AuxFile.Read(TestFiles.Write("aux.csv", Aux));
        var ex = Assert.Throws<MdpFormatException>(() => CsvDatasetReader.Read(path, aux));
        Assert.StartsWith(path + expected["t.csv".Length..], ex.Message);
    }

    [Fact]
    public void ACsvDatasetWithoutAnAuxFileIsRefused()
    {
        var path = TestFiles.Write("t.csv", "from,action,to\n");
        var ex = Assert.Throws<MdpFormatException>(() => MdpLoader.Load(path));
        Assert.Contains("needs an aux file (header id,aux)", ex.Message);
    }

    [Fact]
    public void ASideFileReplacesAuxAndAddsLabels()
    {
        var mdp = MdpLoader.Load(TestFiles.Example("counting.json"), auxFile: TestFiles.Example("counting-dense-aux.csv"));
        Assert.Equal(AuxValue.Scalar(-4), mdp.Aux[mdp.IndexOfObservation("count0")]);
        Assert.Equal("0", mdp.Labels["count"][0]);
        Assert.EndsWith("counting-dense-aux.csv:2", mdp.LocationOfAux(0).ToString());
    }

    [Fact]
    public void ASideFileNamingAnUnknownObservationIsRefused()
    {
        var side = TestFiles.Write("side.csv", "id,aux\ncount0,1\nghost,2\n");
        var ex = Assert.Throws<MdpFormatException>(() => MdpLoader.Load(TestFiles.Example("counting.json"), auxFile: side));
        Assert.StartsWith(side + ":3: observation 'ghost' is not in", ex.Message);
    }

    [Fact]
    public void BinaryFilesAreRefusedAsNotText()
    {
        var path = TestFiles.WriteBytes("t.csv", [.. "id,aux\n"u8, 0x00, 0xFF]);
        var ex = Assert.Throws<MdpFormatException>(() => AuxFile.Read(path));
        Assert.Equal(path + ":2: the file holds NUL characters: it is binary, or UTF-16 without a byte order mark; save it as UTF-8 text (or UTF-16 with a byte order mark)", ex.Message);
        var bad = TestFiles.WriteBytes("u.csv", [.. "id,aux\n"u8, 0xC3, 0x28]);
        Assert.Contains(":2: the file is not valid UTF-8 text", Assert.Throws<MdpFormatException>(() => AuxFile.Read(bad)).Message);
    }

    [Fact]
    public void MissingFilesAndDirectoriesAreNamed()
    {
        Assert.Equal("nowhere.csv: file not found; check the path", Assert.Throws<MdpFormatException>(() => AuxFile.Read("nowhere.csv")).Message);
        var dir = Path.GetDirectoryName(TestFiles.Write("x", ""))!;
        Assert.Contains("is a directory", Assert.Throws<MdpFormatException>(() => MdpLoader.Load(dir, "json")).Message);
        Assert.Contains("is a directory", Assert.Throws<MdpFormatException>(() => MdpLoader.Load(dir)).Message);
        var txt = TestFiles.Write("x.txt", "{}");
        Assert.Contains("cannot tell the format from the extension '.txt'", Assert.Throws<MdpFormatException>(() => MdpLoader.Load(txt)).Message);
    }
}
