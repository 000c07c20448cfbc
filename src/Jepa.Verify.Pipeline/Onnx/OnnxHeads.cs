using System.Collections.Immutable;
using Jepa.Verify.Learning.Certify;

namespace Jepa.Verify.Pipeline.Onnx;

/// <summary>
/// Reads an ONNX transition model or aux head as a <see cref="HeadGraph"/>, so that the certificate can bound its
/// Lipschitz constant and evaluate it in double precision. Written by hand: no library turns an ONNX graph into a
/// Lipschitz bound (auto_LiRPA and LipSDP are Python and bound PyTorch modules, not ONNX files).
/// </summary>
/// <remarks>
/// <para>
/// Any acyclic graph of these ops from the inputs to the first output is read: shape-only ops (Identity, Reshape,
/// Flatten, Squeeze, Unsqueeze, Cast to float); Gemm and MatMul by a constant matrix; Add, Sub, Mul and Div by
/// constants; Add and Sub of two branches (a residual connection); Concat on the last axis; ReLU, LeakyReLU, ELU,
/// sigmoid, tanh, softplus and Mish as ops; Mish, SiLU and GELU (erf and tanh forms) as the element-wise subgraphs
/// PyTorch exports for them, recognised by evaluating the subgraph on a grid (<see cref="Recognise"/>);
/// LayerNormalization, and the ReduceMean/Sub/Pow/ReduceMean/Add/Sqrt/Div(/Mul/Add) pattern opset &lt; 17 exports for
/// it. The transition model's action, its second input, is a one-hot float, or an int64 index entering through OneHot,
/// Gather (an embedding table) or Cast to float; for a fixed action only the latent path counts.
/// </para>
/// <para>
/// Anything else gives no graph and one line naming the op and the node. What is read is checked against ONNX Runtime's
/// outputs by the caller (<see cref="OnnxJepa.Heads"/>).
/// </para>
/// </remarks>
internal sealed class OnnxHeads
{
    private const string Supported = "supported: Gemm, MatMul, Add/Sub/Mul/Div by constants, Add/Sub of two branches, Concat, Relu, LeakyRelu, Elu, Sigmoid, Tanh, Softplus, Mish, SiLU, GELU, LayerNormalization (or its opset-14 pattern), shape-only ops, OneHot/Gather/Cast of the action index";

    private static readonly HashSet<string> ShapeOnly = ["Identity", "Reshape", "Flatten", "Squeeze", "Unsqueeze"];

    private static readonly Dictionary<string, HeadActivation> Activations = new()
    {
        ["Relu"] = HeadActivation.Relu, ["Tanh"] = HeadActivation.Tanh, ["Sigmoid"] = HeadActivation.Sigmoid, ["Softplus"] = HeadActivation.Softplus,
        ["Mish"] = HeadActivation.Mish, ["LeakyRelu"] = HeadActivation.LeakyRelu, ["Elu"] = HeadActivation.Elu,
    };

    private static readonly HashSet<string> ScalarOps = ["Mul", "Add", "Sub", "Div", "Pow", "Tanh", "Erf", "Sigmoid", "Softplus", "Exp", "Neg", "Sqrt"];

    private readonly OnnxGraph graph;
    private readonly string path;
    private readonly List<HeadGraph.Node> nodes = [];
    private readonly Dictionary<string, Value> values = new(StringComparer.Ordinal);
    private readonly HashSet<OnnxGraph.Node> consumed = [];

    private OnnxHeads(OnnxGraph graph, string path)
    {
        this.graph = graph;
        this.path = path;
    }

