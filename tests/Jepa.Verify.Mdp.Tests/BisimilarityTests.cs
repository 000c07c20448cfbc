using System.Collections.Immutable;
using Jepa.Verify.Environments;
using Jepa.Verify.Mdp.Bisimulation;
using Jepa.Verify.Mdp.Formats;
using Xunit;

namespace Jepa.Verify.Mdp.Tests;

/// <summary>Tests for <see cref="Bisimilarity"/>, <see cref="PartitionRefinement"/>, <see cref="AuxKeys"/> and <see cref="Quotient"/> on known MDPs.</summary>
public sealed class BisimilarityTests
{
    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    [InlineData(6)]
    [InlineData(7)]
    [InlineData(8)]
    public void TheCountingMdpHasNineClassesForEveryTarget(int target)
    {
        var result = Bisimilarity.Compute(ClassicMdps.Counting(target));
        Assert.Equal(9, result.Partition!.Count);
    }

    [Fact]
    public void TheGridworldCollapsesRowsIntoFourColumnClasses()
    {
        var grid = ClassicMdps.Gridworld();
        var p = Bisimilarity.Compute(grid).Partition!;
        Assert.Equal(4, p.Count);
        for (var i = 0; i < grid.ObservationCount; i++)
        {
            for (var j = 0; j < grid.ObservationCount; j++)
            {
                Assert.Equal(grid.Labels["col"][i] == grid.Labels["col"][j], p.SameClass(i, j));
            }
        }
    }

    [Fact]
    public void ToleranceBucketsNearbyAuxValuesTogether()
    {
        var b = new MdpBuilder("t");
        var go = b.AddAction("go");
        double[] values = [0.1, 0.1000004, 0.3];
        for (var i = 0; i < values.Length; i++)
        {
            var (o, _) = b.AddObservation("o" + i);
            b.SetAux(o, AuxValue.Scalar(values[i]));
            b.AddTransition(o, go, o);
        }

        var mdp = b.Build();
        Assert.Equal(3, Bisimilarity.Compute(mdp).Partition!.Count);
        Assert.Equal(2, Bisimilarity.Compute(mdp, new BisimulationOptions(AuxTolerance: 1e-3)).Partition!.Count);
        Assert.Equal([0, 0, 1], AuxKeys.Compute(mdp.Aux, 1e-3));
        Assert.Throws<ArgumentException>(() => AuxKeys.Compute(mdp.Aux, -1));
        Assert.Throws<ArgumentException>(() => AuxKeys.Compute([default(AuxValue)]));
    }

    [Fact]
    public void ExactComparisonTreatsNegativeZeroAsZero()
    {
        Assert.Equal([0, 0], AuxKeys.Compute([AuxValue.Scalar(0.0), AuxValue.Scalar(-0.0)]));
        Assert.Equal([0, 1], AuxKeys.Compute([new AuxValue([1, 2]), new AuxValue([1, 2.5])]));
    }

    [Fact]
    public void IncompleteDataGiveARelationOrWithASinkAPartition()
    {
        var walk = MdpLoader.Load(TestFiles.Example("counting-walk/transitions.csv"), auxFile: TestFiles.Example("counting-walk/aux.csv"));
        var relation = Bisimilarity.Compute(walk);
        Assert.Null(relation.Partition);
        Assert.NotNull(relation.Relation);
        var sink = Bisimilarity.Compute(walk, new BisimulationOptions(Missing: MissingTransitions.Sink));
        Assert.True(sink.UsesSink);
        Assert.Equal(walk.ObservationCount, sink.Partition!.Size);

        // Every pair the relation distinguishes, the sink partition separates too.
        for (var i = 0; i < walk.ObservationCount; i++)
        {
            for (var j = 0; j < walk.ObservationCount; j++)
            {
                Assert.True(!relation.AreDistinguished(i, j) || sink.AreDistinguished(i, j));
            }
        }
    }

    [Fact]
    public void NonDeterministicMdpsAreRefusedByTheTable()
    {
        var b = new MdpBuilder("nd");
        var go = b.AddAction("go");
        var (x, _) = b.AddObservation("x");
        var (y, _) = b.AddObservation("y");
        b.AddTransition(x, go, x);
        b.AddTransition(x, go, y);
        Assert.Throws<InvalidOperationException>(() => TransitionTable.FromMdp(b.Build()));
    }

