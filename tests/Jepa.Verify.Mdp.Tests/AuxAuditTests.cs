using Jepa.Verify.Environments;
using Jepa.Verify.Mdp.Audit;
using Jepa.Verify.Mdp.Bisimulation;
using Jepa.Verify.Mdp.Formats;
using Xunit;

namespace Jepa.Verify.Mdp.Tests;

/// <summary>Tests for <see cref="AuxAudit"/>.</summary>
public sealed class AuxAuditTests
{
    private static AuxAuditReport Audit(MdpModel mdp, params string[] labels)
    {
        var keys = AuxKeys.Compute(mdp.Aux);
        return AuxAudit.Run(mdp, Bisimilarity.Compute(mdp), keys, labels);
    }

    [Fact]
    public void TheGridworldKeepsColumnsAndIgnoresRows()
    {
        var report = Audit(ClassicMdps.Gridworld(), "row", "col");
        Assert.Equal(2, report.AuxOnly.Groups);
        Assert.Equal(4, report.Bisimulation.Groups);

        var row = report.Bisimulation.Labels[0];
        Assert.Equal("ignored", row.Verdict);
        Assert.Equal(1.0, row.Span);
        Assert.Equal(0.75, row.SeparatedFraction); // 48 pairs differ in row; the 12 inside one column stay together
        Assert.Equal(4, row.MixedGroups);

        var col = report.Bisimulation.Labels[1];
        Assert.Equal("kept", col.Verdict);
        Assert.Equal(1.0, col.Purity);
        Assert.Equal(1.0, col.SeparatedFraction);

        // Aux alone lumps columns 0-2 together: partial, purity (3 + 3) / 12.
        var colAuxOnly = report.AuxOnly.Labels[1];
        Assert.Equal("partial", colAuxOnly.Verdict);
        Assert.Equal(0.5, colAuxOnly.Purity);
        Assert.Equal("ignored", report.AuxOnly.Labels[0].Verdict);
    }

    [Fact]
    public void TheDynamicsTurnTheRewardIntoTheCount()
    {
        var report = Audit(ClassicMdps.Counting(), "count");
        Assert.Equal("partial", report.AuxOnly.Labels[0].Verdict);
        Assert.Equal("kept", report.Bisimulation.Labels[0].Verdict);
        Assert.Equal(36, report.Bisimulation.DistinguishedPairs);
        Assert.Equal(8, report.AuxOnly.DistinguishedPairs);
    }

    [Fact]
    public void AConstantLabelIsReportedAsSuch()
    {
        var b = new MdpBuilder("c");
        var (o, _) = b.AddObservation("o");
        b.SetAux(o, AuxValue.Scalar(0));
        b.SetLabel(o, "shape", "circle");
        var report = Audit(b.Build(), "shape");
        Assert.Equal("constant", report.Bisimulation.Labels[0].Verdict);
        Assert.Throws<ArgumentException>(() => Audit(ClassicMdps.Counting(), "colour"));
    }

    [Fact]
    public void OnARelationOnlyPairMeasuresAreGiven()
    {
        var walk = MdpLoader.Load(TestFiles.Example("counting-walk/transitions.csv"), auxFile: TestFiles.Example("counting-walk/aux.csv"));
        var report = Audit(walk, "count");
        var count = report.Bisimulation.Labels[0];
        Assert.Null(report.Bisimulation.Groups);
        Assert.Null(count.Purity);
        Assert.Equal("partial", count.Verdict);
        Assert.InRange(count.SeparatedFraction, 0.01, 0.99);
    }

    [Fact]
    public void ComparingTwoAuxFunctionsCountsWhatEachForces()
    {
        var grid = ClassicMdps.Gridworld();
        var byRow = new AuxFile("rows.csv", [.. grid.Observations.Select((id, i) => new AuxFile.Row(id, AuxValue.Scalar(grid.Labels["row"][i] == "0" ? 1 : 0), [], i + 2))]).ApplyTo(grid);
        var cols = Bisimilarity.Compute(grid);
        var rows = Bisimilarity.Compute(byRow);
        Assert.Equal(3, rows.Partition!.Count);
        var c = AuxAudit.Compare(cols, rows);

        // 66 pairs: columns separate 66 - 4·3 = 54, rows separate 66 - 3·6 = 48, both separate pairs differing in row and column (36).
        Assert.Equal(36, c.Both);
        Assert.Equal(54 - 36, c.OnlyA);
        Assert.Equal(48 - 36, c.OnlyB);
        var (a, b) = c.ExampleOnlyA!.Value;
        Assert.True(cols.AreDistinguished(a, b) && !rows.AreDistinguished(a, b));
    }

    [Fact]
    public void ComparingARelationWithItsSinkPartitionEnumeratesPairs()
    {
        var walk = MdpLoader.Load(TestFiles.Example("counting-walk/transitions.csv"), auxFile: TestFiles.Example("counting-walk/aux.csv"));
        var relation = Bisimilarity.Compute(walk);
        var sink = Bisimilarity.Compute(walk, new BisimulationOptions(Missing: MissingTransitions.Sink));
        var c = AuxAudit.Compare(relation, sink);

        // The sink only adds distinctions (a missing transition differs from any present one).
        Assert.Equal(0, c.OnlyA);
        Assert.Null(c.ExampleOnlyA);
        Assert.Equal(relation.Relation!.DistinguishedCount, c.Both);
        Assert.True(c.OnlyB > 0);
        var (a, b) = c.ExampleOnlyB!.Value;
        Assert.True(sink.AreDistinguished(a, b) && !relation.AreDistinguished(a, b));
    }
}
