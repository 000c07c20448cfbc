using Jepa.Verify.Environments;
using Jepa.Verify.Mdp.Bisimulation;
using Jepa.Verify.Mdp.Formats;
using Xunit;

namespace Jepa.Verify.Mdp.Tests;

/// <summary>Tests for <see cref="DistinguishabilityRelation"/> and <see cref="WitnessFinder"/> on known MDPs.</summary>
public sealed class RelationAndWitnessTests
{
    private static readonly MdpModel Counting = ClassicMdps.Counting();

    private static string[] Sequence(MdpModel mdp, Witness w) => [.. w.Actions.Select(a => mdp.Actions[a])];

    [Fact]
    public void AuxDifferingAtOnceGivesAnEmptySequence()
    {
        var w = Bisimilarity.Compute(Counting).Witness(0, 4)!;
        Assert.Empty(w.Actions);
        Assert.Equal((0, 4), (w.EndA, w.EndB));
    }

    [Fact]
    public void CountsThreeAndFiveDifferAfterOneIncrement()
    {
        var w = Bisimilarity.Compute(Counting).Witness(3, 5)!;
        Assert.Equal(["inc"], Sequence(Counting, w));
        Assert.Equal((4, 6), (w.EndA, w.EndB));
    }

    [Fact]
    public void CountsZeroAndOneNeedThreeIncrements()
    {
        var w = Bisimilarity.Compute(Counting).Witness(0, 1)!;
        Assert.Equal(["inc", "inc", "inc"], Sequence(Counting, w));
    }

    [Fact]
    public void BisimilarPairsHaveNoWitness()
    {
        var grid = ClassicMdps.Gridworld();
        var result = Bisimilarity.Compute(grid);
        Assert.Null(result.Witness(grid.IndexOfObservation("r0c1"), grid.IndexOfObservation("r2c1")));
        Assert.Null(result.Witness(3, 3));
        Assert.Equal(["right", "right"], Sequence(grid, result.Witness(0, 1)!)); // r0c2 vs r0c3
    }

    [Fact]
    public void TheWalkDatasetDistinguishesOnlyWhatItObserved()
    {
        var walk = MdpLoader.Load(TestFiles.Example("counting-walk/transitions.csv"), auxFile: TestFiles.Example("counting-walk/aux.csv"));
        var result = Bisimilarity.Compute(walk);
        var r = result.Relation!;
        int Id(int c) => walk.IndexOfObservation("count" + c);

        // Aux differs: count4 is apart from everything.
        Assert.True(r.IsDistinguished(Id(4), Id(0)));

        // count3 reaches count4 by an observed inc; count8 was never left, so only aux separates it.
        Assert.Equal(["inc"], Sequence(walk, result.Witness(Id(3), Id(2))!));
        Assert.False(r.IsDistinguished(Id(8), Id(7)));
        Assert.Null(result.Witness(Id(8), Id(7)));
        Assert.False(r.IsDistinguished(Id(2), Id(2)));
        Assert.Equal(r.PairCount - r.DistinguishedCount, r.Undistinguished().LongCount());
    }

    [Fact]
    public void TheRelationRefusesTooManyPairsBeforeAllocating()
    {
        var table = TransitionTable.Create(100_000, 1, new int[100_000]);
        var ex = Assert.Throws<RelationTooLargeException>(() => DistinguishabilityRelation.Compute(table, new int[100_000]));
        Assert.Contains("4999950000 pairs, more than the limit of 33554432; use --missing sink", ex.Message);
        Assert.Throws<RelationTooLargeException>(() => DistinguishabilityRelation.Compute(TransitionTable.Create(10, 1, new int[10]), new int[10], maxPairs: 44));
        Assert.Equal(0, DistinguishabilityRelation.Compute(TransitionTable.Create(10, 1, new int[10]), new int[10], maxPairs: 45).DistinguishedCount);
    }

    [Fact]
    public void TheWitnessSearchStopsAtItsCap()
    {
        // A cycle of 40 states where only state 0 is rewarded: states 1 and 2 need a long sequence.
        const int n = 40;
        var succ = Enumerable.Range(0, n).Select(s => (s + 1) % n).ToArray();
        var keys = Enumerable.Range(0, n).Select(s => s == 0 ? 1 : 0).ToArray();
        var table = TransitionTable.Create(n, 1, succ);
        Assert.Equal(n - 2, WitnessFinder.Shortest(table, keys, 1, 2, (_, _) => true)!.Actions.Length);
        Assert.Throws<RelationTooLargeException>(() => WitnessFinder.Shortest(table, keys, 1, 2, (_, _) => true, maxVisited: 10));
    }
}
