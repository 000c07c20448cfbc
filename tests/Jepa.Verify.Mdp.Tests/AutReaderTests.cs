using Jepa.Verify.Mdp.Formats;
using Xunit;

namespace Jepa.Verify.Mdp.Tests;

/// <summary>Tests for <see cref="AutReader"/>.</summary>
public sealed class AutReaderTests
{
    private static MdpModel Read(string text) => AutReader.Read("m.aut", System.Text.Encoding.UTF8.GetBytes(text));

    [Fact]
    public void ReadsTheCountingExampleWithItsSideFile()
    {
        var mdp = MdpLoader.Load(TestFiles.Example("counting.aut"), auxFile: TestFiles.Example("counting-aut-aux.csv"));
        Assert.Equal(9, mdp.ObservationCount);
        Assert.Equal(18, mdp.Transitions.Length);
        Assert.Equal(["0"], mdp.Initial.ToArray());
        Assert.Equal(AuxValue.Scalar(1), mdp.Aux[4]);
        Assert.Equal("4", mdp.Labels["count"][4]);
    }

    [Fact]
    public void LabelsMayBeQuotedOrNotAndContainCommas()
    {
        var mdp = Read("des (0, 3, 2)\n(0, \"send(a, b)\", 1)\n(1, tau, 0)\n  (1 , \"x,y\" , 1)  \n");
        Assert.Equal(["send(a, b)", "tau", "x,y"], mdp.Actions.ToArray());
        Assert.Equal(new Transition(1, 2, 1), mdp.Transitions[2]);
    }

    [Fact]
    public void WithoutASideFileEveryAuxIsZero()
    {
        var mdp = Read("des (0, 1, 2)\n(0, a, 1)\n");
        Assert.All(mdp.Aux, v => Assert.Equal(AuxValue.Scalar(0), v));
    }

    [Theory]
    [InlineData("", "m.aut:1:1: the file is empty")]
    [InlineData("des (0, 1, 2000000000)\n(0, a, 1)\n", "m.aut:1: the header declares 2000000000 states but the file has 1 transition lines")]
    [InlineData("dez (0, 1, 2)\n", "m.aut:1: bad header 'dez (0, 1, 2)'")]
    [InlineData("des (0, 1)\n", "m.aut:1: bad header")]
    [InlineData("des (0, x, 2)\n", "m.aut:1: bad header")]
    [InlineData("des (0, 0, 0)\n", "m.aut:1: the header declares 0 states")]
    [InlineData("des (5, 0, 2)\n", "m.aut:1: initial state 5 is not below the state count 2")]
    [InlineData("des (0, 2, 2)\n(0, a, 1)\n", "m.aut:1: the header declares 2 transitions but the file has 1; set the header's second number to 1")]
    [InlineData("des (0, 1, 2)\n(0, a, 2)\n", "m.aut:2: state 2 is not below the declared state count 2")]
    [InlineData("des (0, 1, 2)\n(0, a, -1)\n", "m.aut:2: '-1' is not a state number")]
    [InlineData("des (0, 1, 2)\n0, a, 1\n", "m.aut:2: bad transition line '0, a, 1'")]
    [InlineData("des (0, 1, 2)\n(0, 1)\n", "m.aut:2: bad transition line")]
    [InlineData("des (0, 1, 2)\n(0, \"\", 1)\n", "m.aut:2: empty label")]
    public void MalformedFilesGetLocatedErrors(string text, string expected)
    {
        var ex = Assert.Throws<MdpFormatException>(() => Read(text));
        Assert.StartsWith(expected, ex.Message);
        Assert.DoesNotContain('\n', ex.Message);
    }
}
