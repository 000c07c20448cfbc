using FsCheck.Xunit;
using Jepa.Verify.Mdp.Bisimulation;
using Jepa.Verify.Mdp.Formats;
using Jepa.Verify.Mdp.Graphs;
using Jepa.Verify.Properties.Generators;
using Jepa.Verify.Testing.Generators;
using QuikGraph;

namespace Jepa.Verify.Properties;

/// <summary>Tests for <see cref="PartitionRefinement"/>, <see cref="Bisimilarity"/> and <see cref="Quotient"/> as properties over random MDPs.</summary>
[Properties(Replay = PropertyConfig.Replay)]
public sealed class BisimulationProperties
{
    [Property(Arbitrary = new[] { typeof(MdpArbitraries) }, MaxTest = 300, EndSize = 12)]
    public bool PartitionIsABisimulation(MdpSpec m)
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
    }

    [Property(Arbitrary = new[] { typeof(MdpArbitraries) }, MaxTest = 500, EndSize = 12)]
    public bool PartitionIsTheCoarsestBisimulationOnSmallMdps(MdpSpec m) =>
        PartitionRefinement.Coarsest(m.Table, m.Keys).ClassOf.SequenceEqual(Partition.FromLabels(Naive.Bisimulation(m)).ClassOf);

    [Property(Arbitrary = new[] { typeof(MdpArbitraries) }, MaxTest = 100, EndSize = 200)]
    public bool PartitionIsTheCoarsestBisimulationOnLargerMdps(MdpSpec m) =>
        PartitionRefinement.Coarsest(m.Table, m.Keys).ClassOf.SequenceEqual(Partition.FromLabels(Naive.Bisimulation(m)).ClassOf);

    [Property(Arbitrary = new[] { typeof(MdpArbitraries) }, MaxTest = 200, EndSize = 12)]
    public bool PartitionIsInvariantUnderRenamingObservationsAndActions(MdpSpec m, int seed)
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
    }

    [Property(Arbitrary = new[] { typeof(MdpArbitraries) }, MaxTest = 200, EndSize = 12)]
    public bool AGraphImportedThroughQuikGraphHasTheClassesOfTheJsonFile(MdpSpec m)
    {
        var mdp = MdpJsonReader.Read("spec.json", System.Text.Encoding.UTF8.GetBytes(MdpJsonWriter.Write(m.ToMdp())));
        var graph = new AdjacencyGraph<string, TaggedEdge<string, string>>();
        graph.AddVertexRange(mdp.Observations);
        graph.AddEdgeRange(mdp.Transitions.Select(t => new TaggedEdge<string, string>(mdp.Observations[t.From], mdp.Observations[t.To], mdp.Actions[t.Action])));
        var imported = GraphImport.ToMdp(graph, v => v, v => mdp.Aux[mdp.IndexOfObservation(v)], e => e.Tag);
        return Bisimilarity.Compute(imported).Partition!.ClassOf.SequenceEqual(Bisimilarity.Compute(mdp).Partition!.ClassOf);
    }

    [Property(Arbitrary = new[] { typeof(MdpArbitraries) }, MaxTest = 200, EndSize = 12)]
    public bool QuotientHasADiscretePartitionAndSurvivesJson(MdpSpec m)
    {
        var mdp = m.ToMdp();
        var quotient = Quotient.Build(mdp, Bisimilarity.Compute(mdp));
        var reread = MdpJsonReader.Read("quotient.json", System.Text.Encoding.UTF8.GetBytes(MdpJsonWriter.Write(quotient)));
        var p = Bisimilarity.Compute(reread).Partition!;
        return p.Count == reread.ObservationCount && reread.ObservationCount == Bisimilarity.Compute(mdp).Partition!.Count;
    }

    [Property(Arbitrary = new[] { typeof(DatasetArbitraries) }, MaxTest = 300, EndSize = 12)]
    public bool SinkPartitionEqualsTheFixpointWithMissingTransitionsAsASink(MdpSpec m)
    {
        var result = Bisimilarity.Compute(m.Table, m.Keys, new BisimulationOptions(Missing: MissingTransitions.Sink));
        return result.Partition!.ClassOf.SequenceEqual(Partition.FromLabels(Naive.Bisimulation(m)).ClassOf);
    }
}
