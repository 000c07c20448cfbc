using System.Collections.Immutable;

namespace Jepa.Verify.Learning.Certify;

/// <summary>
/// A head as an acyclic graph over vectors: slices of the head's input, chains of layers (<see cref="HeadChain"/>),
/// sums and differences of two branches (a residual connection), and concatenations; evaluated in double precision,
/// with a sound Lipschitz bound composed from the parts.
/// </summary>
/// <remarks>
/// <para>
/// The bound follows each value's Lipschitz constant as a function of the varying inputs (the first
/// <c>inputColumns</c>; the rest, the transition's one-hot action, are held fixed), and which of its coordinates vary
/// at all: a slice of fixed inputs is a constant (constant 0); a chain on a value with constant <c>L</c> has constant
/// <c>L_chain · L</c>, where <c>L_chain</c> is the chain's bound over the varying coordinates only
/// (<see cref="HeadChain.Lipschitz(IReadOnlyList{int})"/>, with its averaged-activation bound); a sum or difference
/// <c>L_a + L_b</c> (triangle inequality); a concatenation <c>√(Σ L_i²)</c>, since
/// <c>‖(f(x) − f(y), g(x) − g(y))‖² ≤ (L_f² + L_g²)‖x − y‖²</c>. A graph that is one chain on the whole input gets
/// exactly the chain's bound.
/// </para>
/// </remarks>
public sealed class HeadGraph : IHead
{
    /// <summary>One value of the graph: its width and how it is computed from earlier values (by index).</summary>
    public abstract record Node(int Width);

    /// <summary>Inputs <c>From…From+Count−1</c> of the head's input.</summary>
    public sealed record Slice(int From, int Count) : Node(Count);

    /// <summary>A chain of layers applied to value <paramref name="Input"/>.</summary>
    public sealed record Apply(int Input, HeadChain Chain) : Node(Chain.Outputs);

    /// <summary><c>Left + Sign · Right</c> (Sign ±1), element-wise.</summary>
    public sealed record Sum(int Left, int Right, int Sign, int Size) : Node(Size);

    /// <summary>The concatenation of the values <paramref name="Parts"/>.</summary>
    public sealed record Join(ImmutableArray<int> Parts, int Size) : Node(Size);

    /// <summary>A graph of <paramref name="nodes"/> (each refers only to earlier ones) whose last node is the output.</summary>
    /// <param name="inputs">The head's input width.</param>
    /// <param name="nodes">The values, in order; the last is the head's output.</param>
    /// <exception cref="ArgumentException">A node refers to a later one, widths do not fit, or a slice leaves the input.</exception>
    public HeadGraph(int inputs, IReadOnlyList<Node> nodes)
    {
        ArgumentNullException.ThrowIfNull(nodes);
        if (nodes.Count == 0)
        {
            throw new ArgumentException("a head graph needs at least one node", nameof(nodes));
        }

        for (var i = 0; i < nodes.Count; i++)
        {
            var ok = nodes[i] switch
            {
                Slice s => s.From >= 0 && s.Count > 0 && s.From + s.Count <= inputs,
                Apply a => a.Input < i && a.Input >= 0 && nodes[a.Input].Width == a.Chain.Inputs,
                Sum s => s.Left < i && s.Right < i && s.Left >= 0 && s.Right >= 0 && nodes[s.Left].Width == s.Size && nodes[s.Right].Width == s.Size && s.Sign is 1 or -1,
                Join j => j.Parts.Length > 0 && j.Parts.All(p => p >= 0 && p < i) && j.Parts.Sum(p => nodes[p].Width) == j.Size,
                _ => false,
            };
            if (!ok)
            {
                throw new ArgumentException($"node {i} ({nodes[i]}) does not fit the nodes before it or the input width {inputs}", nameof(nodes));
            }
        }

        Inputs = inputs;
        Nodes = [.. nodes];
    }