    /// <summary>The graph at <paramref name="path"/> as a head, or why there is none.</summary>
    /// <param name="path">The ONNX file.</param>
    /// <param name="latentDim">d, the latent width.</param>
    /// <param name="actions">The number of actions for a transition model; null for an aux head.</param>
    public static (HeadGraph? Head, string? Why) Read(string path, int latentDim, int? actions)
    {
        OnnxGraph graph;
        try
        {
            graph = OnnxGraph.Read(path);
        }
        catch (FormatException ex)
        {
            return (null, $"{path}: the graph cannot be read ({ex.Message})");
        }

        var expected = actions is null ? 1 : 2;
        if (graph.Inputs.Length != expected || graph.Outputs.Length < 1)
        {
            return (null, $"{path}: {graph.Inputs.Length} inputs and {graph.Outputs.Length} outputs, expected {expected} and at least 1");
        }

        try
        {
            return (new OnnxHeads(graph, path).Build(latentDim, actions), null);
        }
        catch (NotSupportedException ex)
        {
            return (null, $"{path}: {ex.Message}");
        }
    }

    /// <summary>A tensor of the graph as the head sees it: a node of the head graph with layers still to apply, or the action index.</summary>
    /// <param name="Base">The head graph node.</param>
    /// <param name="Layers">Layers applied after it, not yet made a chain.</param>
    /// <param name="Width">The tensor's width (the last axis).</param>
    /// <param name="ActionIndex">True for the transition's int64 action (Base is then the slice of its one-hot).</param>
    private sealed record Value(int Base, ImmutableList<HeadLayer> Layers, int Width, bool ActionIndex = false)
    {
        public Value Then(HeadLayer layer) => this with { Layers = Layers.Add(layer), Width = layer.Outputs };
    }

    private HeadGraph Build(int d, int? actions)
    {
        nodes.Add(new HeadGraph.Slice(0, d));
        values[graph.Inputs[0]] = new Value(0, [], d);
        if (actions is { } k)
        {
            nodes.Add(new HeadGraph.Slice(d, k));
            values[graph.Inputs[1]] = new Value(1, [], k, ActionIndex: IsIndex(graph.Inputs[1]));
        }

        foreach (var node in graph.Nodes)
        {
            if (consumed.Contains(node) || !node.Inputs.Any(values.ContainsKey))
            {
                continue;
            }

            if (node.Outputs.Length == 0)
            {
                continue;
            }

            if (!(TryLayerNormPattern(node) || TryElementwisePattern(node)))
            {
                Single(node, actions);
            }
        }

        var output = graph.Outputs[0];
        if (!values.TryGetValue(output, out var result))
        {
            throw new NotSupportedException($"the output '{output}' does not depend on the {(actions is null ? "latent" : "latent and the action")} through the ops read; {Supported}");
        }

        if (result.ActionIndex)
        {
            throw new NotSupportedException($"the output '{output}' is the action index itself");
        }

        var last = Materialise(result);
        if (last != nodes.Count - 1)
        {
            // The output is an earlier value (e.g. the input itself): end the graph with it, as an identity chain.
            nodes.Add(new HeadGraph.Apply(last, new HeadChain([HeadLayer.Affine(result.Width, result.Width, Identity(result.Width))])));
        }

        return new HeadGraph(d + (actions ?? 0), nodes);
    }

    /// <summary>Whether the graph input is the int64 action index (inputs declared with another element type are one-hot floats).</summary>
    private bool IsIndex(string input) => graph.IntegerInputs.Contains(input);

