using System.Globalization;
using Xunit;

namespace Jepa.Verify.Mdp.Tests;

/// <summary>Tests for <see cref="ExactNumber"/>: literals a double holds exactly pass, others name what is lost.</summary>
public sealed class ExactNumberTests
{
    [Theory]
    [InlineData("0")]
    [InlineData("-0.000")]
    [InlineData("0.1")]
    [InlineData("1e-05")]
    [InlineData("1E-5")]
    [InlineData("0.00100")]
    [InlineData("123456789012345")]
    [InlineData("0.5488135039273248")] // Python's repr of a random float: 16 digits
    [InlineData("0.30000000000000004")] // 17 digits, the shortest text of its double
    [InlineData("9007199254740992")]
    [InlineData("1.7976931348623157e308")]
    [InlineData("5e-324")]
    public void LiteralsADoubleHoldsExactlyPass(string literal)
    {
        var value = double.Parse(literal, CultureInfo.InvariantCulture);
        Assert.Null(ExactNumber.Problem(literal.AsSpan(), value));
        Assert.Null(ExactNumber.Problem(System.Text.Encoding.ASCII.GetBytes(literal), value));
    }

    [Theory]
    [InlineData("9007199254740993", "more precision")]
    [InlineData("0.10000000000000001", "more precision")]
    [InlineData("1e-400", "underflows to 0")]
    [InlineData("3e-324", "below the doubles' normal range")]
    public void LiteralsThatLoseInformationAreNamed(string literal, string expected)
    {
        var value = double.Parse(literal, CultureInfo.InvariantCulture);
        Assert.Contains(expected, ExactNumber.Problem(literal.AsSpan(), value));
    }
}