    /// <summary>The values, in order; the last is the output.</summary>
    public ImmutableArray<Node> Nodes { get; }

    /// <inheritdoc/>
    public int Inputs { get; }

    /// <inheritdoc/>
    public int Outputs => Nodes[^1].Width;

    /// <inheritdoc/>
    public double[] Evaluate(ReadOnlySpan<double> input) => Values(input)[^1];

    /// <inheritdoc/>
    public double Lipschitz(int inputColumns) => Bound(inputColumns, _ => 1);

    /// <inheritdoc/>
    /// <remarks>
    /// Each chain whose input moves on a segment (an affine function of the head's input: slices, concatenations and sums
    /// of such values, and chains of affine layers only) gets its local constant (<see cref="HeadChain.PrepareLocal"/>),
    /// the others their global one; they compose as in <see cref="Lipschitz"/>. When the pairs fit
    /// <see cref="HeadChain.DirectionalBudget"/>, each pair also gets the whole graph's directional bound along its segment
    /// (<see cref="SegmentBound"/>, through <see cref="Propagate"/>), and the smaller is taken.
    /// </remarks>
    public ILocalBounds PrepareLocal(IReadOnlyList<double[]> inputs, int inputColumns, long pairs = 0)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        var affine = Affine();
        var points = inputs.Select(i => NormInputs(Values(i), affine)).ToArray();
        var pieces = SegmentBound.PiecesFor(pairs, Work, HeadChain.DirectionalBudget);
        return new PreparedBounds(this, inputColumns, points, pieces > 0 ? inputs : null, pieces);
    }

    /// <summary>Multiply–adds of one forward pass.</summary>
    internal long Work => Nodes.Sum(node => node is Apply a ? a.Chain.SegmentWork : 0);

    /// <summary>A flow (<see cref="SegmentBound.Flow"/>) through the graph: slices, chains, sums and joins of the node flows.</summary>
    internal SegmentBound.Flow Propagate(SegmentBound.Flow input)
    {
        var flows = new SegmentBound.Flow[Nodes.Length];
        for (var i = 0; i < Nodes.Length; i++)
        {
            flows[i] = Nodes[i] switch
            {
                Slice s => input.Slice(s.From, s.Count),
                Apply a => flows[a.Input].Through(a.Chain.Prepared),
                Sum s => flows[s.Left].Plus(flows[s.Right], s.Sign),
                Join j => SegmentBound.Flow.Join([.. j.Parts.Select(p => flows[p])]),
                _ => throw new InvalidOperationException("unknown node"),
            };
        }

        return flows[^1];
    }

    /// <summary>For each chain whose input moves affinely with the head's input, the input of its first LayerNorm at these node values (null elsewhere).</summary>
    private double[]?[] NormInputs(double[][] values, bool[] affine)
    {
        var points = new double[]?[Nodes.Length];
        for (var i = 0; i < Nodes.Length; i++)
        {
            if (Nodes[i] is Apply a && affine[a.Input])
            {
                points[i] = a.Chain.NormInput(values[a.Input]);
            }
        }

        return points;
    }

    /// <summary>Whether each node's value is an affine function of the head's input (slices, and joins, sums and affine chains of such values).</summary>
    private bool[] Affine()
    {
        var affine = new bool[Nodes.Length];
        for (var i = 0; i < Nodes.Length; i++)
        {
            affine[i] = Nodes[i] switch
            {
                Slice => true,
                Apply a => affine[a.Input] && a.Chain.Layers.All(l => l.Kind == HeadLayerKind.Affine),
                Sum s => affine[s.Left] && affine[s.Right],
                Join j => j.Parts.All(p => affine[p]),
                _ => false,
            };
        }

        return affine;
    }

    /// <summary>A graph's local bounds from each input's first-LayerNorm inputs, computed once, and the inputs for the directional bounds.</summary>
    private sealed class PreparedBounds(HeadGraph graph, int inputColumns, double[]?[][] points, IReadOnlyList<double[]>? inputs, int pieces) : ILocalBounds
    {
        private readonly double[] chains = graph.ChainConstants(inputColumns);

        public double Between(int i, int j)
        {
            var bound = graph.Compose(inputColumns, chains, node => graph.Nodes[node] is Apply apply ? apply.Chain.NormFactor(points[i][node], points[j][node]) : 1);
            return inputs is null ? bound : Math.Min(bound, SegmentBound.Directional(inputs[i], inputs[j], graph.Propagate, pieces));
        }
    }

    /// <summary>The value of every node at <paramref name="input"/>.</summary>
    private double[][] Values(ReadOnlySpan<double> input)
    {
        if (input.Length != Inputs)
        {
            throw new ArgumentException($"the head takes {Inputs} values, got {input.Length}", nameof(input));
        }

        var values = new double[Nodes.Length][];
        for (var i = 0; i < Nodes.Length; i++)
        {
            values[i] = Nodes[i] switch
            {
                Slice s => input.Slice(s.From, s.Count).ToArray(),
                Apply a => a.Chain.Evaluate(values[a.Input]),
                Sum s => [.. values[s.Left].Select((v, k) => v + (s.Sign * values[s.Right][k]))],
                Join j => [.. j.Parts.SelectMany(p => values[p])],
                _ => throw new InvalidOperationException("unknown node"),
            };
        }

        return values;
    }

    /// <summary>The composed bound (see the remarks on the type), each chain's constant multiplied by <paramref name="local"/> of its node (≤ 1).</summary>
    private double Bound(int inputColumns, Func<int, double> local) => Compose(inputColumns, ChainConstants(inputColumns), local);

    /// <summary>
    /// Each chain's global constant over the input coordinates that vary with the first <paramref name="inputColumns"/> inputs
    /// (0 for a chain on a constant value); 0 for the other nodes. Depends only on the weights and the columns.
    /// </summary>
    private double[] ChainConstants(int inputColumns)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(inputColumns, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(inputColumns, Inputs);
        var chains = new double[Nodes.Length];
        var varying = new bool[Nodes.Length][];
        for (var i = 0; i < Nodes.Length; i++)
        {
            switch (Nodes[i])
            {
                case Slice s:
                    varying[i] = [.. Enumerable.Range(s.From, s.Count).Select(c => c < inputColumns)];
                    break;
                case Apply a:
                    int[] columns = [.. Enumerable.Range(0, a.Chain.Inputs).Where(c => varying[a.Input][c])];
                    chains[i] = columns.Length == 0 ? 0 : a.Chain.Lipschitz(columns);
                    varying[i] = [.. Enumerable.Repeat(chains[i] > 0, a.Chain.Outputs)];
                    break;
                case Sum s:
                    varying[i] = [.. varying[s.Left].Zip(varying[s.Right], (l, r) => l || r)];
                    break;
                case Join j:
                    varying[i] = [.. j.Parts.SelectMany(p => varying[p])];
                    break;
            }
        }

        return chains;
    }

    /// <summary>The composition rules of the remarks: a slice 1 (0 when none of it varies), a chain its constant times its input's, a sum the sum, a join the root of the squares.</summary>
    private double Compose(int inputColumns, double[] chains, Func<int, double> local)
    {
        var constant = new double[Nodes.Length];
        for (var i = 0; i < Nodes.Length; i++)
        {
            constant[i] = Nodes[i] switch
            {
                Slice s => s.From < inputColumns ? 1 : 0,
                Apply a => chains[i] * Math.Min(1, local(i)) * constant[a.Input],
                Sum s => constant[s.Left] + constant[s.Right],
                Join j => Math.Sqrt(j.Parts.Sum(p => constant[p] * constant[p])),
                _ => 0,
            } * (1 + 1e-12);
        }

        return constant[^1];
    }
}