    /// <summary>One node on its own.</summary>
    private void Single(OnnxGraph.Node node, int? actions)
    {
        var varying = node.Inputs.Where(values.ContainsKey).ToList();
        var x = values[varying[0]];
        if (node.Op == "Shape")
        {
            // The tensor's shape, not its values: what is computed from it (a Reshape's target) is no function of the latent.
            consumed.Add(node);
            return;
        }

        if (x.ActionIndex && node.Op != "Concat")
        {
            Bind(node, ActionPath(node, x, actions!.Value));
            return;
        }

        switch (node.Op)
        {
            case var op when ShapeOnly.Contains(op):
                Bind(node, x);
                return;
            case "Cast":
                Bind(node, node.Attributes.GetValueOrDefault("to", 1) is 1 or 11 ? x : throw Unsupported(node, "casts the latent to a non-float type"));
                return;
            case var op when Activations.TryGetValue(op, out var activation):
                // LeakyRelu's negative slope (ONNX default 0.01) and Elu's α (default 1) are the activation's parameter.
                var alpha = node.Attributes.GetValueOrDefault("alpha", activation == HeadActivation.LeakyRelu ? 0.01 : 1.0);
                Bind(node, x.Then(HeadLayer.Elementwise(x.Width, activation, activation is HeadActivation.LeakyRelu or HeadActivation.Elu ? alpha : 0)));
                return;
            case "Gemm" or "MatMul":
                Bind(node, x.Then(Affine(node, x.Width)));
                return;
            case "LayerNormalization":
            {
                var axis = node.Attributes.GetValueOrDefault("axis", -1);
                if (Weight(node, 1) is not { } gamma || gamma.Values.Length != x.Width || axis is not (-1 or 1))
                {
                    throw Unsupported(node, $"needs a constant scale of {x.Width} values over the last axis");
                }

                var beta = Weight(node, 2)?.Values ?? [.. new double[x.Width]];
                Bind(node, x.Then(HeadLayer.Normalise(gamma.Values, beta, node.Attributes.GetValueOrDefault("epsilon", 1e-5))));
                return;
            }

            case "Add" or "Sub" or "Mul" or "Div":
                Bind(node, Arithmetic(node, varying));
                return;
            case "Concat":
                Bind(node, Concat(node));
                return;
            case "Softmax" or "LogSoftmax":
                throw Unsupported(node, "a softmax (a two-hot head's bins) has no Lipschitz bound here yet");
            default:
                throw Unsupported(node, "has no Lipschitz bound here");
        }
    }

    /// <summary>The action index through OneHot, Gather (an embedding), Cast to float, or shape-only ops.</summary>
    private Value ActionPath(OnnxGraph.Node node, Value index, int actions)
    {
        switch (node.Op)
        {
            case var op when ShapeOnly.Contains(op):
                return index;
            case "Cast":
                // The action as a number: the one-hot times (0, 1, …, k−1).
                return node.Attributes.GetValueOrDefault("to", 1) is 1 or 11
                    ? new Value(index.Base, [HeadLayer.Affine(actions, 1, [.. Enumerable.Range(0, actions).Select(a => (double)a)])], 1)
                    : index;
            case "OneHot":
            {
                if (!IsIndexInput(node, 0) || Weight(node, 1) is not { Values: [var depth] } || depth != actions
                    || Weight(node, 2) is not { Values: [var off, var on] })
                {
                    throw Unsupported(node, $"is read as the one-hot of the action index with depth {actions} (the MDP's actions) and constant values");
                }

                // off + (on − off)·onehot(a): an affine map of the one-hot.
                return new Value(index.Base, [HeadLayer.Affine(actions, actions, [.. Diagonal(actions, on - off)], [.. Enumerable.Repeat(off, actions)])], actions);
            }

            case "Gather":
            {
                if (node.Inputs.Length < 2 || !IsIndexInput(node, 1) || Weight(node, 0) is not { Dims.Length: 2 } table
                    || node.Attributes.GetValueOrDefault("axis", 0) != 0 || table.Dims[0] < actions)
                {
                    throw Unsupported(node, $"is read as an embedding: Gather(axis 0) of a constant [actions, m] table by the action index ({actions} actions)");
                }

                // The embedding of a is Eᵀ·onehot(a).
                var m = (int)table.Dims[1];
                var weights = new double[m * actions];
                for (var j = 0; j < m; j++)
                {
                    for (var a = 0; a < actions; a++)
                    {
                        weights[(j * actions) + a] = table.Values[(a * m) + j];
                    }
                }

                return new Value(index.Base, [HeadLayer.Affine(actions, m, weights)], m);
            }

            default:
                throw Unsupported(node, "uses the action index in a way the certificate does not read (OneHot, Gather of an embedding table, or Cast to float)");
        }
    }

