using FsCheck.Xunit;
using Jepa.Verify.Mdp.Bisimulation;
using Jepa.Verify.Properties.Generators;
using Jepa.Verify.Testing.Generators;

namespace Jepa.Verify.Properties;

/// <summary>Tests for <see cref="DistinguishabilityRelation"/> and <see cref="WitnessFinder"/> as properties over random MDPs.</summary>
[Properties(Replay = PropertyConfig.Replay)]
public sealed class RelationProperties
{
    [Property(Arbitrary = new[] { typeof(MdpArbitraries) }, MaxTest = 300, EndSize = 12)]
    public bool RelationEqualsThePartitionWhenTheDataAreComplete(MdpSpec m)
    {
        var p = PartitionRefinement.Coarsest(m.Table, m.Keys);
        var r = DistinguishabilityRelation.Compute(m.Table, m.Keys);
        for (var i = 0; i < m.States; i++)
        {
            for (var j = 0; j < m.States; j++)
            {
                if (r.IsDistinguished(i, j) == p.SameClass(i, j))
                {
                    return false;
                }
            }
        }

        return true;
    }

    [Property(Arbitrary = new[] { typeof(DatasetArbitraries) }, MaxTest = 300, EndSize = 12)]
    public bool RelationEqualsTheNaiveFixpointOnPartialData(MdpSpec m)
    {
        var r = DistinguishabilityRelation.Compute(m.Table, m.Keys);
        var naive = Naive.Distinguishable(m);
        long count = 0;
        for (var i = 0; i < m.States; i++)
        {
            for (var j = 0; j < m.States; j++)
            {
                if (r.IsDistinguished(i, j) != naive[i, j])
                {
                    return false;
                }

                count += i < j && naive[i, j] ? 1 : 0;
            }
        }

        return r.DistinguishedCount == count && r.Undistinguished().Count() == r.PairCount - count;
    }

    [Property(Arbitrary = new[] { typeof(MdpArbitraries) }, MaxTest = 200, EndSize = 12)]
    public bool EveryPartitionWitnessReplaysAndIsAsShortAsUnprunedSearch(MdpSpec m) =>
        WitnessesAreSound(m, Bisimilarity.Compute(m.Table, m.Keys));

    [Property(Arbitrary = new[] { typeof(DatasetArbitraries) }, MaxTest = 200, EndSize = 12)]
    public bool EveryRelationWitnessReplaysAndIsAsShortAsUnprunedSearch(MdpSpec m) =>
        WitnessesAreSound(m, Bisimilarity.Compute(m.Table, m.Keys));

    private static bool WitnessesAreSound(MdpSpec m, BisimulationResult result)
    {
        for (var i = 0; i < m.States; i++)
        {
            for (var j = 0; j < m.States; j++)
            {
                var w = result.Witness(i, j);
                var naive = Naive.ShortestDistinguishingLength(m, i, j);
                if (w is null)
                {
                    if (naive != -1 || result.AreDistinguished(i, j))
                    {
                        return false;
                    }

                    continue;
                }

                if (!result.AreDistinguished(i, j) || w.Actions.Length != naive)
                {
                    return false;
                }

                // Replay: both sides follow the sequence, and only the last step shows different aux.
                var (u, v) = (i, j);
                foreach (var a in w.Actions)
                {
                    if (m.Aux[u] != m.Aux[v])
                    {
                        return false;
                    }

                    (u, v) = (m.Successors[u * m.Actions + a], m.Successors[v * m.Actions + a]);
                    if (u < 0 || v < 0)
                    {
                        return false;
                    }
                }

                if (m.Aux[u] == m.Aux[v] || (u, v) != (w.EndA, w.EndB))
                {
                    return false;
                }
            }
        }

        return true;
    }
}
