using System.Collections.Immutable;
using QuikGraph;
using QuikGraph.Algorithms.Search;

namespace Jepa.Verify.Mdp.Graphs;

/// <summary>
/// An <see cref="MdpModel"/> as a QuikGraph graph: vertices are observation indices
/// <c>0…ObservationCount−1</c>, edges are the model's <see cref="Transition"/>s (tagged by their action),
/// so every QuikGraph algorithm (search, components, condensation, shortest paths) runs on an MDP as it is.
/// </summary>
/// <remarks>
/// The edges are <see cref="MdpModel.Transitions"/> themselves; the view adds one index of out-edges and one
/// of in-edges (compressed rows: two <c>int[]</c> of length <c>n + 1</c> and two of the transition count),
/// built once when the view is made. Parallel edges (two actions leading to the same target) and self-loops are
/// kept: they are distinct transitions. Get it from <see cref="MdpModel.Graph"/>, which builds it once.
/// Partition refinement does not use this view: QuikGraph has no partition refinement, and its per-edge
/// enumerators cost several times the flat successor table <see cref="Bisimulation.PartitionRefinement"/> runs on.
/// </remarks>
/// <example>
/// <code>
/// var scc = new StronglyConnectedComponentsAlgorithm&lt;int, Transition&gt;(mdp.Graph);
/// scc.Compute();   // scc.Components[i] is observation i's component
/// </code>
/// </example>
public sealed class MdpGraph : IBidirectionalGraph<int, Transition>
{
    private readonly ImmutableArray<Transition> edges;
    private readonly int[] outStart;
    private readonly int[] outEdges;
    private readonly int[] inStart;
    private readonly int[] inEdges;

    /// <summary>Builds the view of <paramref name="mdp"/>; prefer <see cref="MdpModel.Graph"/>, which keeps one.</summary>
    /// <param name="mdp">The MDP.</param>
    public MdpGraph(MdpModel mdp)
    {
        ArgumentNullException.ThrowIfNull(mdp);
        Mdp = mdp;
        edges = mdp.Transitions;
        var n = mdp.ObservationCount;
        (outStart, outEdges) = Index(edges, n, static t => t.From);
        (inStart, inEdges) = Index(edges, n, static t => t.To);
    }

    /// <summary>The MDP this graph views.</summary>
    public MdpModel Mdp { get; }

    /// <inheritdoc/>
    public bool IsDirected => true;

    /// <inheritdoc/>
    public bool AllowParallelEdges => true;

    /// <inheritdoc/>
    public bool IsVerticesEmpty => VertexCount == 0;

    /// <inheritdoc/>
    public int VertexCount => outStart.Length - 1;

    /// <inheritdoc/>
    public IEnumerable<int> Vertices => Enumerable.Range(0, VertexCount);

    /// <inheritdoc/>
    public bool IsEdgesEmpty => edges.IsEmpty;

    /// <inheritdoc/>
    public int EdgeCount => edges.Length;

    /// <inheritdoc/>
    public IEnumerable<Transition> Edges => edges;

    /// <inheritdoc/>
    public bool ContainsVertex(int vertex) => (uint)vertex < (uint)VertexCount;

    /// <inheritdoc/>
    public bool ContainsEdge(Transition edge)
    {
        if (ContainsVertex(edge.From))
        {
            foreach (var i in OutSpan(edge.From))
            {
                if (edges[i] == edge)
                {
                    return true;
                }
            }
        }

        return false;
    }

    /// <inheritdoc/>
    public bool ContainsEdge(int source, int target) => TryGetEdge(source, target, out _);

    /// <inheritdoc/>
    public bool TryGetEdge(int source, int target, out Transition edge)
    {
        if (ContainsVertex(source) && ContainsVertex(target))
        {
            foreach (var i in OutSpan(source))
            {
                if (edges[i].To == target)
                {
                    edge = edges[i];
                    return true;
                }
            }
        }

        edge = default;
        return false;
    }

    /// <inheritdoc/>
    public bool TryGetEdges(int source, int target, out IEnumerable<Transition> edges)
    {
        if (ContainsVertex(source) && ContainsVertex(target))
        {
            edges = OutEdges(source).Where(t => t.To == target);
            return true;
        }

        edges = [];
        return false;
    }

    /// <inheritdoc/>
    public bool IsOutEdgesEmpty(int vertex) => OutDegree(vertex) == 0;

