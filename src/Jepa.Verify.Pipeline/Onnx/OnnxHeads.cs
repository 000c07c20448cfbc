using Jepa.Verify.Learning.Certify;
using Jepa.Verify.Learning.Modules;

namespace Jepa.Verify.Pipeline.Onnx;

/// <summary>
/// Reads an ONNX transition model or aux head as a <see cref="HeadChain"/>, so that the certificate can bound its
/// Lipschitz constant and evaluate it in double precision: a chain of <c>Gemm</c>, <c>MatMul</c> (+ <c>Add</c> of a
/// constant), <c>Relu</c>, <c>Tanh</c>, Mish (<c>Softplus</c> → <c>Tanh</c> → <c>Mul</c>), <c>LayerNormalization</c> and
/// <c>Identity</c>; the transition model starts with <c>Concat(z, action)</c> on its two inputs (a one-hot float action).
/// Any other op, or a graph that branches, gives no chain and one line saying which op.
/// </summary>
internal static class OnnxHeads
{
    private const string Supported = "supported: Gemm, MatMul, Add of a constant, Relu, Tanh, Softplus·Tanh·Mul (Mish), LayerNormalization, Identity";

    /// <summary>The chain of the graph at <paramref name="path"/>, or why there is none.</summary>
    /// <param name="path">The ONNX file.</param>
    /// <param name="inputWidth">The chain's input width: d for an aux head, d + actions for a transition model.</param>
    /// <param name="transition">Whether the graph is a transition model (two inputs, concatenated first).</param>
    public static (HeadChain? Chain, string? Why) Read(string path, int inputWidth, bool transition)
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

        if (graph.Inputs.Length != (transition ? 2 : 1) || graph.Outputs.Length < 1)
        {
            return (null, $"{path}: {graph.Inputs.Length} inputs and {graph.Outputs.Length} outputs, expected {(transition ? 2 : 1)} and 1");
        }

        var current = graph.Inputs[0];
        if (transition)
        {
            var concat = Consumers(graph, current);
            if (concat is not [{ Op: "Concat" } c] || !c.Inputs.SequenceEqual([graph.Inputs[0], graph.Inputs[1]]) || c.Attributes.GetValueOrDefault("axis", 1) is not (1 or -1))
            {
                return (null, $"{path}: the transition model does not start with Concat(z, action) on axis 1 (an index action, or another first op, is not read); {Supported}");
            }

            current = c.Outputs[0];
        }

        var layers = new List<HeadLayer>();
        var width = inputWidth;
        while (current != graph.Outputs[0])
        {
            var consumers = Consumers(graph, current);
            if (consumers.Count == 2 && Mish(graph, current, consumers) is { } mishOutput)
            {
                layers.Add(HeadLayer.Elementwise(width, ActivationKind.Mish));
                current = mishOutput;
                continue;
            }

            if (consumers.Count != 1)
            {
                return (null, $"{path}: '{current}' feeds {consumers.Count} nodes ({string.Join(", ", consumers.Select(n => n.Op))}); the certificate reads a chain of layers; {Supported}");
            }

            var node = consumers[0];
            var (layer, why) = Layer(graph, node, width, layers.Count > 0 ? layers[^1] : null);
            if (why is not null)
            {
                return (null, $"{path}: {why}");
            }

            if (layer is { } l)
            {
                if (node.Op == "Add")
                {
                    layers[^1] = l;
                }
                else
                {
                    layers.Add(l);
                }

                width = l.Outputs;
            }

            current = node.Outputs[0];
        }