    [Fact]
    public void RefinementValidatesItsInput()
    {
        var partial = TransitionTable.Create(2, 1, [1, -1]);
        Assert.False(partial.IsComplete);
        Assert.Throws<ArgumentException>(() => PartitionRefinement.Coarsest(partial, [0, 0]));
        var complete = TransitionTable.Create(2, 1, [1, 0]);
        Assert.Throws<ArgumentException>(() => PartitionRefinement.Coarsest(complete, [0]));
        Assert.Throws<ArgumentException>(() => PartitionRefinement.Coarsest(complete, [0, -1]));
        Assert.Throws<ArgumentException>(() => TransitionTable.Create(2, 1, [2, 0]));
        Assert.Throws<ArgumentException>(() => TransitionTable.Create(2, 2, [1, 0]));
        Assert.Equal(0, PartitionRefinement.Coarsest(TransitionTable.Create(0, 3, []), []).Count);
        Assert.Equal(2, PartitionRefinement.Coarsest(TransitionTable.Create(3, 0, []), [5, 1, 5]).Count);
    }

    [Fact]
    public void WithSinkSendsMissingTransitionsToOneAbsorbingState()
    {
        var t = TransitionTable.Create(2, 2, [1, -1, -1, 0]).WithSink();
        Assert.Equal(3, t.States);
        Assert.True(t.IsComplete);
        Assert.Equal(2, t.Successor(0, 1));
        Assert.Equal(2, t.Successor(2, 0));
        Assert.Equal(2, t.Successor(2, 1));
    }

    [Fact]
    public void PartitionsAreNumberedCanonically()
    {
        var p = Partition.FromLabels([7, 3, 7, 9, 3]);
        Assert.Equal([0, 1, 0, 2, 1], p.ClassOf.ToArray());
        Assert.Equal([0, 2], p.Members(0).ToArray());
        Assert.Equal([0, 1, 0], p.Prefix(3).ClassOf.ToArray());
        Assert.Equal(2, p.Prefix(3).Count);
    }

    [Fact]
    public void TheQuotientOfTheGridworldIsAFourStateLine()
    {
        var grid = ClassicMdps.Gridworld();
        var q = Quotient.Build(grid, Bisimilarity.Compute(grid));
        Assert.Equal(["c0", "c1", "c2", "c3"], q.Observations.ToArray());
        Assert.Equal(16, q.Transitions.Length);
        Assert.Equal("3", q.Labels["members"][0]);
        Assert.Equal("r0c0", q.Labels["representative"][0]);
        Assert.Equal("0", q.Labels["col"][0]);
        Assert.False(q.Labels.ContainsKey("row")); // no class has a single row
        var dot = DotWriter.Write(q, "quotient");
        Assert.Contains("\"c0\" -> \"c1\" [label=\"right\"];", dot);
        Assert.Contains("\"c0\" -> \"c0\" [label=\"up, down, left\"];", dot);
    }

    [Fact]
    public void TheQuotientNeedsAPartition()
    {
        var walk = MdpLoader.Load(TestFiles.Example("counting-walk/transitions.csv"), auxFile: TestFiles.Example("counting-walk/aux.csv"));
        Assert.Throws<ArgumentException>(() => Quotient.Build(walk, Bisimilarity.Compute(walk)));
    }

    [Fact]
    public void AuxValuesFormatRoundTrippably()
    {
        Assert.Equal("0.1", AuxValue.Scalar(0.1).ToString());
        Assert.Equal("[1, -2.5]", new AuxValue(ImmutableArray.Create(1.0, -2.5)).ToString());
        Assert.Equal("missing", default(AuxValue).ToString());
        Assert.Equal(AuxValue.Scalar(0.0).GetHashCode(), AuxValue.Scalar(-0.0).GetHashCode());
    }

    [Fact]
    public void PairsIsThePartitionOnCompleteDataAndTheRelationOnADataset()
    {
        var counting = Bisimilarity.Compute(MdpLoader.Load(TestFiles.Example("counting.json")));
        IDistinguishedPairs full = counting.Pairs;
        Assert.Same(counting.Partition, full);
        Assert.Equal(36, full.DistinguishedCount);
        Assert.NotNull(full.Classes);
        Assert.False(full.AreDistinguished(3, 3));
        Assert.True(full.AreDistinguished(0, 4));

        var walk = Bisimilarity.Compute(MdpLoader.Load(TestFiles.Example("counting-walk/transitions.csv"), auxFile: TestFiles.Example("counting-walk/aux.csv")));
        IDistinguishedPairs data = walk.Pairs;
        Assert.Same(walk.Relation, data);
        Assert.Null(data.Classes);
        Assert.Equal(walk.Relation!.DistinguishedCount, data.DistinguishedCount);
        for (var a = 0; a < data.Size; a++)
        {
            for (var b = 0; b < data.Size; b++)
            {
                Assert.Equal(walk.AreDistinguished(a, b), data.AreDistinguished(a, b));
            }
        }
    }
}
