using System.Runtime.InteropServices;
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
        var nodes = new List<Action<ProtoWriter>>();
        var initializers = new List<Action<ProtoWriter>>();
        var current = inputs[0].Name;
        if (concat is not null)
        {
            nodes.Add(Node("Concat", [.. inputs.Select(i => i.Name)], concat, w => w.Message(5, a => a.String(1, "axis").Varint(20, 2).Varint(3, 1))));
            current = concat;
        }

        var width = inputs.Sum(i => i.Width);
        for (var i = 0; i < layers.Layers.Length; i++)
        {
            var next = i == layers.Layers.Length - 1 ? output : $"h{i}";
            switch (layers.Layers[i])
            {
                case Linear linear:
                    initializers.Add(Initializer($"w{i}", [linear.Outputs, linear.Inputs], linear.Weight.Data));
                    List<string> gemmInputs = [current, $"w{i}"];
                    if (linear.Bias is { } bias)
                    {
                        initializers.Add(Initializer($"b{i}", [linear.Outputs], bias.Data));
                        gemmInputs.Add($"b{i}");
                    }

                    nodes.Add(Node("Gemm", [.. gemmInputs], next, w => w.Message(5, a => a.String(1, "transB").Varint(20, 2).Varint(3, 1))));
                    width = linear.Outputs;
                    break;
                case Activation { Kind: ActivationKind.Relu }:
                    nodes.Add(Node("Relu", [current], next));
                    break;
                case Activation { Kind: ActivationKind.Tanh }:
                    nodes.Add(Node("Tanh", [current], next));
                    break;
                case Activation { Kind: ActivationKind.Mish }:
                    nodes.Add(Node("Softplus", [current], $"sp{i}"));
                    nodes.Add(Node("Tanh", [$"sp{i}"], $"tsp{i}"));
                    nodes.Add(Node("Mul", [current, $"tsp{i}"], next));
                    break;
                case LayerNorm norm:
                    initializers.Add(Initializer($"g{i}", [width], norm.Gamma.Data));
                    initializers.Add(Initializer($"be{i}", [width], norm.Beta.Data));
                    nodes.Add(Node("LayerNormalization", [current, $"g{i}", $"be{i}"], next, w => w
                        .Message(5, a => a.String(1, "axis").Varint(20, 2).Varint(3, -1))
                        .Message(5, a => a.String(1, "epsilon").Varint(20, 1).Float(2, norm.Eps))));
                    break;
                default:
                    throw new NotSupportedException($"no ONNX form for the layer {layers.Layers[i].GetType().Name}");
            }

            current = next;
        }

        return new ProtoWriter()
            .Varint(1, 8) // ir_version
            .String(2, "jepa-verify")
            .Message(7, g =>
            {
                nodes.ForEach(n => g.Message(1, n));
                g.String(2, name);
                initializers.ForEach(t => g.Message(5, t));
                foreach (var (input, w) in inputs)
                {
                    g.Message(11, v => ValueInfo(v, input, w));
                }

                g.Message(12, v => ValueInfo(v, output, width));
            })
            .Message(8, o => o.String(1, "").Varint(2, Opset))
            .ToArray();
    }

    private static Action<ProtoWriter> Node(string op, string[] inputs, string output, Action<ProtoWriter>? attributes = null) => w =>
    {
        foreach (var input in inputs)
        {
            w.String(1, input);
        }

        w.String(2, output).String(3, $"{op}_{output}").String(4, op);
        attributes?.Invoke(w);
    };

    private static Action<ProtoWriter> Initializer(string name, int[] dims, float[] data) => w =>
    {
        foreach (var d in dims)
        {
            w.Varint(1, d);
        }

        w.Varint(2, 1) // FLOAT
            .String(8, name)
            .Bytes(9, MemoryMarshal.AsBytes(data.AsSpan())); // raw_data, little-endian (this process's order on x64 and arm64)
    };

    /// <summary>A float32 tensor value <c>[n, width]</c> with the symbolic batch dimension <c>n</c>.</summary>
    private static void ValueInfo(ProtoWriter v, string name, int width) =>
        v.String(1, name).Message(2, type => type.Message(1, tensor => tensor
            .Varint(1, 1)
            .Message(2, shape => shape
                .Message(1, d => d.String(2, "n"))
                .Message(1, d => d.Varint(1, width)))));
}
