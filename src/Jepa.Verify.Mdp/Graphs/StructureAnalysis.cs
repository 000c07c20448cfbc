using System.Collections.Immutable;
using QuikGraph.Algorithms.ConnectedComponents;

namespace Jepa.Verify.Mdp.Graphs;

/// <summary>
/// The structure section of <c>conditions</c>: components of an MDP's transition graph, computed by QuikGraph's
/// algorithms on <see cref="MdpModel.Graph"/>.
/// </summary>
public static class StructureAnalysis
{
    /// <summary>How many members each list of the report names.</summary>
    public const int MaxItems = 5;

    /// <summary>Above this many distinct sets of observed actions, <see cref="DatasetStructure.PairsWithoutCommonAction"/> is not counted (the count is quadratic in them).</summary>
    public const int MaxActionSets = 4096;

    /// <summary>Computes the structure of <paramref name="mdp"/>'s transition graph.</summary>
    /// <param name="mdp">The MDP; it need not satisfy the theorem's hypotheses (non-determinism and missing transitions are fine).</param>
    /// <returns>The structure; its dataset part is null when every (observation, action) pair has a transition.</returns>
    /// <remarks>
    /// Strongly and weakly connected components are QuikGraph's (Tarjan's algorithm on its depth-first search, and
    /// its weak-component search), writing component numbers into an array-backed map; the rest is one pass over
    /// the transitions. QuikGraph keeps its search state in dictionaries, which is most of the cost on large MDPs
    /// (7.6 s for the strong components of 10^6 observations × 4 actions; docs/benchmarks.md).
    /// </remarks>
    public static GraphStructure Compute(MdpModel mdp)
    {
        ArgumentNullException.ThrowIfNull(mdp);
        var graph = mdp.Graph;
        var n = mdp.ObservationCount;
        var componentOf = new VertexMap<int>(n);
        var scc = new StronglyConnectedComponentsAlgorithm<int, Transition>(graph, componentOf);
        scc.Compute();
        var count = scc.ComponentCount;
        var size = new int[count];
        for (var v = 0; v < n; v++)
        {
            size[componentOf[v]]++;
        }

        var leaves = new bool[count];
        var selfLoop = new bool[n];
        foreach (var t in mdp.Transitions)
        {
            if (componentOf[t.From] != componentOf[t.To])
            {
                leaves[componentOf[t.From]] = true;
            }
            else if (t.From == t.To)
            {
                selfLoop[t.From] = true;
            }
        }

        var members = new List<int>[count];
        var transient = new List<int>();
        var transientCount = 0;
        for (var v = 0; v < n; v++)
        {
            var c = componentOf[v];
            if (!leaves[c])
            {
                members[c] ??= [];
                if (members[c].Count < MaxItems)
                {
                    members[c].Add(v);
                }
            }

            if (size[c] == 1 && !selfLoop[v])
            {
                transientCount++;
                if (transient.Count < MaxItems)
                {
                    transient.Add(v);
                }
            }
        }

        var closed = Enumerable.Range(0, count).Where(c => !leaves[c]).ToList();
        var firstClosed = closed
            .OrderByDescending(c => size[c]).ThenBy(c => members[c][0])
            .Take(MaxItems)
            .Select(c => new GraphComponent(size[c], [.. members[c]]))
            .ToImmutableArray();
        return new GraphStructure(count, size.DefaultIfEmpty().Max(), closed.Count, firstClosed, transientCount, [.. transient], Dataset(mdp));
    }

    private static DatasetStructure? Dataset(MdpModel mdp)
    {
        var n = mdp.ObservationCount;
        var k = mdp.ActionCount;
        var graph = mdp.Graph;
        if (ObservedPairs(mdp) == (long)n * k)
        {
            return null;
        }

        var componentOf = new VertexMap<int>(n);
        var weak = new WeaklyConnectedComponentsAlgorithm<int, Transition>(graph, componentOf);
        weak.Compute();
        var size = new int[weak.ComponentCount];
        var deadEnds = new List<int>();
        var deadEndCount = 0;
        for (var v = 0; v < n; v++)
        {
            size[componentOf[v]]++;
            if (graph.IsOutEdgesEmpty(v))
            {
                deadEndCount++;
                if (deadEnds.Count < MaxItems)
                {
                    deadEnds.Add(v);
                }
            }
        }

        return new DatasetStructure(weak.ComponentCount, size.DefaultIfEmpty().Max(), deadEndCount, [.. deadEnds], (long)n * (n - 1) / 2, PairsWithoutCommonAction(mdp));
    }

    /// <summary>How many (observation, action) pairs have at least one transition.</summary>
    private static long ObservedPairs(MdpModel mdp)
    {
        var seenBy = new int[mdp.ActionCount];
        Array.Fill(seenBy, -1);
        long pairs = 0;
        for (var v = 0; v < mdp.ObservationCount; v++)
        {
            foreach (var i in mdp.Graph.OutSpan(v))
            {
                var a = mdp.Transitions[i].Action;
                if (seenBy[a] != v)
                {
                    seenBy[a] = v;
                    pairs++;
                }
            }
        }

        return pairs;
    }

    /// <summary>
    /// Pairs of distinct observations with no action observed from both: observations are grouped by their set
    /// of observed actions (a bit mask), and two groups contribute the product of their sizes when the masks are disjoint.
    /// </summary>
    private static long? PairsWithoutCommonAction(MdpModel mdp)
    {
        if (mdp.ActionCount > 64)
        {
            return null;
        }

        var masks = new ulong[mdp.ObservationCount];
        foreach (var t in mdp.Transitions)
        {
            masks[t.From] |= 1UL << t.Action;
        }

        var groups = masks.CountBy(m => m).ToArray();
        if (groups.Length > MaxActionSets)
        {
            return null;
        }

        long pairs = 0;
        for (var i = 0; i < groups.Length; i++)
        {
            var (mi, ci) = (groups[i].Key, (long)groups[i].Value);
            if (mi == 0)
            {
                pairs += ci * (ci - 1) / 2;
            }

            for (var j = i + 1; j < groups.Length; j++)
            {
                if ((mi & groups[j].Key) == 0)
                {
                    pairs += ci * groups[j].Value;
                }
            }
        }

        return pairs;
    }
}
