using Jepa.Verify.Smt.Solvers;
using Xunit;

namespace Jepa.Verify.Smt.Tests;

/// <summary>Tests for <see cref="SmtText"/>: where the checks of a text are.</summary>
public sealed class SmtTextTests
{
    [Fact]
    public void ChecksAreCountedOnlyAsTopLevelCommands()
    {
        const string text = "(declare-fun x () Bool) ; (check-sat) in a comment\n(echo \"(check-sat)\")(declare-fun |(check-sat)| () Bool)\n(push 1)( check-sat )(pop 1)\n(check-sat)\n";
        Assert.Equal(2, SmtText.CountChecks(text));
    }

    [Fact]
    public void ThePiecesEndAfterEachCheckAndMakeUpTheText()
    {
        const string text = "(declare-fun x () Bool)\n(push 1)(assert x)(check-sat)(pop 1)\n(assert (not x))(check-sat)\n(get-model)\n";
        var pieces = SmtText.SplitAfterChecks(text).ToList();
        Assert.Equal(text, string.Concat(pieces.Select(p => p.Text)));
        Assert.Equal([true, true, false], pieces.Select(p => p.EndsWithCheck));
        Assert.EndsWith("(check-sat)", pieces[0].Text);
        Assert.StartsWith("(pop 1)", pieces[1].Text);
    }

    [Fact]
    public void UnbalancedTextIsLeftForTheSolverToRefuse()
    {
        Assert.Equal(0, SmtText.CountChecks("(assert (check-sat)"));
        Assert.Equal("(assert (check-sat)", string.Concat(SmtText.SplitAfterChecks("(assert (check-sat)").Select(p => p.Text)));
    }
}
