using System.Buffers.Binary;
using System.Collections.Immutable;
using Google.Protobuf;
using Jepa.Verify.Pipeline.Onnx.Proto;

namespace Jepa.Verify.Pipeline.Onnx;

/// <summary>
/// The parts of an ONNX model's graph the certificate reads: its nodes in order, its numeric constants (initializers and
/// <c>Constant</c> nodes, float, double and integer, as doubles), and the names of its inputs and outputs. Parsed by the
/// classes protoc generates from <c>Onnx/Proto/onnx.proto</c>.
/// </summary>
/// <param name="Nodes">The nodes, in the file's (topological) order; <c>Constant</c> nodes are in <paramref name="Weights"/> instead.</param>
/// <param name="Weights">Numeric constant tensors by name, as doubles, with their dimensions.</param>
/// <param name="Inputs">Graph input names that are not weights, in order.</param>
/// <param name="Outputs">Graph output names, in order.</param>
/// <param name="IntegerInputs">Graph inputs declared as int32 or int64 tensors (an action index).</param>
internal sealed record OnnxGraph(ImmutableArray<OnnxGraph.Node> Nodes, ImmutableDictionary<string, OnnxGraph.Tensor> Weights, ImmutableArray<string> Inputs, ImmutableArray<string> Outputs, ImmutableHashSet<string> IntegerInputs)
{
    /// <summary>A node: its operator, name, input and output names, its numeric attributes (ints and floats) and its integer lists (e.g. <c>axes</c>).</summary>
    public sealed record Node(string Op, string Name, ImmutableArray<string> Inputs, ImmutableArray<string> Outputs, ImmutableDictionary<string, double> Attributes, ImmutableDictionary<string, ImmutableArray<long>> Lists)
    {
        /// <summary>How messages name the node: its op and its name (or its first output when it has no name).</summary>
        public string Shown => $"{Op} node '{(Name.Length > 0 ? Name : Outputs.FirstOrDefault() ?? "")}'";
    }

    /// <summary>A constant tensor: dimensions and values (row-major).</summary>
    public sealed record Tensor(ImmutableArray<long> Dims, ImmutableArray<double> Values);

    /// <summary>Reads the graph of the ONNX model file <paramref name="path"/>.</summary>
    /// <exception cref="FormatException">The file is not an ONNX model, or keeps its weights in external files.</exception>
    public static OnnxGraph Read(string path)
    {
        ModelProto model;
        try
        {
            model = ModelProto.Parser.ParseFrom(File.ReadAllBytes(path));
        }
        catch (InvalidProtocolBufferException ex)
        {
            throw new FormatException($"not a well-formed ONNX protobuf message ({ex.Message})", ex);
        }

        var graph = model.Graph ?? throw new FormatException("the model has no graph");
        var nodes = ImmutableArray.CreateBuilder<Node>();
        var weights = ImmutableDictionary.CreateBuilder<string, Tensor>(StringComparer.Ordinal);
        foreach (var t in graph.Initializer)
        {
            if (Values(t) is { } tensor)
            {
                weights[t.Name] = tensor;
            }
        }

        foreach (var n in graph.Node)
        {
            var value = n.Attribute.FirstOrDefault(a => a.Name == "value" && a.T is not null)?.T;
            if (n.OpType == "Constant" && n.Output.Count == 1 && value is not null && Values(value) is { } constant)
            {
                weights[n.Output[0]] = constant;
                continue;
            }

            var attributes = ImmutableDictionary.CreateBuilder<string, double>(StringComparer.Ordinal);
            var lists = ImmutableDictionary.CreateBuilder<string, ImmutableArray<long>>(StringComparer.Ordinal);
            foreach (var a in n.Attribute)
            {
                switch (a.Type)
                {
                    case AttributeProto.Types.AttributeType.Float:
                        attributes[a.Name] = a.F;
                        break;
                    case AttributeProto.Types.AttributeType.Int:
                        attributes[a.Name] = a.I;
                        break;
                    case AttributeProto.Types.AttributeType.Ints:
                        lists[a.Name] = [.. a.Ints];
                        break;
                }
            }

            nodes.Add(new Node(n.OpType, n.Name, [.. n.Input], [.. n.Output], attributes.ToImmutable(), lists.ToImmutable()));
        }

        return new OnnxGraph(nodes.ToImmutable(), weights.ToImmutable(),
            [.. graph.Input.Select(i => i.Name).Where(i => !weights.ContainsKey(i))], [.. graph.Output.Select(o => o.Name)],
            [.. graph.Input.Where(i => i.Type?.TensorType?.ElemType is (int)TensorProto.Types.DataType.Int64 or (int)TensorProto.Types.DataType.Int32).Select(i => i.Name)]);
    }

    /// <summary>A float, double or integer tensor as doubles; null for any other element type.</summary>
    /// <exception cref="FormatException">Weights kept in an external file.</exception>
    private static Tensor? Values(TensorProto t)
    {
        if (t.DataLocation == TensorProto.Types.DataLocation.External)
        {
            throw new FormatException($"tensor '{t.Name}' is kept in an external data file; export the model with its weights inside the .onnx file (torch.onnx.export without external data)");
        }

        var raw = t.RawData.Span;
        double[] values = (TensorProto.Types.DataType)t.DataType switch
        {
            TensorProto.Types.DataType.Float => raw.Length > 0 ? Read(raw, 4, b => BinaryPrimitives.ReadSingleLittleEndian(b)) : [.. t.FloatData.Select(v => (double)v)],
            TensorProto.Types.DataType.Double => raw.Length > 0 ? Read(raw, 8, BinaryPrimitives.ReadDoubleLittleEndian) : [.. t.DoubleData],
            TensorProto.Types.DataType.Int64 => raw.Length > 0 ? Read(raw, 8, b => BinaryPrimitives.ReadInt64LittleEndian(b)) : [.. t.Int64Data.Select(v => (double)v)],
            TensorProto.Types.DataType.Int32 => raw.Length > 0 ? Read(raw, 4, b => BinaryPrimitives.ReadInt32LittleEndian(b)) : [.. t.Int32Data.Select(v => (double)v)],
            _ => [],
        };
        return (TensorProto.Types.DataType)t.DataType is TensorProto.Types.DataType.Float or TensorProto.Types.DataType.Double or TensorProto.Types.DataType.Int64 or TensorProto.Types.DataType.Int32
            ? new Tensor([.. t.Dims], [.. values])
            : null;
    }

    private static double[] Read(ReadOnlySpan<byte> raw, int size, Func<ReadOnlySpan<byte>, double> read)
    {
        var values = new double[raw.Length / size];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = read(raw.Slice(i * size, size));
        }

        return values;
    }
}
