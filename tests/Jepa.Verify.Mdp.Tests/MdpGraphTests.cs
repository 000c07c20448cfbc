using Jepa.Verify.Environments;
using Jepa.Verify.Mdp.Bisimulation;
using Jepa.Verify.Mdp.Formats;
using Jepa.Verify.Mdp.Graphs;
using QuikGraph;
using QuikGraph.Algorithms;
using Xunit;

namespace Jepa.Verify.Mdp.Tests;

/// <summary>Tests for <see cref="MdpGraph"/>, <see cref="GraphImport"/> and <see cref="StructureAnalysis"/>.</summary>
public sealed class MdpGraphTests
{
    private static MdpModel Json(string text) => MdpJsonReader.Read("g.json", System.Text.Encoding.UTF8.GetBytes(text));

    [Fact]
    public void TheViewHasTheTransitionsAsEdgesAndIndexesThemBothWays()
    {
        var mdp = MdpLoader.Load(TestFiles.Example("gridworld.json"));
        var g = mdp.Graph;
        Assert.Same(g, mdp.Graph);
        Assert.Equal(mdp.ObservationCount, g.VertexCount);
        Assert.Equal(mdp.Transitions.AsEnumerable(), g.Edges);
        for (var v = 0; v < mdp.ObservationCount; v++)
        {
            Assert.Equal(mdp.Transitions.Where(t => t.From == v), g.OutEdges(v));
            Assert.Equal(mdp.Transitions.Where(t => t.To == v), g.InEdges(v));
            Assert.Equal(g.OutDegree(v), g.OutEdges(v).Count());
            for (var i = 0; i < g.InDegree(v); i++)
            {
                Assert.Equal(v, g.InEdge(v, i).To);
            }
        }

        var t0 = mdp.Transitions[0];
        Assert.True(g.ContainsEdge(t0));
        Assert.True(g.TryGetEdge(t0.From, t0.To, out var found) && found.To == t0.To);
        Assert.False(g.ContainsEdge(t0 with { Action = mdp.ActionCount }));
        Assert.False(g.ContainsVertex(mdp.ObservationCount));
        Assert.Throws<ArgumentOutOfRangeException>(() => g.OutDegree(-1));
        Assert.Throws<ArgumentOutOfRangeException>(() => g.OutEdge(t0.From, g.OutDegree(t0.From)));
    }

    [Fact]
    public void QuikGraphAlgorithmsRunOnTheViewAsOnACopyInQuikGraphsOwnGraph()
    {
        var mdp = ClassicMdps.Counting();
        var copy = mdp.Transitions.ToBidirectionalGraph<int, Transition>();
        copy.AddVertexRange(Enumerable.Range(0, mdp.ObservationCount));
        var viewComponents = new Dictionary<int, int>();
        var copyComponents = new Dictionary<int, int>();
        Assert.Equal(copy.StronglyConnectedComponents(copyComponents), mdp.Graph.StronglyConnectedComponents(viewComponents));
        Assert.Equal(copyComponents.OrderBy(kv => kv.Key), viewComponents.OrderBy(kv => kv.Key));
        var viewWeak = new Dictionary<int, int>();
        var copyWeak = new Dictionary<int, int>();
        Assert.Equal(copy.WeaklyConnectedComponents(copyWeak), mdp.Graph.WeaklyConnectedComponents(viewWeak));
        Assert.Equal(copyWeak.OrderBy(kv => kv.Key), viewWeak.OrderBy(kv => kv.Key));
        Assert.Equal(copy.Roots(), mdp.Graph.Roots());
    }

    [Theory]
    [InlineData("counting.json")]
    [InlineData("gridworld.json")]
    [InlineData("counting.aut")]
    public void AGraphImportedFromQuikGraphHasTheClassesOfTheFile(string example)
    {
        var mdp = MdpLoader.Load(TestFiles.Example(example), auxFile: example.EndsWith(".aut", StringComparison.Ordinal) ? TestFiles.Example("counting-aut-aux.csv") : null);

        // The user's graph: string vertices and QuikGraph's tagged edges, built without our types.
        var user = new AdjacencyGraph<string, TaggedEdge<string, string>>();
        user.AddVertexRange(mdp.Observations);
        user.AddEdgeRange(mdp.Transitions.Select(t => new TaggedEdge<string, string>(mdp.Observations[t.From], mdp.Observations[t.To], mdp.Actions[t.Action])));
        var aux = mdp.Observations.Select((id, i) => (id, mdp.Aux[i])).ToDictionary();
        var imported = GraphImport.ToMdp(user, v => v, v => aux[v], e => e.Tag, "user graph");

        Assert.Equal(mdp.Observations.AsEnumerable(), imported.Observations);
        Assert.Equal(Bisimilarity.Compute(mdp).Partition!.ClassOf.AsEnumerable(), Bisimilarity.Compute(imported).Partition!.ClassOf);
    }

