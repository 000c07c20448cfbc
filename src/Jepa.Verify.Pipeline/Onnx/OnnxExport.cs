using System.Runtime.InteropServices;
using Google.Protobuf;
using Jepa.Verify.Pipeline.Onnx.Proto;
using Jepa.Verify.Learning.Jepa;
using Jepa.Verify.Learning.Modules;
using Jepa.Verify.Mdp.Formats;

namespace Jepa.Verify.Pipeline.Onnx;

/// <summary>
/// Writes a <see cref="PJepaModel"/> as the three ONNX graphs of the <see cref="OnnxJepa"/> contract:
/// <c>encoder.onnx</c> (input <c>obs</c> <c>[n, features]</c>), <c>transition.onnx</c> (inputs <c>z</c> <c>[n, d]</c> and the
/// one-hot <c>action</c> <c>[n, actions]</c>, concatenated as the model does) and <c>aux_head.onnx</c> (input <c>z</c>).
/// </summary>
/// <remarks>
/// ONNX opset 17, IR version 8. Linear layers become <c>Gemm</c> (<c>transB = 1</c>, the weights as PyTorch stores
/// them, <c>[out, in]</c>); ReLU and tanh their ONNX ops; Mish <c>x · tanh(softplus(x))</c> as <c>Softplus</c>, <c>Tanh</c>
/// and <c>Mul</c> (the Mish op needs opset 18); layer norm <c>LayerNormalization</c> over the last axis with the
/// model's epsilon. The batch dimension is the symbolic <c>n</c>.
/// </remarks>
public static class OnnxExport
{
    /// <summary>The opset the graphs declare.</summary>
    public const int Opset = 17;

    /// <summary>Writes the three graphs into <paramref name="directory"/> (created if missing), each atomically.</summary>
    /// <exception cref="NotSupportedException">When the encoder is convolutional (not exported yet) or the aux head is two-hot (its outputs are logits, not the aux the assess contract expects).</exception>
    /// <returns>The three paths: encoder, transition, aux head.</returns>
    public static IReadOnlyList<string> Write(PJepaModel model, string directory)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (!BitConverter.IsLittleEndian)
        {
            throw new PlatformNotSupportedException("ONNX raw tensor data is little-endian; this export writes the process's own float layout");
        }

        if (model.Encoder is not Sequential encoder)
        {
            throw new NotSupportedException("the convolutional encoder has no ONNX export yet (only MLP encoders do); save the model with --save instead");
        }

        if (model.Shape.TwoHot is not null)
        {
            throw new NotSupportedException("a two-hot aux head outputs logits over bins, not the aux values that aux_head.onnx must give; train with --aux-loss mse to export");
        }

        Directory.CreateDirectory(directory);
        var s = model.Shape;
        var files = new (string Name, byte[] Bytes)[]
        {
            ("encoder.onnx", Graph("encoder", [("obs", s.FeatureDim)], "latent", encoder, null)),
            ("transition.onnx", Graph("transition", [("z", s.LatentDim), ("action", s.Actions)], "next", model.Transition, "za")),
            ("aux_head.onnx", Graph("aux_head", [("z", s.LatentDim)], "aux", model.AuxHead, null)),
        };
        var paths = new List<string>();
        foreach (var (name, bytes) in files)
        {
            var path = Path.Combine(directory, name);
            AtomicFile.Write(path, stream => stream.Write(bytes));
            paths.Add(path);
        }

        return paths;
    }

    /// <summary>One graph: the inputs (concatenated along axis 1 into <paramref name="concat"/> when there are two), the layers, the output.</summary>
    internal static byte[] Graph(string name, (string Name, int Width)[] inputs, string output, Sequential layers, string? concat)
    {
        var graph = new GraphProto { Name = name };
        var current = inputs[0].Name;
        if (concat is not null)
        {
            graph.Node.Add(Node("Concat", [.. inputs.Select(i => i.Name)], concat, Int("axis", 1)));
            current = concat;
        }

        var width = inputs.Sum(i => i.Width);
        for (var i = 0; i < layers.Layers.Length; i++)
        {
            var next = i == layers.Layers.Length - 1 ? output : $"h{i}";
            switch (layers.Layers[i])
            {
                case Linear linear:
                    graph.Initializer.Add(Initializer($"w{i}", [linear.Outputs, linear.Inputs], linear.Weight.Data));
                    List<string> gemmInputs = [current, $"w{i}"];
                    if (linear.Bias is { } bias)
                    {
                        graph.Initializer.Add(Initializer($"b{i}", [linear.Outputs], bias.Data));
                        gemmInputs.Add($"b{i}");
                    }

                    graph.Node.Add(Node("Gemm", [.. gemmInputs], next, Int("transB", 1)));
                    width = linear.Outputs;
                    break;
                case Activation { Kind: ActivationKind.Relu }:
                    graph.Node.Add(Node("Relu", [current], next));
                    break;
                case Activation { Kind: ActivationKind.Tanh }:
                    graph.Node.Add(Node("Tanh", [current], next));
                    break;
                case Activation { Kind: ActivationKind.Mish }:
                    graph.Node.Add(Node("Softplus", [current], $"sp{i}"));
                    graph.Node.Add(Node("Tanh", [$"sp{i}"], $"tsp{i}"));
                    graph.Node.Add(Node("Mul", [current, $"tsp{i}"], next));
                    break;
                case LayerNorm norm:
                    graph.Initializer.Add(Initializer($"g{i}", [width], norm.Gamma.Data));
                    graph.Initializer.Add(Initializer($"be{i}", [width], norm.Beta.Data));
                    graph.Node.Add(Node("LayerNormalization", [current, $"g{i}", $"be{i}"], next, Int("axis", -1),
                        new AttributeProto { Name = "epsilon", Type = AttributeProto.Types.AttributeType.Float, F = norm.Eps }));
                    break;
                default:
                    throw new NotSupportedException($"no ONNX form for the layer {layers.Layers[i].GetType().Name}");
            }

            current = next;
        }

        foreach (var (input, w) in inputs)
        {
            graph.Input.Add(ValueInfo(input, w));
        }

        graph.Output.Add(ValueInfo(output, width));
        var model = new ModelProto { IrVersion = 8, ProducerName = "jepa-verify", Graph = graph };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = Opset });
        return model.ToByteArray();
    }

    private static NodeProto Node(string op, string[] inputs, string output, params AttributeProto[] attributes)
    {
        var node = new NodeProto { OpType = op, Name = $"{op}_{output}" };
        node.Input.AddRange(inputs);
        node.Output.Add(output);
        node.Attribute.AddRange(attributes);
        return node;
    }

    private static AttributeProto Int(string name, long value) => new() { Name = name, Type = AttributeProto.Types.AttributeType.Int, I = value };

    private static TensorProto Initializer(string name, long[] dims, float[] data)
    {
        var tensor = new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Float, RawData = ByteString.CopyFrom(MemoryMarshal.AsBytes(data.AsSpan())) }; // raw_data, little-endian (this process's order on x64 and arm64)
        tensor.Dims.AddRange(dims);
        return tensor;
    }

    /// <summary>A float32 tensor value <c>[n, width]</c> with the symbolic batch dimension <c>n</c>.</summary>
    private static ValueInfoProto ValueInfo(string name, int width)
    {
        var shape = new TensorShapeProto();
        shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimParam = "n" });
        shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimValue = width });
        return new ValueInfoProto { Name = name, Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)TensorProto.Types.DataType.Float, Shape = shape } } };
    }
}
