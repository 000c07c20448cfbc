using FsCheck;
using FsCheck.Fluent;
using Jepa.Verify.Mdp.Bisimulation;
using Jepa.Verify.Mdp.Formats;
using Jepa.Verify.Properties.Generators;
using Jepa.Verify.Testing.Generators;
using Xunit;

namespace Jepa.Verify.Properties;

/// <summary>Tests for <see cref="PartitionRefinement"/>, <see cref="Bisimilarity"/> and <see cref="Quotient"/> as properties over random MDPs.</summary>
public sealed class BisimulationProperties
{
    [Fact]
    public void PartitionIsABisimulation()
    {
        Prop.ForAll(MdpGenerators.Complete(), m =>
        {
            var p = PartitionRefinement.Coarsest(m.Table, m.Keys);
            for (var s = 0; s < m.States; s++)
            {
                for (var t = 0; t < m.States; t++)
                {
                    if (!p.SameClass(s, t))
                    {
                        continue;
                    }

                    if (m.Aux[s] != m.Aux[t])
                    {
                        return false;
                    }

                    for (var a = 0; a < m.Actions; a++)
                    {
                        if (!p.SameClass(m.Successors[s * m.Actions + a], m.Successors[t * m.Actions + a]))
                        {
                            return false;
                        }
                    }
                }
            }

            return true;
        }).Check(PropertyConfig.Runs(300));
    }

    [Fact]
    public void PartitionIsTheCoarsestBisimulationOnSmallMdps()
    {
        Prop.ForAll(MdpGenerators.Complete(), m =>
            PartitionRefinement.Coarsest(m.Table, m.Keys).ClassOf.SequenceEqual(Partition.FromLabels(Naive.Bisimulation(m)).ClassOf))
            .Check(PropertyConfig.Runs(500));
    }

    [Fact]
    public void PartitionIsTheCoarsestBisimulationOnLargerMdps()
    {
        Prop.ForAll(MdpGenerators.Complete(maxStates: 200), m =>
            PartitionRefinement.Coarsest(m.Table, m.Keys).ClassOf.SequenceEqual(Partition.FromLabels(Naive.Bisimulation(m)).ClassOf))
            .Check(PropertyConfig.Runs(100));
    }

    [Fact]
    public void PartitionIsInvariantUnderRenamingObservationsAndActions()
    {
        Prop.ForAll(MdpGenerators.Complete(), Arb.From(Gen.Choose(0, int.MaxValue)), (m, seed) =>
        {
            var rng = new Random(seed);
            var stateOrder = Enumerable.Range(0, m.States).OrderBy(_ => rng.Next()).ToArray();
            var actionOrder = Enumerable.Range(0, m.Actions).OrderBy(_ => rng.Next()).ToArray();

            // The same MDP with observations and actions renamed and declared in another order.
            var renamed = new MdpSpec(m.States, m.Actions, new int[m.Successors.Length], new int[m.States]);
            for (var s = 0; s < m.States; s++)
            {
                renamed.Aux[stateOrder[s]] = m.Aux[s];
                for (var a = 0; a < m.Actions; a++)
                {
                    renamed.Successors[stateOrder[s] * m.Actions + actionOrder[a]] = stateOrder[m.Successors[s * m.Actions + a]];
                }
            }

            var original = Bisimilarity.Compute(m.ToMdp()).Partition!;
            var mdp = renamed.ToMdp(i => $"obs-{i * 7919 % 1000}-{i}", a => $"act{a}");
            var result = Bisimilarity.Compute(mdp).Partition!;
            for (var s = 0; s < m.States; s++)
            {
                for (var t = 0; t < m.States; t++)
                {
                    if (original.SameClass(s, t) != result.SameClass(stateOrder[s], stateOrder[t]))
                    {
                        return false;
                    }
                }
            }

            return original.Count == result.Count;
        }).Check(PropertyConfig.Runs(200));
    }

    [Fact]
    public void QuotientHasADiscretePartitionAndSurvivesJson()
    {
        Prop.ForAll(MdpGenerators.Complete(), m =>
        {
            var mdp = m.ToMdp();
            var quotient = Quotient.Build(mdp, Bisimilarity.Compute(mdp));
            var reread = MdpJsonReader.Read("quotient.json", System.Text.Encoding.UTF8.GetBytes(MdpJsonWriter.Write(quotient)));
            var p = Bisimilarity.Compute(reread).Partition!;
            return p.Count == reread.ObservationCount && reread.ObservationCount == Bisimilarity.Compute(mdp).Partition!.Count;
        }).Check(PropertyConfig.Runs(200));
    }

    [Fact]
    public void SinkPartitionEqualsTheFixpointWithMissingTransitionsAsASink()
    {
        Prop.ForAll(MdpGenerators.Partial(), m =>
        {
            var result = Bisimilarity.Compute(m.Table, m.Keys, new BisimulationOptions(Missing: MissingTransitions.Sink));
            return result.Partition!.ClassOf.SequenceEqual(Partition.FromLabels(Naive.Bisimulation(m)).ClassOf);
        }).Check(PropertyConfig.Runs(300));
    }
}
