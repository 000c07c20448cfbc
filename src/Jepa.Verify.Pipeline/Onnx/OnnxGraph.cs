using System.Buffers.Binary;
using System.Collections.Immutable;

namespace Jepa.Verify.Pipeline.Onnx;

/// <summary>
/// The parts of an ONNX model's graph the certificate reads: its nodes in order, its float weights (initializers and
/// <c>Constant</c> nodes), and the names of its inputs and outputs.
/// </summary>
/// <param name="Nodes">The nodes, in the file's (topological) order.</param>
/// <param name="Weights">Float or double tensors by name, as doubles, with their dimensions.</param>
/// <param name="Inputs">Graph input names that are not weights, in order.</param>
/// <param name="Outputs">Graph output names, in order.</param>
internal sealed record OnnxGraph(ImmutableArray<OnnxGraph.Node> Nodes, ImmutableDictionary<string, OnnxGraph.Tensor> Weights, ImmutableArray<string> Inputs, ImmutableArray<string> Outputs)
{
    /// <summary>A node: its operator, input and output names, and its numeric attributes (ints and floats by name).</summary>
    public sealed record Node(string Op, ImmutableArray<string> Inputs, ImmutableArray<string> Outputs, ImmutableDictionary<string, double> Attributes);

    /// <summary>A weight tensor: dimensions and values (row-major).</summary>
    public sealed record Tensor(ImmutableArray<long> Dims, ImmutableArray<double> Values);

    /// <summary>Reads the graph of the ONNX model file <paramref name="path"/>.</summary>
    /// <exception cref="FormatException">The file is not a well-formed protobuf message.</exception>
    public static OnnxGraph Read(string path)
    {
        var bytes = File.ReadAllBytes(path);
        var model = new ProtoReader(bytes);
        while (model.Next(out var field, out var wire))
        {
            if (field == 7 && wire == 2)
            {
                return Graph(model.Bytes());
            }

            model.Skip(wire);
        }

        throw new FormatException("the model has no graph");
    }

    private static OnnxGraph Graph(ReadOnlySpan<byte> bytes)
    {
        var nodes = ImmutableArray.CreateBuilder<Node>();
        var weights = ImmutableDictionary.CreateBuilder<string, Tensor>(StringComparer.Ordinal);
        var inputs = new List<string>();
        var outputs = ImmutableArray.CreateBuilder<string>();
        var graph = new ProtoReader(bytes);
        while (graph.Next(out var field, out var wire))
        {
            switch (field)
            {
                case 1 when wire == 2:
                    var (node, constant) = ReadNode(graph.Bytes());
                    if (node.Op == "Constant" && constant is not null && node.Outputs.Length == 1)
                    {
                        weights[node.Outputs[0]] = constant;
                    }
                    else
                    {
                        nodes.Add(node);
                    }

                    break;
                case 5 when wire == 2:
                    var (name, tensor) = ReadTensor(graph.Bytes());
                    if (tensor is not null)
                    {
                        weights[name] = tensor;
                    }

                    break;
                case 11 when wire == 2:
                    inputs.Add(ValueInfoName(graph.Bytes()));
                    break;
                case 12 when wire == 2:
                    outputs.Add(ValueInfoName(graph.Bytes()));
                    break;
                default:
                    graph.Skip(wire);
                    break;
            }
        }

        return new OnnxGraph(nodes.ToImmutable(), weights.ToImmutable(), [.. inputs.Where(i => !weights.ContainsKey(i))], outputs.ToImmutable());
    }

    private static string ValueInfoName(ReadOnlySpan<byte> bytes)
    {
        var info = new ProtoReader(bytes);
        while (info.Next(out var field, out var wire))
        {
            if (field == 1 && wire == 2)
            {
                return info.String();
            }

            info.Skip(wire);
        }

        return "";
    }

