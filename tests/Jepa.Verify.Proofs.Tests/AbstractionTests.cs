using Jepa.Verify.Environments;
using Jepa.Verify.Mdp.Bisimulation;
using Jepa.Verify.Smt.Solvers;
using Xunit;

namespace Jepa.Verify.Proofs.Tests;

/// <summary>Tests for <see cref="FiniteAbstraction"/>, <see cref="AbstractionProver"/> and <see cref="ClassDecoder"/> on known MDPs.</summary>
public sealed class AbstractionTests
{
    private static readonly SolverOptions Options = new(TimeSpan.FromSeconds(60));

    [Theory]
    [InlineData("z3")]
    [InlineData("cvc5")]
    [InlineData("both")]
    public void TheCountingMdpNeedsNineLatentsAndCannotCollapse(string solver)
    {
        var proof = AbstractionProver.Prove(Abstractions.Counting(), SolverPanel.For(solver), Options, latents: 12);
        Assert.Equal(ProofVerdict.Verified, proof.Verdict);
        Assert.False(proof.CollapsePossible);
        Assert.Equal(9, proof.MinLatents);
        Assert.True(proof.EncoderMatchesPartition);
        Assert.Equal(9, proof.Encoder.Distinct().Count());
        Assert.Contains(proof.Queries, q => q.Name == "latents-8" && q.Result.Status == SolverStatus.Unsat);
        Assert.Contains(proof.Queries, q => q.Name == "latents-12" && q.Result.Status == SolverStatus.Sat);
    }

    [Fact]
    public void TheGridworldNeedsFourLatents()
    {
        var proof = AbstractionProver.Prove(Abstractions.Of(ClassicMdps.Gridworld()), SolverPanel.For("z3"), Options, latents: 3);
        Assert.Equal(ProofVerdict.Verified, proof.Verdict);
        Assert.Equal(4, proof.MinLatents);
        Assert.Contains(proof.Queries, q => q.Name == "latents-3" && q.Expected == SolverStatus.Unsat && q.AsExpected);
    }

    [Fact]
    public void AWrongPartitionIsCaughtByTheSolver()
    {
        // Merge count0 and count1, which are not bisimilar: the quotient model cannot exist.
        var counting = ClassicMdps.Counting();
        var result = Bisimilarity.Compute(counting);
        var wrong = Partition.FromLabels([0, 0, 1, 2, 3, 4, 5, 6, 7]);
        var keys = Enumerable.Range(0, 9).Select(result.KeyOf).ToArray();
        var abstraction = new FiniteAbstraction(result.Table, keys, wrong, counting.Observations, counting.Actions, ["0", "1"]);
        var proof = AbstractionProver.Prove(abstraction, SolverPanel.For("z3"), Options);
        Assert.Equal(ProofVerdict.Violated, proof.Verdict);
        Assert.Null(proof.MinLatents);
        Assert.Contains(proof.Queries, q => q.Name == "latents-8" && q.Result.Status == SolverStatus.Unsat && !q.AsExpected);
    }

    [Fact]
    public void MergeQueriesAreSatExactlyForBisimilarPairs()
    {
        var grid = Abstractions.Of(ClassicMdps.Gridworld());
        var z3 = SolverPanel.For("z3");
        Assert.Equal(SolverStatus.Sat, z3.Check(grid.MergeQuery(1, 5), Options).Status);
        Assert.Equal(SolverStatus.Unsat, z3.Check(grid.MergeQuery(0, 1), Options).Status);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void TheDecoderTellsEveryStatesClass(int seed)
    {
        var (table, keys) = RandomMdps.Table(300, 2, 3, seed);
        var partition = PartitionRefinement.Coarsest(table, keys);
        var decoder = ClassDecoder.Build(table, keys, partition);
        for (var s = 0; s < table.States; s++)
        {
            Assert.Equal(partition.ClassOf[s], decoder.Decode(table, keys, s));
        }

        Assert.Equal(partition.Count, decoder.Nodes().Count(n => n.IsLeaf));
        Assert.Equal(partition.Count - 1, decoder.Nodes().Where(n => !n.IsLeaf).Sum(n => n.Children.Length - 1));
    }

    [Fact]
    public void AOneClassMdpHasALeafDecoder()
    {
        var table = TransitionTable.Create(3, 1, [1, 2, 0]);
        var decoder = ClassDecoder.Build(table, [5, 5, 5], Partition.FromLabels([0, 0, 0]));
        Assert.True(decoder.Root.IsLeaf);
    }
}
