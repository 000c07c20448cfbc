using Jepa.Verify.Smt.Solvers;
using Xunit;

namespace Jepa.Verify.Smt.Tests;

/// <summary>Tests for <see cref="SExpression"/>.</summary>
public sealed class SExpressionTests
{
    [Fact]
    public void ParsesListsAtomsStringsAndQuotedSymbols()
    {
        var all = SExpression.ParseAll("((E o1) l0) ; comment\n (error \"say \"\"hi\"\" (now)\") |a b|");
        Assert.Equal(3, all.Count);
        Assert.Equal("((E o1) l0)", all[0].ToString());
        Assert.Equal("say \"hi\" (now)", all[1].Items[1].Unquoted());
        Assert.Equal("|a b|", all[2].Atom);
    }

    [Fact]
    public void KnowsWhenAnAnswerIsComplete()
    {
        Assert.True(SExpression.IsComplete("sat\n"));
        Assert.False(SExpression.IsComplete("((E o1)\n"));
        Assert.True(SExpression.IsComplete("((E o1) l0)\n"));
        Assert.False(SExpression.IsComplete("(error \"a (\n"));
        Assert.True(SExpression.IsComplete("(error \"a (\n b\")"));
    }

    [Theory]
    [InlineData("(a b")]
    [InlineData(")")]
    [InlineData("(error \"open")]
    [InlineData("|open")]
    public void MalformedOutputIsAFormatError(string text) => Assert.Throws<FormatException>(() => SExpression.ParseAll(text));
}