        return layers.Count == 0 ? (null, $"{path}: the graph has no layers") : (new HeadChain(layers), null);
    }

    private static List<OnnxGraph.Node> Consumers(OnnxGraph graph, string tensor) => [.. graph.Nodes.Where(n => n.Inputs.Contains(tensor))];

    /// <summary>The output of Softplus(x) → Tanh → Mul(x, ·) when <paramref name="consumers"/> are that pattern's first and last nodes.</summary>
    private static string? Mish(OnnxGraph graph, string x, List<OnnxGraph.Node> consumers)
    {
        var softplus = consumers.FirstOrDefault(n => n.Op == "Softplus");
        var mul = consumers.FirstOrDefault(n => n.Op == "Mul");
        if (softplus is null || mul is null || Consumers(graph, softplus.Outputs[0]) is not [{ Op: "Tanh" } tanh])
        {
            return null;
        }

        return mul.Inputs.Length == 2 && mul.Inputs.Contains(x) && mul.Inputs.Contains(tanh.Outputs[0]) ? mul.Outputs[0] : null;
    }

    /// <summary>The layer a node adds (null for a pass-through), the previous affine layer with a bias added, or why the node cannot be read.</summary>
    private static (HeadLayer? Layer, string? Why) Layer(OnnxGraph graph, OnnxGraph.Node node, int width, HeadLayer? previous)
    {
        OnnxGraph.Tensor? Weight(int input) => node.Inputs.Length > input && graph.Weights.TryGetValue(node.Inputs[input], out var t) ? t : null;
        switch (node.Op)
        {
            case "Identity":
                return (null, null);
            case "Relu":
                return (HeadLayer.Elementwise(width, ActivationKind.Relu), null);
            case "Tanh":
                return (HeadLayer.Elementwise(width, ActivationKind.Tanh), null);
            case "Gemm" or "MatMul":
            {
                if (Weight(1) is not { Dims.Length: 2 } w || node.Attributes.GetValueOrDefault("transA", 0) != 0)
                {
                    return (null, $"{node.Op} '{node.Outputs[0]}' needs a constant 2-D weight as its second input and no transA");
                }

                var transposed = node.Op == "Gemm" && node.Attributes.GetValueOrDefault("transB", 0) != 0;
                var (inputs, outputs) = transposed ? ((int)w.Dims[1], (int)w.Dims[0]) : ((int)w.Dims[0], (int)w.Dims[1]);
                if (inputs != width)
                {
                    return (null, $"{node.Op} '{node.Outputs[0]}' takes {inputs} values, but the layer before gives {width}");
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
                if (node.Op == "Gemm" && node.Inputs.Length > 2)
                {
                    if (Weight(2) is not { } b || (b.Values.Length != outputs && b.Values.Length != 1))
                    {
                        return (null, $"Gemm '{node.Outputs[0]}' needs a constant bias of {outputs} values (or one)");
                    }

                    for (var o = 0; o < outputs; o++)
                    {
                        bias[o] = beta * b.Values[b.Values.Length == 1 ? 0 : o];
                    }
                }

                return (HeadLayer.Affine(inputs, outputs, weights, bias), null);
            }

            case "Add":
            {
                var constant = Weight(1) ?? Weight(0);
                if (previous is not { Kind: HeadLayerKind.Affine } affine || constant is null || (constant.Values.Length != width && constant.Values.Length != 1))
                {
                    return (null, $"Add '{node.Outputs[0]}' is read only as the bias of the matrix product before it (a constant of {width} values)");
                }

                var bias = affine.Bias.Select((v, o) => v + constant.Values[constant.Values.Length == 1 ? 0 : o]).ToArray();
                return (HeadLayer.Affine(affine.Inputs, affine.Outputs, affine.Weight, bias), null);
            }

            case "LayerNormalization":
            {
                var axis = node.Attributes.GetValueOrDefault("axis", -1);
                if (Weight(1) is not { } gamma || gamma.Values.Length != width || axis is not (-1 or 1))
                {
                    return (null, $"LayerNormalization '{node.Outputs[0]}' needs a constant scale of {width} values over the last axis");
                }

                var beta = Weight(2)?.Values ?? [.. new double[width]];
                return (HeadLayer.Normalise(gamma.Values, beta, node.Attributes.GetValueOrDefault("epsilon", 1e-5)), null);
            }

            default:
                return (null, $"op {node.Op} ('{node.Outputs.FirstOrDefault()}') has no Lipschitz bound here; {Supported}");
        }
    }
}