    private static (Node Node, Tensor? Constant) ReadNode(ReadOnlySpan<byte> bytes)
    {
        var (op, inputs, outputs) = ("", new List<string>(), new List<string>());
        var attributes = ImmutableDictionary.CreateBuilder<string, double>(StringComparer.Ordinal);
        Tensor? constant = null;
        var node = new ProtoReader(bytes);
        while (node.Next(out var field, out var wire))
        {
            switch (field)
            {
                case 1 when wire == 2:
                    inputs.Add(node.String());
                    break;
                case 2 when wire == 2:
                    outputs.Add(node.String());
                    break;
                case 4 when wire == 2:
                    op = node.String();
                    break;
                case 5 when wire == 2:
                    var (name, value, tensor) = ReadAttribute(node.Bytes());
                    if (value is { } v)
                    {
                        attributes[name] = v;
                    }

                    if (name == "value" && tensor is not null)
                    {
                        constant = tensor;
                    }

                    break;
                default:
                    node.Skip(wire);
                    break;
            }
        }

        return (new Node(op, [.. inputs], [.. outputs], attributes.ToImmutable()), constant);
    }

    private static (string Name, double? Value, Tensor? Tensor) ReadAttribute(ReadOnlySpan<byte> bytes)
    {
        var (name, value) = ("", (double?)null);
        Tensor? tensor = null;
        var attribute = new ProtoReader(bytes);
        while (attribute.Next(out var field, out var wire))
        {
            switch (field)
            {
                case 1 when wire == 2:
                    name = attribute.String();
                    break;
                case 2 when wire == 5:
                    value = attribute.Float();
                    break;
                case 3 when wire == 0:
                    value = (long)attribute.Varint();
                    break;
                case 5 when wire == 2:
                    tensor = ReadTensor(attribute.Bytes()).Tensor;
                    break;
                default:
                    attribute.Skip(wire);
                    break;
            }
        }

        return (name, value, tensor);
    }

    /// <summary>A float (1) or double (11) tensor as doubles; null for any other element type.</summary>
    private static (string Name, Tensor? Tensor) ReadTensor(ReadOnlySpan<byte> bytes)
    {
        var (name, type) = ("", 0);
        var dims = new List<long>();
        var values = new List<double>();
        ReadOnlySpan<byte> raw = default;
        var tensor = new ProtoReader(bytes);
        while (tensor.Next(out var field, out var wire))
        {
            switch (field, wire)
            {
                case (1, 0):
                    dims.Add((long)tensor.Varint());
                    break;
                case (1, 2):
                    var packed = new ProtoReader(tensor.Bytes());
                    while (!packed.AtEnd)
                    {
                        dims.Add((long)packed.Varint());
                    }

                    break;
                case (2, 0):
                    type = (int)tensor.Varint();
                    break;
                case (4, 5):
                    values.Add(tensor.Float());
                    break;
                case (4, 2):
                    var floats = tensor.Bytes();
                    for (var i = 0; i + 4 <= floats.Length; i += 4)
                    {
                        values.Add(BinaryPrimitives.ReadSingleLittleEndian(floats[i..]));
                    }

                    break;
                case (8, 2):
                    name = tensor.String();
                    break;
                case (9, 2):
                    raw = tensor.Bytes();
                    break;
                case (10, 1):
                    values.Add(tensor.Double());
                    break;
                case (10, 2):
                    var doubles = tensor.Bytes();
                    for (var i = 0; i + 8 <= doubles.Length; i += 8)
                    {
                        values.Add(BinaryPrimitives.ReadDoubleLittleEndian(doubles[i..]));
                    }

                    break;
                default:
                    tensor.Skip(wire);
                    break;
            }
        }

        if (type is not (1 or 11))
        {
            return (name, null);
        }

        var size = type == 1 ? 4 : 8;
        for (var i = 0; i + size <= raw.Length; i += size)
        {
            values.Add(size == 4 ? BinaryPrimitives.ReadSingleLittleEndian(raw[i..]) : BinaryPrimitives.ReadDoubleLittleEndian(raw[i..]));
        }

        return (name, new Tensor([.. dims], [.. values]));
    }
}