    /// <summary>Whether input <paramref name="input"/> of <paramref name="node"/> is the action index.</summary>
    private bool IsIndexInput(OnnxGraph.Node node, int input) => node.Inputs.Length > input && values.TryGetValue(node.Inputs[input], out var v) && v.ActionIndex;

    /// <summary>Add, Sub, Mul, Div with a constant (an affine layer), or Add/Sub of two branches.</summary>
    private Value Arithmetic(OnnxGraph.Node node, List<string> varying)
    {
        if (node.Inputs.Length != 2)
        {
            throw Unsupported(node, "needs two inputs");
        }

        if (varying.Count == 2)
        {
            var (a, b) = (values[node.Inputs[0]], values[node.Inputs[1]]);
            if (node.Op is not ("Add" or "Sub") || a.Width != b.Width || a.ActionIndex || b.ActionIndex)
            {
                throw Unsupported(node, node.Op is "Add" or "Sub"
                    ? $"adds values of widths {a.Width} and {b.Width}; only equal widths are read"
                    : "multiplies or divides two values that both depend on the latent: no Lipschitz bound holds everywhere");
            }

            nodes.Add(new HeadGraph.Sum(Materialise(a), Materialise(b), node.Op == "Add" ? 1 : -1, a.Width));
            return new Value(nodes.Count - 1, [], a.Width);
        }

        var first = values.ContainsKey(node.Inputs[0]);
        var x = values[varying[0]];
        var c = Weight(node, first ? 1 : 0);
        if (c is null || (c.Values.Length != 1 && c.Values.Length != x.Width))
        {
            throw Unsupported(node, $"is read with a constant of 1 or {x.Width} values as its other input");
        }

        double C(int i) => c.Values[c.Values.Length == 1 ? 0 : i];
        var w = x.Width;
        return node.Op switch
        {
            "Add" => x.Then(HeadLayer.Affine(w, w, Identity(w), [.. Enumerable.Range(0, w).Select(C)])),
            "Sub" when first => x.Then(HeadLayer.Affine(w, w, Identity(w), [.. Enumerable.Range(0, w).Select(i => -C(i))])),
            "Sub" => x.Then(HeadLayer.Affine(w, w, [.. Diagonal(w, -1)], [.. Enumerable.Range(0, w).Select(C)])),
            "Mul" => x.Then(HeadLayer.Affine(w, w, [.. DiagonalOf(w, C)])),
            "Div" when first && Enumerable.Range(0, w).All(i => C(i) != 0) => x.Then(HeadLayer.Affine(w, w, [.. DiagonalOf(w, i => 1 / C(i))])),
            _ => throw Unsupported(node, "divides by a value that depends on the latent (or by zero)"),
        };
    }

    /// <summary>Concat on the last axis of values that depend on the latent or the action.</summary>
    private Value Concat(OnnxGraph.Node node)
    {
        var axis = node.Attributes.GetValueOrDefault("axis", 1);
        if (axis is not (1 or -1) || node.Inputs.Any(i => !values.ContainsKey(i)))
        {
            throw Unsupported(node, "is read on the last axis (1 or −1), with every input depending on the latent or the action");
        }

        var parts = node.Inputs.Select(i => values[i]).ToList();
        if (parts.Any(p => p.ActionIndex))
        {
            throw Unsupported(node, "concatenates the raw action index; use a one-hot, an embedding or a cast to float first");
        }

        var width = parts.Sum(p => p.Width);
        nodes.Add(new HeadGraph.Join([.. parts.Select(Materialise)], width));
        return new Value(nodes.Count - 1, [], width);
    }

