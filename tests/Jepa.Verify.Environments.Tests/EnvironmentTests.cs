using Jepa.Verify.Mdp;
using Jepa.Verify.Mdp.Formats;
using Jepa.Verify.Mdp.Tests;
using Xunit;

namespace Jepa.Verify.Environments.Tests;

/// <summary>Tests for <see cref="RandomMdps"/> and <see cref="ClassicMdps"/>.</summary>
public sealed class EnvironmentTests
{
    [Fact]
    public void TheSameSeedGivesTheSameRandomMdp()
    {
        var (t1, k1) = RandomMdps.Table(500, 3, 4, seed: 9);
        var (t2, k2) = RandomMdps.Table(500, 3, 4, seed: 9);
        var (t3, _) = RandomMdps.Table(500, 3, 4, seed: 10);
        Assert.True(t1.Successors.SequenceEqual(t2.Successors));
        Assert.Equal(k1, k2);
        Assert.False(t1.Successors.SequenceEqual(t3.Successors));
        Assert.True(t1.IsComplete);
        Assert.All(k1, k => Assert.InRange(k, 0, 3));
    }

    [Fact]
    public void TheRandomMdpModelMatchesItsTable()
    {
        var (table, keys) = RandomMdps.Table(50, 2, 3, seed: 4);
        var mdp = RandomMdps.Complete(50, 2, 3, seed: 4);
        Assert.Equal(100, mdp.Transitions.Length);
        foreach (var t in mdp.Transitions)
        {
            Assert.Equal(table.Successor(t.From, t.Action), t.To);
        }

        Assert.Equal(keys.Select(k => AuxValue.Scalar(k)), mdp.Aux);
        Assert.Throws<ArgumentOutOfRangeException>(() => RandomMdps.Table(0, 1, 1, 1));
    }

    [Theory]
    [InlineData(1000, 2, 37, 3, 1)]
    [InlineData(999, 3, 100, 2, 2)]
    [InlineData(50, 1, 50, 4, 3)]
    public void ALiftedMdpHasTheLiftedClassesOfItsQuotient(int states, int actions, int classes, int auxValues, int seed)
    {
        var (table, keys, quotient, quotientKeys) = RandomMdps.Lifted(states, actions, classes, auxValues, seed);
        var big = Jepa.Verify.Mdp.Bisimulation.PartitionRefinement.Coarsest(table, keys);
        var small = Jepa.Verify.Mdp.Bisimulation.PartitionRefinement.Coarsest(quotient, quotientKeys);
        Assert.Equal(small.Count, big.Count);

        // Every state is bisimilar to its block's first state (state s mod classes), and those first
        // states are bisimilar exactly when their blocks are in the quotient.
        for (var s = 0; s < states; s++)
        {
            Assert.True(big.SameClass(s, s % classes));
        }

        for (var b1 = 0; b1 < classes; b1++)
        {
            for (var b2 = 0; b2 < classes; b2++)
            {
                Assert.Equal(small.SameClass(b1, b2), big.SameClass(b1, b2));
            }
        }
    }

    [Theory]
    [InlineData("counting.json")]
    [InlineData("gridworld.json")]
    public void TheExampleFilesAreTheBuiltInClassics(string file)
    {
        var expected = file == "counting.json" ? ClassicMdps.Counting() : ClassicMdps.Gridworld();
        var actual = MdpLoader.Load(TestFiles.Example(file));
        Assert.Equal(MdpJsonWriter.Write(expected), MdpJsonWriter.Write(actual));
    }

    [Fact]
    public void TheExampleWalkDatasetIsTheBuiltInWalk()
    {
        var (expected, walk) = ClassicMdps.CountingWalk(24, seed: 3);
        var actual = MdpLoader.Load(TestFiles.Example("counting-walk/transitions.csv"), auxFile: TestFiles.Example("counting-walk/aux.csv"));
        Assert.Equal(24, walk.Count);
        Assert.Equal(MdpJsonWriter.Write(expected).Replace("counting walk", ""), MdpJsonWriter.Write(actual).Replace(actual.Source, ""));
        Assert.Equal(24 - expected.Transitions.Length, actual.RepeatedTransitions);
    }

    [Fact]
    public void CountingClipsAtBothEnds()
    {
        var c = ClassicMdps.Counting(target: 8);
        Assert.Contains(new Transition(8, 0, 8), c.Transitions);
        Assert.Contains(new Transition(0, 1, 0), c.Transitions);
        Assert.Equal(AuxValue.Scalar(1), c.Aux[8]);
        Assert.Throws<ArgumentOutOfRangeException>(() => ClassicMdps.Counting(9));
    }
}
