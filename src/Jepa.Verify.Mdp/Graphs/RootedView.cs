using QuikGraph;

namespace Jepa.Verify.Mdp.Graphs;

/// <summary>
/// An <see cref="MdpGraph"/> plus one extra vertex, <c>n</c> (the observation count), with an edge to each
/// initial observation: QuikGraph's searches start from one root, and reachability from a set is
/// reachability from this super-source. The extra edges carry the action <c>−1</c>.
/// </summary>
internal sealed class RootedView(MdpGraph graph, IReadOnlyList<int> initial) : IVertexListGraph<int, Transition>
{
    /// <summary>The super-source.</summary>
    public int Root => graph.VertexCount;

    public bool IsDirected => true;

    public bool AllowParallelEdges => true;

    public bool IsVerticesEmpty => false;

    public int VertexCount => graph.VertexCount + 1;

    public IEnumerable<int> Vertices => Enumerable.Range(0, VertexCount);

    public bool ContainsVertex(int vertex) => vertex == Root || graph.ContainsVertex(vertex);

    public bool IsOutEdgesEmpty(int vertex) => OutDegree(vertex) == 0;

    public int OutDegree(int vertex) => vertex == Root ? initial.Count : graph.OutDegree(vertex);

    public IEnumerable<Transition> OutEdges(int vertex) => vertex == Root ? initial.Select(i => new Transition(Root, -1, i)) : graph.OutEdges(vertex);

    public bool TryGetOutEdges(int vertex, out IEnumerable<Transition> edges)
    {
        edges = ContainsVertex(vertex) ? OutEdges(vertex) : [];
        return ContainsVertex(vertex);
    }

    public bool ContainsEdge(int source, int target) => TryGetEdge(source, target, out _);

    public bool TryGetEdge(int source, int target, out Transition edge)
    {
        edge = ContainsVertex(source) ? OutEdges(source).FirstOrDefault(t => t.To == target, new Transition(-1, -1, -1)) : new Transition(-1, -1, -1);
        return edge.From >= 0;
    }

    public bool TryGetEdges(int source, int target, out IEnumerable<Transition> edges)
    {
        edges = ContainsVertex(source) ? OutEdges(source).Where(t => t.To == target) : [];
        return ContainsVertex(source);
    }

    public Transition OutEdge(int vertex, int index) => vertex == Root ? new Transition(Root, -1, initial[index]) : graph.OutEdge(vertex, index);
}