    /// <summary>Gemm or MatMul by a constant matrix.</summary>
    private HeadLayer Affine(OnnxGraph.Node node, int width)
    {
        if (!values.ContainsKey(node.Inputs[0]) || Weight(node, 1) is not { Dims.Length: 2 } w || node.Attributes.GetValueOrDefault("transA", 0) != 0)
        {
            throw Unsupported(node, "needs the latent path as its first input, a constant 2-D weight as its second, and no transA");
        }

        var transposed = node.Op == "Gemm" && node.Attributes.GetValueOrDefault("transB", 0) != 0;
        var (inputs, outputs) = transposed ? ((int)w.Dims[1], (int)w.Dims[0]) : ((int)w.Dims[0], (int)w.Dims[1]);
        if (inputs != width)
        {
            throw Unsupported(node, $"takes {inputs} values, but its input has {width}");
        }

        var alpha = node.Op == "Gemm" ? node.Attributes.GetValueOrDefault("alpha", 1) : 1;
        var beta = node.Op == "Gemm" ? node.Attributes.GetValueOrDefault("beta", 1) : 1;
        var weights = new double[inputs * outputs];
        for (var o = 0; o < outputs; o++)
        {
            for (var i = 0; i < inputs; i++)
            {
                weights[(o * inputs) + i] = alpha * (transposed ? w.Values[(o * inputs) + i] : w.Values[(i * outputs) + o]);
            }
        }

        var bias = new double[outputs];
        if (node.Op == "Gemm" && node.Inputs.Length > 2 && node.Inputs[2].Length > 0)
        {
            if (Weight(node, 2) is not { } b || (b.Values.Length != outputs && b.Values.Length != 1))
            {
                throw Unsupported(node, $"needs a constant bias of {outputs} values (or one)");
            }

            for (var o = 0; o < outputs; o++)
            {
                bias[o] = beta * b.Values[b.Values.Length == 1 ? 0 : o];
            }
        }

        return HeadLayer.Affine(inputs, outputs, weights, bias);
    }

    /// <summary>
    /// The decomposed layer normalisation PyTorch exports below opset 17: m = ReduceMean(x), c = x − m, v = ReduceMean(c²),
    /// y = c / √(v + ε), then optionally · γ and + β, all over the last axis.
    /// </summary>
    private bool TryLayerNormPattern(OnnxGraph.Node mean)
    {
        if (mean.Op != "ReduceMean" || !LastAxis(mean) || values[mean.Inputs[0]] is not { ActionIndex: false } x)
        {
            return false;
        }

        var xName = mean.Inputs[0];
        var sub = Consumers(xName).FirstOrDefault(n => n.Op == "Sub" && n.Inputs.SequenceEqual([xName, mean.Outputs[0]]));
        if (sub is null)
        {
            return false;
        }

        var c = sub.Outputs[0];
        var square = Consumers(c).FirstOrDefault(n => (n.Op == "Pow" && n.Inputs[0] == c && Weight(n, 1) is { Values: [2] }) || (n.Op == "Mul" && n.Inputs.SequenceEqual([c, c])));
        var variance = square is null ? null : Only(square.Outputs[0], "ReduceMean");
        var plus = variance is null || !LastAxis(variance) ? null : Only(variance.Outputs[0], "Add");
        var eps = plus is null ? null : Weight(plus, plus.Inputs[0] == variance!.Outputs[0] ? 1 : 0);
        var sqrt = plus is null ? null : Only(plus.Outputs[0], "Sqrt");
        var div = sqrt is null ? null : Only(sqrt.Outputs[0], "Div");
        if (div is null || eps is not { Values: [var epsilon] } || !(epsilon > 0) || !div.Inputs.SequenceEqual([c, sqrt!.Outputs[0]])
            || Consumers(c).Count != 2 || Consumers(mean.Outputs[0]).Count != 1)
        {
            return false;
        }

        List<OnnxGraph.Node> pattern = [mean, sub, square!, variance!, plus!, sqrt, div];
        var output = div.Outputs[0];
        double[] gamma = [.. Enumerable.Repeat(1.0, x.Width)];
        double[] beta = new double[x.Width];
        if (Only(output, "Mul") is { } scale && Weight(scale, scale.Inputs[0] == output ? 1 : 0) is { } g && g.Values.Length == x.Width)
        {
            (gamma, output) = ([.. g.Values], scale.Outputs[0]);
            pattern.Add(scale);
            if (Only(output, "Add") is { } shift && Weight(shift, shift.Inputs[0] == output ? 1 : 0) is { } b && b.Values.Length == x.Width)
            {
                (beta, output) = ([.. b.Values], shift.Outputs[0]);
                pattern.Add(shift);
            }
        }

        consumed.UnionWith(pattern);
        values[output] = x.Then(HeadLayer.Normalise(gamma, beta, epsilon));
        return true;
    }

