using Jepa.Verify.Environments;
using Jepa.Verify.Mdp.Conditions;
using Jepa.Verify.Mdp.Formats;
using Xunit;

namespace Jepa.Verify.Mdp.Tests;

/// <summary>Tests for <see cref="ConditionChecker"/> and <see cref="ConditionReport"/>.</summary>
public sealed class ConditionCheckerTests
{
    private static MdpModel Json(string text) => MdpJsonReader.Read("c.json", System.Text.Encoding.UTF8.GetBytes(text));

    [Fact]
    public void TheCountingMdpMeetsEveryHypothesis()
    {
        var report = ConditionChecker.Check(ClassicMdps.Counting());
        Assert.True(report.HypothesesHold);
        Assert.True(report.Deterministic);
        Assert.True(report.Complete);
        Assert.Empty(report.FailedHypotheses);
        report.ThrowIfUnusable();
    }

    [Fact]
    public void NonDeterminismIsCountedAndLocated()
    {
        var mdp = Json("""
            {"actions": ["go"], "observations": [{"id": "a", "aux": 0}, {"id": "b", "aux": 0}, {"id": "c", "aux": 1}],
             "transitions": [
              {"from": "a", "action": "go", "to": "b"},
              {"from": "a", "action": "go", "to": "b"},
              {"from": "a", "action": "go", "to": "c"},
              {"from": "b", "action": "go", "to": "b"},
              {"from": "c", "action": "go", "to": "c"}]}
            """);
        var report = ConditionChecker.Check(mdp);
        var det = report["determinism"];
        Assert.False(det.Holds);
        Assert.Equal(1, det.Count);
        Assert.Equal("'a' has 2 successors under 'go': b, c", det.First[0].Text);
        Assert.Equal(5, det.First[0].Location.Line);
        Assert.Equal(1, report.RepeatedTransitions);
        Assert.Equal(["determinism"], report.FailedHypotheses.ToArray());
        Assert.False(report.FiniteDataApplies);
        var ex = Assert.Throws<MdpFormatException>(report.ThrowIfUnusable);
        Assert.StartsWith("c.json:5:", ex.Message);
        Assert.Contains("jepa-verify conditions c.json", ex.Message);
    }

    [Fact]
    public void MissingTransitionsFailCompletenessButLeaveTheFiniteDataFormApplicable()
    {
        var mdp = MdpLoader.Load(TestFiles.Example("counting-walk/transitions.csv"), auxFile: TestFiles.Example("counting-walk/aux.csv"));
        var report = ConditionChecker.Check(mdp);
        Assert.False(report.Complete);
        Assert.True(report.FiniteDataApplies);
        Assert.Equal(["completeness"], report.FailedHypotheses.ToArray());
        Assert.True(report["completeness"].Count > 0);
        Assert.Equal(ConditionChecker.MaxItems, report["completeness"].First.Length);
        report.ThrowIfUnusable();
    }

    [Fact]
    public void AuxProblemsAreSeparatedByKind()
    {
        var mdp = Json("""
            {"actions": [], "observations": [{"id": "a", "aux": 1}, {"id": "b"}, {"id": "c", "aux": [1, 2]}], "transitions": []}
            """);
        var aux = ConditionChecker.Check(mdp)["aux"];
        Assert.Equal(2, aux.Count);
        Assert.Equal("aux values: 1 missing, 1 of inconsistent length", aux.Summary);
        var nan = MdpLoader.Load(TestFiles.Example("counting.json"), auxFile: TestFiles.Write("nan.csv", "id,aux\ncount0,NaN\n"));
        var nanAux = ConditionChecker.Check(nan)["aux"];
        Assert.Equal(9, nanAux.Count);
        Assert.Contains("'count0' has the aux value NaN, which is not finite", nanAux.First.Select(i => i.Text));
        Assert.EndsWith("nan.csv:2", nanAux.First.Single(i => i.Text.StartsWith("'count0'", StringComparison.Ordinal)).Location.ToString());
    }

    [Fact]
    public void DuplicatesFailTheIdsCondition()
    {
        var mdp = Json("""{"actions": ["x"], "observations": [{"id": "a", "aux": 1},\n{"id": "a", "aux": 2}], "transitions": [{"from": "a", "action": "x", "to": "a"}]}""".Replace("\\n", "\n"));
        var ids = ConditionChecker.Check(mdp)["ids"];
        Assert.False(ids.Holds);
        Assert.Equal("observation 'a' is declared again (first at c.json:1:37)", ids.First[0].Text);
        Assert.Equal(2, ids.First[0].Location.Line);
    }

    [Fact]
    public void ReachabilityIsInformationAndUsesTheInitialSet()
    {
        var grid = ClassicMdps.Gridworld();
        var fromCorner = ConditionChecker.Check(grid, [0]);
        Assert.True(fromCorner["reachability"].Holds);
        var mdp = Json("""
            {"actions": ["go"], "observations": [{"id": "a", "aux": 0}, {"id": "b", "aux": 0}, {"id": "c", "aux": 0}],
             "initial": ["b"],
             "transitions": [{"from": "a", "action": "go", "to": "b"}, {"from": "b", "action": "go", "to": "b"}, {"from": "c", "action": "go", "to": "a"}]}
            """);
        var report = ConditionChecker.Check(mdp);
        Assert.True(report.HypothesesHold);
        Assert.Equal(2, report["reachability"].Count);
        Assert.False(report["reachability"].IsHypothesis);
        var noInitial = ConditionChecker.Check(mdp, [2]);
        Assert.Equal(0, noInitial["reachability"].Count);
    }

    [Fact]
    public void GetOrAddObservationOfAKnownIdIsNotADuplicate()
    {
        var b = new MdpBuilder("t");
        var first = b.GetOrAddObservation("s0");
        Assert.Equal(first, b.GetOrAddObservation("s0"));
        b.AddObservation("s0");
        Assert.Single(b.Build().Duplicates);
    }
}