    [Fact]
    public void ImportRefusesAnEdgeToAVertexTheGraphDoesNotHave()
    {
        var full = new AdjacencyGraph<int, TaggedEdge<int, string>>();
        full.AddVerticesAndEdge(new TaggedEdge<int, string>(0, 1, "go"));
        var user = new VertexHidingGraph(full, hidden: 1);
        var e = Assert.Throws<ArgumentException>(() => GraphImport.ToMdp(user, v => $"s{v}", _ => AuxValue.Scalar(0), t => t.Tag));
        Assert.Contains("not one of the graph's vertices", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void StructureFindsComponentsTheClosedOnesAndTheTransientObservations()
    {
        // a → b → c ⇄ d, e → e: components {a} {b} {c,d} {e}; closed: {c,d} and {e}; transient: a, b.
        var mdp = Json("""
            {"actions": ["go", "back"],
             "observations": [{"id": "a", "aux": 0}, {"id": "b", "aux": 0}, {"id": "c", "aux": 1}, {"id": "d", "aux": 0}, {"id": "e", "aux": 2}],
             "transitions": [{"from": "a", "action": "go", "to": "b"}, {"from": "b", "action": "go", "to": "c"}, {"from": "c", "action": "go", "to": "d"}, {"from": "d", "action": "go", "to": "c"},
                             {"from": "e", "action": "go", "to": "e"}]}
            """);
        var s = StructureAnalysis.Compute(mdp);
        Assert.Equal(4, s.Components);
        Assert.Equal(2, s.LargestComponent);
        Assert.Equal(2, s.ClosedCount);
        Assert.Equal([new GraphComponent(2, [2, 3]), new GraphComponent(1, [4])], s.Closed, new ComponentComparer());
        Assert.Equal(2, s.TransientCount);
        Assert.Equal([0, 1], s.Transient.AsEnumerable());

        // No transition under "back": a dataset. Weak components {a,b,c,d} and {e}; d… all have "go", none "back".
        Assert.NotNull(s.Dataset);
        Assert.Equal(2, s.Dataset.WeakComponents);
        Assert.Equal(4, s.Dataset.LargestWeakComponent);
        Assert.Equal(0, s.Dataset.DeadEndCount);
        Assert.Equal(10, s.Dataset.Pairs);
        Assert.Equal(0, s.Dataset.PairsWithoutCommonAction);
    }

    [Fact]
    public void PairsWithoutACommonObservedActionAreCounted()
    {
        // a has only "x", b only "y", c nothing, d both: pairs with no common action: (a,b) (a,c) (b,c) (c,d).
        var mdp = Json("""
            {"actions": ["x", "y"],
             "observations": [{"id": "a", "aux": 0}, {"id": "b", "aux": 0}, {"id": "c", "aux": 0}, {"id": "d", "aux": 0}],
             "transitions": [{"from": "a", "action": "x", "to": "c"}, {"from": "b", "action": "y", "to": "c"}, {"from": "d", "action": "x", "to": "a"}, {"from": "d", "action": "y", "to": "b"}]}
            """);
        var d = StructureAnalysis.Compute(mdp).Dataset!;
        Assert.Equal(4, d.PairsWithoutCommonAction);
        Assert.Equal(1, d.DeadEndCount);
        Assert.Equal([2], d.DeadEnds.AsEnumerable());
        Assert.Null(StructureAnalysis.Compute(ClassicMdps.Counting()).Dataset);
    }

    [Fact]
    public void StructureOfALongChainDoesNotOverflowTheStack()
    {
        const int n = 300_000;
        var b = new MdpBuilder("chain");
        b.AddAction("next");
        for (var i = 0; i < n; i++)
        {
            b.SetAux(b.AddObservation($"s{i}").Index, AuxValue.Scalar(0));
        }

        for (var i = 0; i < n; i++)
        {
            b.AddTransition(i, 0, Math.Min(i + 1, n - 1));
        }

        var s = StructureAnalysis.Compute(b.Build());
        Assert.Equal(n, s.Components);
        Assert.Equal(1, s.ClosedCount);
        Assert.Equal(n - 1, s.TransientCount);
    }

    /// <summary>A user's own graph class that lists a vertex among its edges but not among its vertices.</summary>
    private sealed class VertexHidingGraph(AdjacencyGraph<int, TaggedEdge<int, string>> g, int hidden) : IVertexAndEdgeListGraph<int, TaggedEdge<int, string>>
    {
        public bool IsDirected => true;

        public bool AllowParallelEdges => true;

        public bool IsVerticesEmpty => VertexCount == 0;

        public int VertexCount => g.VertexCount - 1;

        public IEnumerable<int> Vertices => g.Vertices.Where(v => v != hidden);

        public bool IsEdgesEmpty => g.IsEdgesEmpty;

        public int EdgeCount => g.EdgeCount;

        public IEnumerable<TaggedEdge<int, string>> Edges => g.Edges;

        public bool ContainsVertex(int vertex) => vertex != hidden && g.ContainsVertex(vertex);

        public bool ContainsEdge(TaggedEdge<int, string> edge) => g.ContainsEdge(edge);

        public bool ContainsEdge(int source, int target) => g.ContainsEdge(source, target);

        public bool TryGetEdge(int source, int target, out TaggedEdge<int, string> edge) => g.TryGetEdge(source, target, out edge);

        public bool TryGetEdges(int source, int target, out IEnumerable<TaggedEdge<int, string>> edges) => g.TryGetEdges(source, target, out edges);

        public bool IsOutEdgesEmpty(int vertex) => g.IsOutEdgesEmpty(vertex);

        public int OutDegree(int vertex) => g.OutDegree(vertex);

        public IEnumerable<TaggedEdge<int, string>> OutEdges(int vertex) => g.OutEdges(vertex);

        public bool TryGetOutEdges(int vertex, out IEnumerable<TaggedEdge<int, string>> edges) => g.TryGetOutEdges(vertex, out edges);

        public TaggedEdge<int, string> OutEdge(int vertex, int index) => g.OutEdge(vertex, index);
    }

    private sealed class ComponentComparer : IEqualityComparer<GraphComponent>
    {
        public bool Equals(GraphComponent? x, GraphComponent? y) => x!.Size == y!.Size && x.First.SequenceEqual(y.First);

        public int GetHashCode(GraphComponent obj) => obj.Size;
    }
}
