using QuikGraph;

namespace Jepa.Verify.Mdp.Graphs;

/// <summary>Builds an <see cref="MdpModel"/> from a graph a user already has in QuikGraph.</summary>
public static class GraphImport
{
    /// <summary>
    /// The MDP whose observations are <paramref name="graph"/>'s vertices (in <see cref="IVertexSet{TVertex}.Vertices"/>
    /// order) and whose transitions are its edges, each tagged with an action by <paramref name="action"/>
    /// (actions are numbered in order of first appearance).
    /// </summary>
    /// <typeparam name="TVertex">The vertex type; vertices are told apart by their default equality, as QuikGraph does.</typeparam>
    /// <typeparam name="TEdge">The edge type.</typeparam>
    /// <param name="graph">A directed graph: two edges from one vertex with the same action make the MDP non-deterministic, which <see cref="Conditions.ConditionChecker"/> reports.</param>
    /// <param name="id">A vertex's observation id, e.g. <c>v =&gt; v.Name</c>; two vertices with one id are reported as a duplicate id (the first one's aux value is kept) and share its index.</param>
    /// <param name="aux">A vertex's auxiliary value, e.g. <c>v =&gt; AuxValue.Scalar(v.Reward)</c>.</param>
    /// <param name="action">An edge's action name, e.g. <c>e =&gt; e.Tag</c>.</param>
    /// <param name="source">What to call the MDP in messages (default <c>graph</c>).</param>
    /// <returns>The MDP; identical repeated edges count once, as in files.</returns>
    /// <exception cref="ArgumentException">An edge's source or target is not one of the graph's vertices, or a callback returned null.</exception>
    /// <example>
    /// <code>
    /// var g = new AdjacencyGraph&lt;int, TaggedEdge&lt;int, string&gt;&gt;();
    /// g.AddVerticesAndEdge(new TaggedEdge&lt;int, string&gt;(0, 1, "right"));
    /// var mdp = GraphImport.ToMdp(g, v =&gt; $"s{v}", v =&gt; AuxValue.Scalar(v == 1 ? 1 : 0), e =&gt; e.Tag);
    /// </code>
    /// </example>
    public static MdpModel ToMdp<TVertex, TEdge>(
        IVertexAndEdgeListGraph<TVertex, TEdge> graph,
        Func<TVertex, string> id,
        Func<TVertex, AuxValue> aux,
        Func<TEdge, string> action,
        string source = "graph")
        where TVertex : notnull
        where TEdge : IEdge<TVertex>
    {
        ArgumentNullException.ThrowIfNull(graph);
        ArgumentNullException.ThrowIfNull(id);
        ArgumentNullException.ThrowIfNull(aux);
        ArgumentNullException.ThrowIfNull(action);
        var builder = new MdpBuilder(source);
        var index = new Dictionary<TVertex, int>(graph.VertexCount);
        foreach (var v in graph.Vertices)
        {
            var name = id(v) ?? throw new ArgumentException($"the id of vertex {v} is null", nameof(id));
            var (i, isNew) = builder.AddObservation(name);
            index.TryAdd(v, i);
            if (isNew)
            {
                builder.SetAux(i, aux(v));
            }
        }

        foreach (var e in graph.Edges)
        {
            var name = action(e) ?? throw new ArgumentException($"the action of edge {e} is null", nameof(action));
            builder.AddTransition(Vertex(index, e.Source, e), builder.GetOrAddAction(name), Vertex(index, e.Target, e));
        }

        return builder.Build();
    }

    private static int Vertex<TVertex, TEdge>(Dictionary<TVertex, int> index, TVertex v, TEdge e)
        where TVertex : notnull =>
        index.TryGetValue(v, out var i) ? i : throw new ArgumentException($"edge {e} names vertex {v}, which is not one of the graph's vertices", "graph");
}