    /// <inheritdoc/>
    public int OutDegree(int vertex) => Degree(outStart, Check(vertex));

    /// <inheritdoc/>
    public IEnumerable<Transition> OutEdges(int vertex) => Range(outStart, outEdges, Check(vertex));

    /// <inheritdoc/>
    public bool TryGetOutEdges(int vertex, out IEnumerable<Transition> edges)
    {
        edges = ContainsVertex(vertex) ? OutEdges(vertex) : [];
        return ContainsVertex(vertex);
    }

    /// <inheritdoc/>
    public Transition OutEdge(int vertex, int index) => edges[outEdges[Slot(outStart, vertex, index)]];

    /// <inheritdoc/>
    public bool IsInEdgesEmpty(int vertex) => InDegree(vertex) == 0;

    /// <inheritdoc/>
    public int InDegree(int vertex) => Degree(inStart, Check(vertex));

    /// <inheritdoc/>
    public IEnumerable<Transition> InEdges(int vertex) => Range(inStart, inEdges, Check(vertex));

    /// <inheritdoc/>
    public bool TryGetInEdges(int vertex, out IEnumerable<Transition> edges)
    {
        edges = ContainsVertex(vertex) ? InEdges(vertex) : [];
        return ContainsVertex(vertex);
    }

    /// <inheritdoc/>
    public Transition InEdge(int vertex, int index) => edges[inEdges[Slot(inStart, vertex, index)]];

    /// <inheritdoc/>
    public int Degree(int vertex) => InDegree(vertex) + OutDegree(vertex);

    /// <summary>Which observations some path from <paramref name="initial"/> reaches (the initial ones included), by QuikGraph's breadth-first search.</summary>
    /// <param name="initial">Observation indices to start from.</param>
    /// <returns>One flag per observation.</returns>
    /// <exception cref="ArgumentOutOfRangeException">An index is not an observation's.</exception>
    public bool[] ReachableFrom(IReadOnlyList<int> initial)
    {
        ArgumentNullException.ThrowIfNull(initial);
        foreach (var i in initial)
        {
            Check(i);
        }

        var rooted = new RootedView(this, initial);
        var colors = new VertexMap<GraphColor>(rooted.VertexCount);
        var bfs = new BreadthFirstSearchAlgorithm<int, Transition>(null, rooted, new QuikGraph.Collections.Queue<int>(), colors);
        bfs.Compute(rooted.Root);
        var reached = new bool[VertexCount];
        for (var v = 0; v < reached.Length; v++)
        {
            reached[v] = colors[v] != GraphColor.White;
        }

        return reached;
    }

    /// <summary>The indices into <see cref="MdpModel.Transitions"/> of <paramref name="vertex"/>'s out-edges.</summary>
    internal ReadOnlySpan<int> OutSpan(int vertex) => outEdges.AsSpan(outStart[vertex], outStart[vertex + 1] - outStart[vertex]);

    private IEnumerable<Transition> Range(int[] start, int[] order, int vertex)
    {
        for (var i = start[vertex]; i < start[vertex + 1]; i++)
        {
            yield return edges[order[i]];
        }
    }

    private static int Degree(int[] start, int vertex) => start[vertex + 1] - start[vertex];

    private int Check(int vertex) =>
        ContainsVertex(vertex) ? vertex : throw new ArgumentOutOfRangeException(nameof(vertex), vertex, $"not an observation index (0…{VertexCount - 1})");

    private int Slot(int[] start, int vertex, int index)
    {
        var degree = Degree(start, Check(vertex));
        return (uint)index < (uint)degree ? start[vertex] + index : throw new ArgumentOutOfRangeException(nameof(index), index, $"observation {vertex} has {degree} edge(s) this way");
    }

    /// <summary>Compressed rows: <c>start[v]…start[v+1]</c> indexes <c>order</c>, which holds edge indices grouped by key, in edge order.</summary>
    private static (int[] Start, int[] Order) Index(ImmutableArray<Transition> edges, int n, Func<Transition, int> key)
    {
        var start = new int[n + 1];
        foreach (var t in edges)
        {
            start[key(t) + 1]++;
        }

        for (var i = 0; i < n; i++)
        {
            start[i + 1] += start[i];
        }

        var order = new int[edges.Length];
        var fill = start[..n];
        for (var i = 0; i < edges.Length; i++)
        {
            order[fill[key(edges[i])]++] = i;
        }

        return (start, order);
    }
}