    /// <summary>
    /// An element-wise subgraph of scalar ops on one value x with scalar constants (Mish as Softplus·Tanh·Mul, SiLU as
    /// Sigmoid·Mul, GELU as Div·Erf·Add·Mul·Mul or its tanh polynomial) whose single result is a known activation of x.
    /// The subgraph grows node by node in graph order; the largest one recognised wins.
    /// </summary>
    private bool TryElementwisePattern(OnnxGraph.Node start)
    {
        if (!ScalarOps.Contains(start.Op))
        {
            return false;
        }

        var xName = start.Inputs.First(values.ContainsKey);
        if (values[xName] is not { ActionIndex: false } x)
        {
            return false;
        }

        var inside = new List<OnnxGraph.Node>();
        var produced = new HashSet<string>(StringComparer.Ordinal) { xName };
        (List<OnnxGraph.Node> Nodes, string Output, HeadActivation Kind)? best = null;
        var from = graph.Nodes.IndexOf(start);
        for (var i = from; i < Math.Min(graph.Nodes.Length, from + 40); i++)
        {
            var n = graph.Nodes[i];
            if (consumed.Contains(n) || !ScalarOps.Contains(n.Op) || n.Outputs.Length != 1
                || !n.Inputs.Any(produced.Contains) || !n.Inputs.All(j => produced.Contains(j) || Weight(j) is { Values.Length: 1 }))
            {
                continue;
            }

            inside.Add(n);
            produced.Add(n.Outputs[0]);
            var exits = inside.Select(m => m.Outputs[0]).Where(o => Consumers(o).Any(c => !inside.Contains(c)) || graph.Outputs.Contains(o)).ToList();
            if (exits.Count == 1 && inside.Count > 1 && Recognise(inside, xName, exits[0]) is { } kind)
            {
                best = ([.. inside], exits[0], kind);
            }
        }

        if (best is not { } found)
        {
            return false;
        }

        consumed.UnionWith(found.Nodes);
        values[found.Output] = x.Then(HeadLayer.Elementwise(x.Width, found.Kind));
        return true;
    }

    /// <summary>
    /// Which activation the element-wise subgraph computes, if any: it is evaluated on a grid of 4,801 points over
    /// [−12, 12] and at ±30 and compared with each candidate to 1e-5 relative (float32 constants such as √2 differ from
    /// the exact ones by about 1e-7).
    /// </summary>
    private HeadActivation? Recognise(List<OnnxGraph.Node> subgraph, string x, string output)
    {
        HeadActivation[] candidates = [HeadActivation.Mish, HeadActivation.Silu, HeadActivation.GeluErf, HeadActivation.GeluTanh, HeadActivation.Sigmoid, HeadActivation.Softplus, HeadActivation.Tanh];
        var points = Enumerable.Range(-2400, 4801).Select(i => i * 0.005).Concat([30.0, -30.0]).ToArray();
        var computed = points.Select(t => Interpret(subgraph, x, output, t)).ToArray();
        foreach (var kind in candidates)
        {
            if (points.Select((t, i) => (Want: HeadChain.Activate(kind, t), Got: computed[i])).All(p => Math.Abs(p.Want - p.Got) <= 1e-5 * (1 + Math.Abs(p.Want))))
            {
                return kind;
            }
        }

        return null;
    }

