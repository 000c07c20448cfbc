using FsCheck.Xunit;
using Jepa.Verify.Mdp.Bisimulation;
using Jepa.Verify.Proofs;
using Jepa.Verify.Properties.Generators;
using Jepa.Verify.Testing.Generators;
using Jepa.Verify.Smt.Solvers;

namespace Jepa.Verify.Properties;

/// <summary>Tests for <see cref="FiniteAbstraction"/> and <see cref="AbstractionProver"/> as properties over small random MDPs, checked by Z3.</summary>
[Properties(Replay = PropertyConfig.Replay)]
public sealed class SmtProperties
{
    private static readonly SolverOptions Options = new(TimeSpan.FromSeconds(30));
    private static readonly SolverPanel Z3 = SolverPanel.For("z3");

    private static FiniteAbstraction Abstraction(MdpSpec m)
    {
        var partition = PartitionRefinement.Coarsest(m.Table, m.Keys);
        return new FiniteAbstraction(
            m.Table,
            m.Keys,
            partition,
            [.. Enumerable.Range(0, m.States).Select(s => "s" + s)],
            [.. Enumerable.Range(0, m.Actions).Select(a => "a" + a)],
            [.. Enumerable.Range(0, m.Aux.Max() + 1).Select(v => v.ToString(System.Globalization.CultureInfo.InvariantCulture))]);
    }

    [Property(Arbitrary = new[] { typeof(MdpArbitraries) }, MaxTest = 40, EndSize = 6)]
    public bool TheLeastLatentCountFoundBySearchEqualsTheClassCount(MdpSpec m)
    {
    // An independent search: no class is pinned, only a symmetry breaking sound for any answer.
        var a = Abstraction(m);
        var least = Enumerable.Range(1, m.States).First(k => Z3.Check(a.LatentsQuery(k, pinClasses: false), Options).Status == SolverStatus.Sat);
        return least == a.Partition.Count;
    }

    [Property(Arbitrary = new[] { typeof(MdpArbitraries) }, MaxTest = 40, EndSize = 10)]
    public bool CollapseIsImpossibleAndMinLatentsIsTheClassCount(MdpSpec m)
    {
        var proof = AbstractionProver.Prove(Abstraction(m), Z3, Options);
        return proof.Verdict == ProofVerdict.Verified && proof.CollapsePossible == false
            && proof.MinLatents == proof.Classes && proof.EncoderMatchesPartition;
    }

    [Property(Arbitrary = new[] { typeof(MdpArbitraries) }, MaxTest = 40, EndSize = 6)]
    public bool SharingALatentIsPossibleExactlyForBisimilarPairs(MdpSpec m)
    {
        var a = Abstraction(m);
        for (var i = 0; i < m.States; i++)
        {
            for (var j = i + 1; j < m.States; j++)
            {
                var status = Z3.Check(a.MergeQuery(i, j), Options).Status;
                if (status != (a.Partition.SameClass(i, j) ? SolverStatus.Sat : SolverStatus.Unsat))
                {
                    return false;
                }
            }
        }

        return true;
    }

    [Property(Arbitrary = new[] { typeof(MdpArbitraries) }, MaxTest = 300, EndSize = 40)]
    public bool TheDecoderRecoversEveryClass(MdpSpec m)
    {
        var partition = PartitionRefinement.Coarsest(m.Table, m.Keys);
        var decoder = ClassDecoder.Build(m.Table, m.Keys, partition);
        return Enumerable.Range(0, m.States).All(s => decoder.Decode(m.Table, m.Keys, s) == partition.ClassOf[s]);
    }
}