    /// <summary>The element-wise subgraph evaluated on the scalar <paramref name="t"/>.</summary>
    private double Interpret(List<OnnxGraph.Node> subgraph, string x, string output, double t)
    {
        var scalars = new Dictionary<string, double>(StringComparer.Ordinal) { [x] = t };
        double In(OnnxGraph.Node n, int i) => scalars.TryGetValue(n.Inputs[i], out var v) ? v : Weight(n.Inputs[i])!.Values[0];
        foreach (var n in subgraph)
        {
            scalars[n.Outputs[0]] = n.Op switch
            {
                "Mul" => In(n, 0) * In(n, 1),
                "Add" => In(n, 0) + In(n, 1),
                "Sub" => In(n, 0) - In(n, 1),
                "Div" => In(n, 0) / In(n, 1),
                "Pow" => Math.Pow(In(n, 0), In(n, 1)),
                "Tanh" => Math.Tanh(In(n, 0)),
                "Erf" => MathNet.Numerics.SpecialFunctions.Erf(In(n, 0)),
                "Sigmoid" => HeadChain.Activate(HeadActivation.Sigmoid, In(n, 0)),
                "Softplus" => HeadChain.Activate(HeadActivation.Softplus, In(n, 0)),
                "Exp" => Math.Exp(In(n, 0)),
                "Neg" => -In(n, 0),
                "Sqrt" => Math.Sqrt(In(n, 0)),
                _ => double.NaN,
            };
        }

        return scalars[output];
    }

    /// <summary>Makes <paramref name="value"/> a node of the head graph (its pending layers a chain) and returns its index.</summary>
    private int Materialise(Value value)
    {
        if (value.Layers.IsEmpty)
        {
            return value.Base;
        }

        nodes.Add(new HeadGraph.Apply(value.Base, new HeadChain([.. value.Layers])));
        return nodes.Count - 1;
    }

    private void Bind(OnnxGraph.Node node, Value value)
    {
        consumed.Add(node);
        values[node.Outputs[0]] = value;
    }

    private bool LastAxis(OnnxGraph.Node reduce) =>
        (reduce.Lists.TryGetValue("axes", out var axes) ? axes.ToArray() : Weight(reduce, 1)?.Values.Select(v => (long)v).ToArray()) is [-1]
        && reduce.Attributes.GetValueOrDefault("keepdims", 1) == 1;

    private List<OnnxGraph.Node> Consumers(string tensor) => [.. graph.Nodes.Where(n => n.Inputs.Contains(tensor))];

    private OnnxGraph.Node? Only(string tensor, string op) => Consumers(tensor) is [var n] && n.Op == op ? n : null;

    private OnnxGraph.Tensor? Weight(OnnxGraph.Node node, int input) => node.Inputs.Length > input ? Weight(node.Inputs[input]) : null;

    private OnnxGraph.Tensor? Weight(string name) => graph.Weights.TryGetValue(name, out var t) ? t : null;

    private NotSupportedException Unsupported(OnnxGraph.Node node, string why) => new($"{node.Shown} {why}; {Supported}");

    private static double[] Identity(int width) => [.. Diagonal(width, 1)];

    private static IEnumerable<double> Diagonal(int width, double value) => DiagonalOf(width, _ => value);

    private static IEnumerable<double> DiagonalOf(int width, Func<int, double> value)
    {
        for (var i = 0; i < width; i++)
        {
            for (var j = 0; j < width; j++)
            {
                yield return i == j ? value(i) : 0;
            }
        }
    }
}
